"""The home page's filter narrows the list as a person types, keeps the words in the URL, and Back undoes it."""


def test_typing_narrows_the_list_in_place(page, server):
    page.goto(server + "/")
    page.evaluate("window.notReloaded = true")
    everything = page.locator("#guide-list .guide-link").count()
    page.get_by_label("Find a guide by its code or words").fill("ns0023")
    page.wait_for_url("**/?q=ns0023")
    page.locator("#guide-list .found").wait_for()
    shown = page.locator("#guide-list .guide-link").all_inner_texts()
    assert len(shown) == 1 and shown[0].startswith("NS0023")
    assert page.evaluate("window.notReloaded === true") and everything > 60
    page.go_back()
    page.wait_for_function(f"document.querySelectorAll('#guide-list .guide-link').length === {everything}")
