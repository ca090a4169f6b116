def test_suggestions_appear_while_typing_and_lead_to_the_guide(page, server):
    page.goto(server + "/")
    page.get_by_label("Paste the error message").press_sequentially("Failed to login to NetSuite", delay=20)
    suggestion = page.locator("#suggestions").get_by_role("link")
    suggestion.wait_for()
    assert suggestion.inner_text() == "NS0109: NetSuite rejects the Workspace's login"
    suggestion.click()
    page.wait_for_url("**/guides/ns0109/v1/")
    assert page.locator("h1").inner_text() == "Where do you see this error?"


def test_pasting_a_message_that_names_the_app_skips_the_platform_question(page, server):
    page.goto(server + "/")
    page.get_by_label("Paste the error message").fill(
        "Cashflow360: Oracle NetSuite Sync Error: Sync didn't finish successfully! Your login credentials are invalid/expired")
    page.get_by_role("button", name="Find the fix").click()
    page.wait_for_url("**/guides/login-credentials/v1/cashflow360/")
    assert page.locator("h1").inner_text() == "Are the NetSuite login credentials saved in the sync still correct and current?"


def test_an_error_with_no_guide_says_so_and_offers_the_nearest(new_page, server):
    page = new_page(javascript=False)
    page.goto(server + "/error/NS0244/?message=Permission error encountered when querying NetSuite for Classification")
    assert page.locator("h1").inner_text() == "No guide for NS0244 yet"
    assert "NS0384" in page.locator(".guides").first.inner_text()
