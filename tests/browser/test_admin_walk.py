"""A publisher's and an agent's day in Chromium, through what issue 13 found broken: import as a
draft, publish, see what the draft changed word by word, roll back after a question, retire,
missing guides by code, references however typed, and the admin's own pages."""

import re

import yaml
from playwright.sync_api import expect

from troubleshoot import document

from ..conftest import small_document

SLUG = "walk-through"


def guide_file(tmp_path) -> str:
    doc = document.as_data(document.check(small_document(slug=SLUG, title="A walk-through guide", codes=["NS0777"],
                                                         error="NS0777 Sync Error: A walk-through error.")))
    path = tmp_path / f"{SLUG}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return str(path)


def test_a_publisher_imports_publishes_compares_rolls_back_and_retires(author_page, new_page, server, tmp_path):
    page = author_page
    page.goto(server + "/admin/troubleshoot/guide/import/")
    expect(page.locator("nav ol.breadcrumbs")).to_contain_text("Guides")  # the admin's own breadcrumbs
    page.set_input_files("input[type=file]", guide_file(tmp_path))
    page.get_by_role("button", name="Import as a draft").click()
    expect(page.locator(".messagelist").first).to_contain_text("draft")
    visitor = new_page()
    visitor.goto(server + "/")
    assert "A walk-through guide" not in visitor.content()  # a draft is not published

    page.get_by_role("link", name="Publish…").first.click()
    page.get_by_label("Change note").fill("First version")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/versions/")

    page.goto(server + "/admin/troubleshoot/guide/")
    page.get_by_role("link", name="A walk-through guide").click()
    guide_url = page.url
    page.get_by_role("link", name="ask", exact=True).first.click()  # the outline's link to the question
    page.get_by_label("Title").fill("Is it plugged in at the wall?")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(guide_url)
    expect(page.locator(".draft-state")).to_contain_text("Unpublished changes")
    page.locator(".draft-compare summary").click()
    expect(page.locator(".draft-compare ins").first).to_have_text("in at the wall?")  # "in?" became these words

    page.get_by_role("link", name="Preview the draft").click()
    page.get_by_label("Change note").fill("Plugged in at the wall")
    page.get_by_role("button", name="Publish this draft").click()
    page.wait_for_url("**/versions/")
    page.locator("table.versions summary").first.click()
    expect(page.locator("table.versions del").first).to_have_text("in?")  # what version 2 changed, word by word

    page.get_by_role("button", name="Publish this version again").first.click()  # version 1
    expect(page.locator("h1")).to_contain_text("Publish version 1")  # a question first, nothing done yet
    page.get_by_role("button", name="Publish version 1 again").click()
    expect(page.locator(".messagelist").first).to_contain_text("as version 3")

    page.goto(guide_url)
    page.get_by_role("link", name="Retire…").click()
    page.get_by_role("button", name="Retire this guide").click()
    expect(page.locator(".messagelist").first).to_contain_text("Retired")
    visitor.goto(server + "/")
    assert "A walk-through guide" not in visitor.content()
    visitor.goto(server + f"/guides/{SLUG}/v1/web/")
    expect(visitor.locator("main")).to_contain_text("retired")  # old links still open, and say so


def test_missing_guides_by_code_and_an_agent_finding_a_reference_however_typed(author_page, new_page, server):
    visitor = new_page()
    for text in ("NS0778 Sync Error: Something odd.", "NS0778 Sync Error: Something odd.", "NS0778: Odd, said otherwise"):
        visitor.goto(server + "/")
        visitor.get_by_label("Paste the error message").fill(text)
        visitor.get_by_role("button", name="Find the fix").click()
    page = author_page
    page.goto(server + "/admin/troubleshoot/missingpaste/")
    row = page.locator("tr", has_text="NS0778")
    expect(row).to_have_count(1)  # one row for the code, its wordings under it
    expect(row.locator("td.field-total_count")).to_have_text("3")

    customer = new_page()
    customer.goto(server + "/guides/login-credentials/v1/bill-com/yes/no/yes/no/")
    customer.get_by_role("button", name="Get a reference").click()  # reaching the page hands nothing over
    reference = re.search(r"Your reference: (\S{5}-\S{5})", customer.locator(".reference").inner_text()).group(1)
    page.goto(server + "/agent/")
    page.get_by_label("Reference").fill("reference: " + reference.replace("-", "").lower())
    page.get_by_role("button", name="Open it").click()
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.get_by_role("link", name=re.compile("guide", re.I)).first).to_be_visible()

    page.goto(server + "/admin/troubleshoot/guide/")
    page.get_by_role("link", name=re.compile("^NS0384")).click()
    page.get_by_role("link", name="Analytics").click()
    expect(page.locator(".analytics-period")).to_contain_text("Runs that began from")
    expect(page.get_by_role("heading", name=re.compile("Over time"))).to_be_visible()
