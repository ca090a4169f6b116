"""Whatever goes wrong under /api/, the answer is JSON with `detail` and `links`, and the schema says so."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.test import override_settings

from .conftest import FIXTURES, free_port, prepared_sqlite

ERRORS = {"400", "404", "405", "413", "429", "503"}


def is_problem(response) -> bool:
    return response["Content-Type"].startswith("application/json") and set(response.json()) == {"detail", "links"}


def test_the_index_lists_what_the_schema_offers(client, shipped):
    index = client.get("/api/v1/")
    assert index.status_code == 200 and index["Content-Type"].startswith("application/json")
    data, schema = index.json(), client.get("/api/v1/openapi.json").json()
    assert data["schema"] == "http://testserver/api/v1/openapi.json"
    assert {(o["method"].lower(), o["path"]) for o in data["operations"]} == {
        (method, path) for path, methods in schema["paths"].items() for method in methods}
    assert client.get(data["guides"]).status_code == 200


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/v2/guides", "/api/v1/nope", "/api/v1/guides/ns0023/1/expensify-web/x"])
def test_an_unknown_path_under_api_is_a_json_404_that_points_to_the_index(client, shipped, path):
    response = client.get(path)
    assert response.status_code == 404 and is_problem(response)
    assert response.json()["detail"] == f"There is nothing at {path}."
    assert {"label": "The API's index", "url": "/api/v1/"} in response.json()["links"]


def test_a_trailing_slash_is_a_404_that_names_the_path_without_it(client, shipped):
    response = client.get("/api/v1/guides/")
    assert response.status_code == 404 and response.json()["links"][0]["url"] == "/api/v1/guides"


def test_pages_keep_their_html_404(client, shipped):
    response = client.get("/apiary/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("put", "/api/v1/guides", "GET, HEAD"),
    ("delete", "/api/v1/guides/ns0023/1/expensify-web", "GET, HEAD"),
    ("get", "/api/v1/match", "POST"),
    ("post", "/api/v1/", "GET, HEAD"),
    ("post", "/api/v1/openapi.json", "GET, HEAD"),
])
def test_a_method_a_path_does_not_take_is_a_json_405_with_allow(client, shipped, method, path, allow):
    response = getattr(client, method)(path)
    assert response.status_code == 405 and is_problem(response) and response["Allow"] == allow
    assert response.json()["detail"] == f"{path} does not take {method.upper()}; it takes {allow}."


def test_head_answers_as_get_without_a_body(client, shipped):
    got, head = client.get("/api/v1/guides"), client.head("/api/v1/guides")
    assert head.status_code == 200 and head.content == b"" and int(head["Content-Length"]) == len(got.content)
    for path, status in [("/api/v1/guides/nope/1/web", 404), ("/api/v1/nope", 404), ("/api/v1/match", 405)]:
        response = client.head(path)
        assert (response.status_code, response.content) == (status, b""), path


@override_settings(CORS_ALLOWED_ORIGINS=["https://help.example.com"],
                   WRITES_PER_MINUTE={"paste": 1, "run": 1, "refused": 1, "record": 1, "suggest": 1, "feedback": 1})
def test_a_script_on_a_listed_site_may_read_retry_after(client, shipped):
    origin = {"Origin": "https://help.example.com"}
    client.get("/api/v1/guides/ns0023/1/expensify-web", headers=origin)
    refused = client.get("/api/v1/guides/ns0023/1/expensify-web", headers=origin)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "retry-after" in refused["Access-Control-Expose-Headers"].lower()


@override_settings(CORS_ALLOWED_ORIGINS=["https://help.example.com"])
def test_a_preflight_offers_only_the_methods_the_api_takes(client, shipped):
    preflight = client.options("/api/v1/match", headers={"Origin": "https://help.example.com",
                                                         "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Origin"] == "https://help.example.com"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS, POST"


def test_the_schema_documents_every_error_with_its_json_body(client, shipped):
    schema = client.get("/api/v1/openapi.json").json()
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    documented = set()
    for methods in schema["paths"].values():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                if status != "200":
                    documented.add(status)
                    assert response["content"] == problem and response["description"], status
                if status in ("429", "503"):
                    assert "Retry-After" in response["headers"]
    shared = schema["components"]["responses"]["MethodNotAllowed"]
    assert shared["content"] == problem and "Allow" in shared["headers"]
    assert documented | {"405"} == ERRORS
    match = schema["paths"]["/api/v1/match"]["post"]
    assert set(match["responses"]) == {"200", "400", "413", "429", "503"}
    assert schema["components"]["schemas"]["MatchIn"]["properties"]["text"]["maxLength"] == 10_000


def test_an_api_that_cannot_reach_its_database_answers_503_as_json(tmp_path, tmp_path_factory):
    """A real gunicorn whose SQLite file is not there yet: every query fails as it would with the database
    away; the API says so as JSON with Retry-After, the pages keep their HTML; once it is there, all is served."""
    database = tmp_path / "later" / "db.sqlite3"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")} | {
        "SQLITE_PATH": str(database), "DEBUG": "0"}
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "wizard.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--no-control-socket"], cwd=FIXTURES.parent, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> tuple[int, dict, bytes]:
        try:
            with urllib.request.urlopen(base + path, timeout=10) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = get("/api/v1/guides")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        for path in ("/api/v1/guides", "/api/v1/guides/ns0023/1/expensify-web"):
            status, headers, body = get(path)
            assert status == 503 and headers["Retry-After"] == "30", (path, body[:300])
            assert headers["Content-Type"].startswith("application/json")
            assert json.loads(body) == {"detail": "The database is not answering, so nothing was done. "
                                                  "Try again in a moment.", "links": []}
        page_status, page_headers, _ = get("/guides/ns0023/v1/expensify-web/")
        assert page_status == 503 and page_headers["Content-Type"].startswith("text/html")
        database.parent.mkdir()
        shutil.copyfile(prepared_sqlite(tmp_path_factory), database)
        status, _, body = get("/api/v1/guides/ns0023/1/expensify-web")
        assert status == 200 and json.loads(body)["guide"] == "ns0023"
    finally:
        server.terminate()
        server.wait(30)
        log.close()
