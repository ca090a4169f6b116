"""The JSON API: the same walk as the pages, as data; clear JSON for every bad request."""

import re

import pytest
from django.test import override_settings
from django.utils.html import escape

from troubleshoot.engine import shortest_answers, walk
from troubleshoot.models import Run

from .conftest import shipped_guides

GUIDES = shipped_guides()


def api_step(client, slug, platform, answers=(), version=1):
    url = f"/api/v1/guides/{slug}/{version}/{platform}"
    return client.get(url, {"answers": "/".join(answers)} if answers else {})


def page_of(client, slug, platform, answers, version=1):
    return client.get(f"/guides/{slug}/v{version}/{platform}/" + "".join(f"{a}/" for a in answers)).content.decode()


@pytest.mark.parametrize("slug", sorted(GUIDES))
def test_a_walk_through_the_api_shows_what_the_pages_show(client, shipped, slug):
    guide = GUIDES[slug]
    for platform in guide.platforms:
        starts = list(shortest_answers(guide).values())
        for answers in starts:
            data = api_step(client, slug, platform.slug, answers).json()
            current = walk(guide, answers)
            page = page_of(client, slug, platform.slug, answers)
            assert data["node"] == current.node.slug and data["kind"] == current.node.kind
            assert re.search(r"<h1[^>]*>" + re.escape(escape(data["title"])) + "</h1>", page), (slug, answers)
            for choice in data["choices"]:
                if data["kind"] == "question":
                    assert escape(choice["label"]) in page, (slug, answers, choice)
            if data["kind"] == "solution":
                lines = re.search(r'<ol class="instructions">(.*?)</ol>', page, re.S).group(1)
                assert len(data["instructions"]) == lines.count("<li>") and data["instructions"]
                assert all(i["html"] in lines for i in data["instructions"])
        # A whole walk by the API's own links, always the last answer offered, ends at the end.
        data = api_step(client, slug, platform.slug).json()
        for _ in range(50):
            if not data["choices"]:
                break
            data = client.get(data["choices"][-1]["next"]).json()
        assert data["kind"] in ("escalation", "fixed") and not data["choices"]
        if data["kind"] == "escalation":
            assert f"Where I see it: {platform.name}" in data["summary"]


def test_the_api_walks_without_recording_runs(client, shipped):
    api_step(client, "ns0109", "expensify-web", ["password", "not-fixed"])
    assert not Run.objects.exists()


def test_guides_are_listed_with_their_newest_version_and_platforms(client, shipped):
    listed = {g["slug"]: g for g in client.get("/api/v1/guides").json()}
    assert set(listed) == set(GUIDES)
    assert listed["ns0023"]["version"] == 1 and listed["ns0023"]["category"] == "export"
    assert listed["ns0023"]["origins"] == ["Expensify"] and listed["login-credentials"]["origins"] == ["Bill.com", "Cashflow360"]
    assert [p["slug"] for p in listed["ns0023"]["platforms"]] == ["expensify-web", "expensify-mobile", "expensify-classic"]


def test_match_gives_the_guide_or_the_candidates(client, shipped):
    post = lambda text: client.post("/api/v1/match", {"text": text}, content_type="application/json")  # noqa: E731
    assert post("NS0023: Employee does not exist in NetSuite.").json()["guide"] == "ns0023"
    unknown = post("NS0244: Permission error encountered when querying NetSuite for 'Classification'").json()
    assert unknown["guide"] is None and unknown["code"] == "NS0244" and "ns0384" in unknown["suggestions"]


@pytest.mark.parametrize(("url", "detail"), [
    ("/api/v1/guides/nope/1/web", "There is no guide called “nope”."),
    ("/api/v1/guides/ns0023/9/expensify-web", "This guide has no version 9. Its newest version is 1."),
    ("/api/v1/guides/ns0023/1/windows", "has no platform called “windows”"),
    ("/api/v1/guides/ns0023/1/expensify-web?answers=yes/maybe", "is not an answer to “Did this fix it?”"),
    ("/api/v1/guides/ns0023/1/expensify-web?answers=<script>", "not written the way the wizard writes them"),
])
def test_unknown_guide_version_platform_or_answer_is_a_404_that_says_where_to_go(client, shipped, url, detail):
    response = client.get(url)
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert detail in response.json()["detail"]
    assert "links" in response.json()


SEND_TEXT = 'Send a JSON object with the pasted error as "text"'


@pytest.mark.parametrize(("body", "said"), [
    ("", "The request has no body."),
    ('{"text":', "The body is not valid JSON."),
    ("{}", 'The body has no "text".'),
    ('{"text": 3}', '"text" must be a string.'),
])
def test_a_bad_body_is_a_400_in_our_words(client, shipped, body, said):
    response = client.post("/api/v1/match", body, content_type="application/json")
    detail = response.json()["detail"]
    assert response.status_code == 400 and detail.startswith(said) and SEND_TEXT in detail
    assert "body.body" not in detail and "Field required" not in detail


def test_a_version_that_is_not_a_number_is_a_400_in_our_words(client, shipped):
    response = client.get("/api/v1/guides/ns0023/one/expensify-web")
    assert response.status_code == 400
    assert response.json()["detail"] == "The version in the address must be a whole number, such as 1."


def test_one_length_limit_with_one_message(client, shipped):
    send = lambda body: client.post("/api/v1/match", body, content_type="application/json")  # noqa: E731
    assert send({"text": "x" * 10_000}).status_code == 200
    over = send({"text": "x" * 10_001})
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        too_big = send({"text": "x" * 5000})
    assert over.status_code == too_big.status_code == 413
    assert over.json() == too_big.json() == {"detail": "The text is too long: send at most 10,000 characters.",
                                             "links": []}


@override_settings(WRITES_PER_MINUTE={"paste": 2, "run": 2, "refused": 2, "record": 2, "suggest": 2, "feedback": 2})
def test_the_api_has_the_pages_limits(client, shipped):
    codes = [client.post("/api/v1/match", {"text": "NS0023"}, content_type="application/json").status_code
             for _ in range(4)]
    assert codes == [200, 200, 429, 429]
    refused = client.post("/api/v1/match", {"text": "x"}, content_type="application/json")
    assert "wait a minute" in refused.json()["detail"] and refused["Retry-After"] == "60"


def test_the_openapi_schema_describes_every_endpoint(client, shipped):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/guides", "/api/v1/match", "/api/v1/guides/{guide}/{version}/{platform}"} <= set(schema["paths"])
    step = schema["components"]["schemas"]["StepOut"]
    assert {"node", "choices", "instructions", "trail", "summary", "page"} <= set(step["properties"])
    responses = schema["paths"]["/api/v1/guides/{guide}/{version}/{platform}"]["get"]["responses"]
    assert {"200", "404", "429"} <= set(responses)


@override_settings(CORS_ALLOWED_ORIGINS=["https://help.example.com"])
def test_only_listed_origins_may_call_the_api_from_a_browser(client, shipped):
    allowed = client.get("/api/v1/guides", headers={"Origin": "https://help.example.com"})
    assert allowed["Access-Control-Allow-Origin"] == "https://help.example.com"
    other = client.get("/api/v1/guides", headers={"Origin": "https://evil.example.net"})
    assert "Access-Control-Allow-Origin" not in other
    page = client.get("/", headers={"Origin": "https://help.example.com"})
    assert "Access-Control-Allow-Origin" not in page
