"""Production concerns: settings, health, faults, limits, hostile input, logs and backups."""

import io
import json
import logging

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from troubleshoot import document, publishing
from troubleshoot.models import Guide, MissingPaste, Run, Version
from troubleshoot.published import catalogue

from .conftest import run_manage, shipped_guides, small_document


# Settings


def test_deploy_checks_are_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0", HTTPS="1",
                        SECRET_KEY="x" * 30 + "k2kd9d8f7g6h5j4k3l2;qwpeoriuty", ALLOWED_HOSTS="help.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_production_database_needs_a_secret_key():
    result = run_manage("check", DATABASE_URL="postgres://nobody@127.0.0.1:1/none", DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


# Health and faults


def test_healthz_answers_200_while_the_database_answers(client, db):
    response = client.get("/healthz/")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("server closed the connection")

    with monkeypatch.context() as patch:  # only for the request: the test database must still tear down
        patch.setattr("django.db.backends.utils.CursorWrapper.execute", away)
        response = client.get("/healthz/")
    assert response.status_code == 503


def test_a_database_going_away_mid_request_gives_a_friendly_503(client, shipped, monkeypatch):
    monkeypatch.setattr(catalogue, "newest_number", lambda slug: (_ for _ in ()).throw(
        OperationalError("terminating connection due to administrator command")))
    response = client.get("/guides/ns0109/v1/expensify-web/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "We'll be back in a moment" in page and "Traceback" not in page and "administrator command" not in page


# Limits on anonymous writes (tests/test_limits.py shows the real numbers serve an office)

FLOOD = {"paste": 3, "refused": 3, "record": 3, "suggest": 3, "feedback": 2, "run": 2}


@override_settings(WRITES_PER_MINUTE=FLOOD)
def test_a_flood_of_pastes_is_slowed_and_stores_bounded_rows(client, shipped):
    statuses = [client.post("/find/", {"error": f"NS9{i:03d}: unknown"}).status_code for i in range(20)]
    assert statuses[:3] == [200, 200, 200] and set(statuses[3:]) == {429}
    assert MissingPaste.objects.count() == 3


@override_settings(WRITES_PER_MINUTE=FLOOD)
def test_a_flood_of_error_links_shows_each_page_but_stores_bounded_rows(client, shipped):
    for i in range(10):
        assert "No guide for" in client.get(f"/error/NS9{i:03d}/").content.decode()
    assert MissingPaste.objects.count() == 3


@override_settings(WRITES_PER_MINUTE=FLOOD)
def test_a_flood_of_new_walks_still_shows_steps_but_stores_bounded_runs(shipped):
    for _ in range(10):
        assert Client().get("/guides/ns0109/v1/expensify-web/").status_code == 200
    assert Run.objects.count() == 2


@override_settings(WRITES_PER_MINUTE=FLOOD)
def test_a_flood_of_notes_is_slowed(client, shipped):
    step = "/guides/ns0109/v1/expensify-web/password/fixed/"
    client.get(step)
    codes = [client.post("/feedback/", {"text": f"note {i}", "next": step}).status_code for i in range(5)]
    assert codes == [302, 302, 429, 429, 429]


def test_clients_behind_trusted_proxies_are_told_apart(rf, settings):
    from troubleshoot.limits import client_of

    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2", REMOTE_ADDR="10.0.0.3")
    assert client_of(request) == "10.0.0.3"
    settings.PROXY_COUNT = 1
    assert client_of(request) == "10.0.0.2"
    settings.PROXY_COUNT = 2
    assert client_of(request) == "203.0.113.9"


# Hostile input


XSS = '<script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>'


def test_xss_in_every_field_an_author_fills_is_neutralised(client, db):
    doc = small_document()
    doc["title"] = doc["summary"] = XSS
    doc["error"] = "NS9999 " + XSS
    doc["platforms"][0]["name"] = doc["platforms"][0]["support"] = XSS
    for n in doc["nodes"]:
        n["title"] = n["help"] = XSS
        for c in n.get("choices", []):
            c["label"] = XSS + c["slug"]
        for i in n.get("items", []):
            i["label"] = i["expected"] = XSS
        for s in n.get("instructions", []):
            s["text"] = XSS
        if n["kind"] == "solution":
            n["who"] = XSS
    publishing.import_guide(document.check(doc), publish=True)
    pages = [client.get(u).content.decode() for u in (
        "/", "/guides/tiny/v1/", "/guides/tiny/v1/web/", "/guides/tiny/v1/web/no/", "/guides/tiny/v1/web/yes/",
        "/guides/tiny/v1/web/yes/alpha/", "/guides/tiny/v1/web/yes/all-match/", "/guides/tiny/v1/web/no/fixed/")]
    for page in pages:  # escaped text may show the payload; no tag or link of it may exist
        assert "<script>alert" not in page and "<img" not in page and 'href="javascript:' not in page
        assert "&lt;script&gt;alert(1)" in page


def test_xss_in_every_field_a_user_fills_is_escaped(client, shipped):
    page = client.post("/find/", {"error": XSS}).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    step = "/guides/login-credentials/v1/bill-com/yes/no/yes/no/"
    client.get(step)
    client.post("/feedback/", {"text": XSS, "next": step})
    assert Run.objects.get().feedback == XSS  # stored as typed, escaped where shown (test_support)
    assert "<script>alert" not in client.post("/suggest/", {"error": XSS}).content.decode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), max_size=6),
       st.dictionaries(st.text(max_size=8), st.text(max_size=30), max_size=3))
def test_no_url_path_or_query_gives_a_500(client, shipped, parts, query):
    from urllib.parse import quote, urlencode

    for base in ("/guides/", "/guides/ns0384/v1/expensify-web/", "/error/", "/agent/runs/", "/"):
        url = base + "/".join(quote(p, safe="") for p in parts) + ("/" if parts else "")
        response = client.get(url + "?" + urlencode(query))
        assert response.status_code < 500, url


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["error", "text", "next", "csrfmiddlewaretoken", "x"]),
                       st.text(max_size=300), max_size=4))
def test_no_form_post_gives_a_500(client, shipped, form):
    for url in ("/find/", "/suggest/", "/feedback/", "/guides/ns0384/v1/expensify-web/correct/"):
        assert client.post(url, form).status_code < 500, url


# Logs


def test_one_json_line_per_request(client, shipped):
    from datetime import datetime, timedelta

    handler = logging.getLogger("troubleshoot.requests").handlers[0]  # standard error, as configured
    out = io.StringIO()
    stream = handler.setStream(out)
    try:
        client.get("/guides/ns0109/v1/expensify-web/")
    finally:
        handler.setStream(stream)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]  # every line whole JSON
    assert len(lines) == 1
    assert lines[0]["method"] == "GET" and lines[0]["path"] == "/guides/ns0109/v1/expensify-web/"
    assert lines[0]["status"] == 200 and lines[0]["ms"] >= 0
    assert abs(datetime.fromisoformat(lines[0]["time"]) - datetime.now().astimezone()) < timedelta(minutes=1)


# Backups


def test_export_all_then_import_into_an_empty_database_restores_every_guide(shipped, tmp_path, django_db_blocker):
    call_command("export_guide", "--all", "--folder", str(tmp_path), stdout=io.StringIO())
    exported = {p.stem: document.read(p.read_bytes()) for p in tmp_path.glob("*.yaml")}
    before = {v.guide.slug: v.document for v in Version.objects.order_by("guide__slug", "-number").distinct()}
    assert set(exported) == set(shipped_guides())
    Version.objects.all().delete()
    Guide.objects.all().delete()
    for path in tmp_path.glob("*.yaml"):
        call_command("import_guide", str(path), "--publish", stdout=io.StringIO())
    assert {v.guide.slug: document.load(v.document) for v in Version.objects.all()} == exported
    assert all(exported[slug] == document.load(before[slug]) for slug in exported)


# Headers


@pytest.mark.parametrize("url", ["/", "/guides/ns0109/v1/expensify-web/", "/no/such/page/", "/admin/login/", "/healthz/"])
def test_every_response_carries_the_security_headers(client, shipped, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_over_https_there_is_hsts_and_cookies_are_secure(client, shipped, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.CSRF_COOKIE_SECURE = True
    response = client.get("/admin/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.cookies["csrftoken"]["secure"] and response.cookies["csrftoken"]["httponly"]
    step = client.get("/guides/ns0109/v1/expensify-web/", secure=True)
    assert step.cookies["run"]["secure"] and step.cookies["run"]["httponly"]
