"""The home page: every guide by kind, a filter that works without JavaScript, and a light first load."""

import gzip
import re

from django.contrib.staticfiles import finders

from .conftest import shipped_guides

HTMX = {"HX-Request": "true"}


def listed(page: str) -> list[str]:
    return re.findall(r'href="/guides/([a-z0-9-]+)/"', page)


def sections(page: str) -> dict[str, list[str]]:
    """Each 'Errors from ...' heading with the guides listed under it, in page order."""
    parts = re.split(r'<h3 id="origin-\d+">Errors from ([^<]+)</h3>', page)
    return {parts[i]: listed(parts[i + 1]) for i in range(1, len(parts), 2)}


def test_every_guide_is_listed_once_under_where_its_error_comes_from_and_its_kind(client, shipped):
    page = client.get("/").content.decode()
    assert sorted(listed(page)) == sorted(shipped_guides())
    found = sections(page)
    assert list(found) == ["Expensify", "Bill.com", "Bill.com and Cashflow360", "Cashflow360", "NetSuite itself"]
    assert "ns0109" in found["Expensify"] and "login-credentials" in found["Bill.com and Cashflow360"]
    assert found["Bill.com"] == ["billcom-reason-null"] and set(found["Cashflow360"]) == {"cashflow360-could-not-apply",
                                                                              "cashflow360-po-out-of-bounds"}
    assert {"ns-token-login", "ns-role-permission", "ns-integration-record"} <= set(found["NetSuite itself"])
    expensify = page.split("Errors from Expensify")[1].split("Errors from")[0]
    assert re.findall(r'<h4 id="group-1-\d+">([^<]+) <small>', expensify) == ["Login and connection", "Sync", "Export"]
    at = [listed(page).index(slug) for slug in ("ns0109", "ns0384", "ns0023")]  # connection, sync, export
    assert at == sorted(at)


def test_the_filter_knows_netsuites_code_words_and_the_apps(client, shipped):
    for query, slug in (("InvalidTimestamp", "ns-token-login"), ("consumer_key_refused", "ns-integration-record"),
                        ("COULD_NOT_APPLY", "cashflow360-could-not-apply")):
        assert listed(client.get("/", {"q": query}).content.decode()) == [slug], query
    assert set(listed(client.get("/", {"q": "user_error"}).content.decode())) == {"ns-role-permission",
                                                                                  "ns-required-field"}
    billcom = listed(client.get("/", {"q": "Bill.com"}).content.decode())
    assert "billcom-reason-null" in billcom and "login-credentials" in billcom and "ns0109" not in billcom


def test_the_filter_is_a_get_form_that_narrows_the_list_by_code_or_words(client, shipped):
    page = client.get("/").content.decode()
    assert re.search(r'<form class="filter" method="get" action="/#guides"', page)
    for query in ("NS0023", "ns23", "0023"):
        assert listed(client.get("/", {"q": query}).content.decode()) == ["ns0023"], query
    page = client.get("/", {"q": "employee subsidiary"}).content.decode()
    assert "ns0023" in listed(page) and "ns0109" not in listed(page)
    assert re.search(r"\d+ guides for “employee subsidiary”", page)
    assert 'value="employee subsidiary"' in page


def test_a_filter_with_no_guide_says_what_to_try(client, shipped):
    page = client.get("/", {"q": "<b>zebra</b>"}).content.decode()
    assert listed(page) == [] and "No guide for “&lt;b&gt;zebra&lt;/b&gt;”" in page and "Show all guides" in page


def test_htmx_asks_for_the_list_alone_and_the_page_says_it_varies(client, shipped):
    response = client.get("/", {"q": "tax"}, headers=HTMX)
    page = response.content.decode()
    assert "<html" not in page and "guides for “tax”" in page
    assert "HX-Request" in response["Vary"]
    assert "<html" not in client.get("/", headers=HTMX).content.decode()  # words cleared: the whole list
    restore = client.get("/", {"q": "tax"}, headers=HTMX | {"HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_the_first_load_is_under_sixty_kilobytes_compressed(client, shipped):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    total = len(response.content)
    page = gzip.decompress(response.content).decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', page)
    assert any(a.endswith(".css") for a in assets) and any("htmx" in a for a in assets)
    for asset in assets:
        # the hashed name's file, as whitenoise serves it compressed
        plain = re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", asset)
        total += len(gzip.compress(open(finders.find(plain), "rb").read()))
    assert total < 60_000, total


def test_the_platform_page_says_how_to_tell_the_platforms_apart(client, shipped):
    page = client.get("/guides/ns0023/v1/").content.decode()
    for platform in shipped_guides()["ns0023"].platforms:
        assert platform.hint.replace("'", "&#x27;") in page
    assert 'aria-describedby="hint-expensify-classic"' in page
