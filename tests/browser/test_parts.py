"""A publisher edits a shared part once, republishes the guides that include it, and users see the new text."""

import time

NEW_TEXT = "Export it to NetSuite again from the report's Export menu."


def test_a_part_edited_once_reaches_every_guide_that_includes_it_when_republished(author_page, new_page, server):
    user = new_page(javascript=False)
    user.goto(server + "/guides/ns0029/v1/expensify-web/")
    assert "Export it to NetSuite again." in user.locator("ol.instructions").inner_text()

    page = author_page
    page.goto(server + "/admin/troubleshoot/part/")
    page.get_by_role("link", name="retry-export").click()
    used = page.locator("fieldset", has_text="Guides that include it").inner_text()
    assert "NS0029" in used and "This text (version 1)" in used
    page.locator("#instructions-group textarea[name$='-text']").nth(1).fill(NEW_TEXT)
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    assert "Users still see the old text in" in page.locator(".messagelist").inner_text()
    assert "Older text (version 1)" in page.locator("fieldset", has_text="Guides that include it").inner_text()

    page.get_by_role("link", name="Republish the guides that include it").click()
    assert "version 1 becomes version 2" in page.locator("#content").inner_text()
    page.get_by_role("button", name="Republish").click()
    page.wait_for_load_state()
    assert "ns0029 as version 2" in page.locator(".messagelist").inner_text()

    # The other worker may trust its idea of the newest version for NEWEST_VERSION_SECONDS (5 s).
    deadline = time.monotonic() + 10
    while user.goto(server + "/guides/ns0029/") and not user.url.endswith("/ns0029/v2/"):
        assert time.monotonic() < deadline, "version 2 was never served"
        time.sleep(0.5)
    user.get_by_role("link", name="Expensify Classic").click()
    assert NEW_TEXT in user.locator("ol.instructions").inner_text()
    user.goto(server + "/guides/ns0029/v1/expensify-classic/")  # a link made before keeps its text
    assert NEW_TEXT not in user.locator("ol.instructions").inner_text()
