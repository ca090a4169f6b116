import re

import pytest

# Each shipped guide, the answers a user clicks (a list is the checklist items to tick), and the
# solution they lead to. Text that only one platform's steps hold tells the platforms apart.
WALKS = {
    "ns0109": (
        ["Nothing I know of, or I'm not sure", "Yes, and the account is active", "The token is tied to a different role"],
        "Create a new access token and give it to the Workspace",
    ),
    "ns0565": (["Expensify Integration", "One of them is listed with less than Full"],
               "Clear the global permissions that override the role"),
    "ns0384": (["The right user, and the role is Expensify Integration", ["Classes"]], "Set the list permissions you found"),
    "login-credentials": (
        ["Yes, they are correct and current", "Yes, it has subsidiaries", "No, or I'm not sure"],
        "Connect the sync again with the subsidiary ID",
    ),
}
EXPENSIFY = {"New Expensify on the web": "navigation tabs on the left", "New Expensify mobile app": "navigation tabs at the bottom",
             "Expensify Classic": "go to Settings, select Workspaces"}
# ns0109's Classic article writes the way to the Workspace as a path, its own steps say it so.
PLATFORMS = {"ns0109": EXPENSIFY | {"Expensify Classic": "go to Settings > Workspaces"}, "ns0565": EXPENSIFY,
             "ns0384": EXPENSIFY,
             "login-credentials": {"Bill.com": "In Bill.com", "Cashflow360": "In Cashflow360"}}
CASES = [(slug, platform) for slug in WALKS for platform in PLATFORMS[slug]]


def answer(page, what) -> None:
    if isinstance(what, list):
        for label in what:
            page.get_by_label(label).check()
        page.get_by_role("button", name="Continue").click()
    else:
        page.locator(".choices").get_by_role("link", name=what, exact=True).click()


def walk(page, server, slug, platform, javascript=True) -> list[str]:
    """Walk a guide from its start to its solution; return the URLs seen."""
    page.goto(f"{server}/guides/{slug}/")
    if javascript:
        page.evaluate("window.notReloaded = true")
    urls = [page.url]
    for what in [platform] + WALKS[slug][0]:
        heading = page.locator("h1").inner_text()
        answer(page, what)
        if javascript:
            page.wait_for_function("([url, h]) => location.href !== url && document.querySelector('h1').innerText !== h",
                                   arg=[urls[-1], heading])
            assert page.evaluate("window.notReloaded === true"), "the step was a full page load, not a swap"
        else:  # a full page load: wait for it to finish rather than poll a page that is going away
            page.wait_for_url(lambda url, before=urls[-1]: url != before)
            assert page.locator("h1").inner_text() != heading
        urls.append(page.url)
    return urls


def shows_solution_for(page, slug, platform) -> None:
    assert page.locator("h1").inner_text() == WALKS[slug][1]
    steps = page.locator("ol.instructions").inner_text()
    for name, marker in PLATFORMS[slug].items():
        assert (marker in steps) == (name == platform), f"{marker!r} on the {platform} page"


@pytest.mark.parametrize(("slug", "platform"), CASES)
def test_walk_swaps_steps_in_place(page, server, slug, platform):
    urls = walk(page, server, slug, platform)
    assert len(set(urls)) == len(urls)
    shows_solution_for(page, slug, platform)
    assert page.locator("#step h1").evaluate("h => document.activeElement === h")


@pytest.mark.parametrize(("slug", "platform"), CASES)
def test_walk_without_javascript(new_page, server, slug, platform):
    page = new_page(javascript=False)
    urls = walk(page, server, slug, platform, javascript=False)
    assert len(set(urls)) == len(urls)
    shows_solution_for(page, slug, platform)
    assert page.locator("#step-link").is_visible() and not page.locator("[data-copy]").first.is_visible()  # copy by hand


def test_back_and_forward_after_swaps(page, server):
    urls = walk(page, server, "ns0384", "New Expensify mobile app")
    page.go_back()
    page.wait_for_url(urls[-2])
    assert page.locator("h1").inner_text() == "Are the role's list permissions set to these levels?"
    page.go_back()
    page.wait_for_url(urls[-3])
    assert page.locator("h1").inner_text() == "What does the access token show as its User and Role?"
    page.go_forward()
    page.wait_for_url(urls[-2])
    page.go_forward()
    page.wait_for_url(urls[-1])
    assert page.locator("h1").inner_text() == "Set the list permissions you found"


def test_changing_an_earlier_answer_from_the_trail(page, server):
    walk(page, server, "ns0109", "New Expensify on the web")
    page.locator(".trail li").filter(has_text="Has anything about the NetSuite login").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/expensify-web/$"))
    assert page.locator("h1").inner_text() == "Has anything about the NetSuite login changed lately?"
    answer(page, "The admin password was changed")
    page.wait_for_url(re.compile(r"/expensify-web/password/$"))
    assert page.locator("h1").inner_text() == "Save the current credentials in the Workspace"
    assert page.locator(".trail").inner_text().count("Change") == 2  # the platform and the new answer


def test_copied_link_opens_the_same_step_in_a_fresh_browser(new_page, server):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    walk(page, server, "login-credentials", "Cashflow360")
    page.get_by_role("button", name="Copy link").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url
    fresh = new_page()
    fresh.goto(copied)
    assert fresh.locator("h1").inner_text() == page.locator("h1").inner_text()
    assert fresh.locator("ol.instructions").inner_text() == page.locator("ol.instructions").inner_text()


def test_screen_readers_hear_the_new_step(page, server):
    walk(page, server, "ns0565", "New Expensify on the web")
    assert page.locator("#announcer").get_attribute("aria-live") == "polite"
    assert page.locator("#announcer").inner_text() == "Step 3 of at most 4."  # ns0565 no longer asks about Accounts
