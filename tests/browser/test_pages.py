"""Every kind of page at phone and desktop width, by keyboard, in print, and through axe-core."""

import re

import pytest

from .conftest import AXE, DESKTOP, PHONE, log_in

PAGES = {
    "home": "/",
    "platform": "/guides/login-credentials/v1/",
    "question": "/guides/ns0109/v1/expensify-web/unsure/",
    "checklist": "/guides/ns0384/v1/expensify-mobile/correct/",
    "solution": "/guides/ns0384/v1/expensify-mobile/correct/accounts+vendors/",
    "escalation": "/guides/login-credentials/v1/cashflow360/yes/no/yes/no/",
    "fixed": "/guides/ns0565/v1/expensify-web/other/fixed/",
    "not found": "/guides/ns0109/v1/expensify-web/bogus/",
}
# What a finger presses: links set in running text are exempt (WCAG 2.5.5's inline exception),
# and a checkbox is pressed through its label, which holds the whole row.
CONTROLS = "a:not(p a):not(li > p a):not(.skip), button:not([hidden]), input:not(.check input), textarea, label.check"


def open_page(page, server, name):
    if name == "no guide":
        page.goto(server + "/")
        page.get_by_label("Paste the error message").fill("NS0999 Sync Error: a code that no guide documents")
        page.get_by_role("button", name="Find the fix").click()
        page.wait_for_url("**/find/")
    else:
        page.goto(server + PAGES[name])


ALL = list(PAGES) + ["no guide"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("name", ALL)
def test_nothing_scrolls_sideways_and_targets_are_large(new_page, server, name, viewport):
    page = new_page(viewport=viewport)
    open_page(page, server, name)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.locator(CONTROLS).evaluate_all(
        """els => els.filter(e => e.offsetParent !== null)
                     .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
                     .filter(([, r]) => r.height < 44 || r.width < 44)
                     .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert small == []


@pytest.mark.parametrize("name", ALL)
def test_headings_in_order_with_one_h1(page, server, name):
    open_page(page, server, name)
    levels = page.locator("h1, h2, h3, h4").evaluate_all("hs => hs.map(h => Number(h.tagName[1]))")
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
              values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})"""
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical") or v["id"] in ("label", "heading-order", "page-has-heading-one")
    ]
    return serious


@pytest.mark.parametrize("name", ALL)
def test_no_serious_accessibility_violations(new_page, server, name):
    page = new_page(bypass_csp=True)  # axe is injected by the test, so our CSP would block it
    open_page(page, server, name)
    assert serious_violations(page) == []


def test_admin_preview_has_no_serious_accessibility_violations(new_page, server):
    page = log_in(new_page(bypass_csp=True), server)
    page.goto(server + "/admin/troubleshoot/guide/")
    page.get_by_role("link", name=re.compile("^NS0384")).click()
    page.get_by_role("link", name="Preview the draft").click()
    page.get_by_role("link", name="Expensify on the web").click()
    page.wait_for_url("**/preview/expensify-web/")
    assert "Preview of the unpublished draft" in page.locator(".preview").inner_text()
    assert serious_violations(page) == []


def test_keyboard_alone_walks_a_guide(page, server):
    page.goto(server + "/guides/ns0384/v1/expensify-web/")

    def tab_to(text: str) -> None:
        for _ in range(40):
            page.keyboard.press("Tab")
            if text in page.evaluate("document.activeElement.innerText || document.activeElement.value || ''"):
                return
        raise AssertionError(f"Tab never reached {text!r}")

    tab_to("The right user, and the role is Expensify Integration")
    page.keyboard.press("Enter")
    page.wait_for_url("**/correct/")
    assert page.evaluate("document.activeElement.tagName") == "H1"
    for _ in range(40):  # from the heading, Tab to the first box and tick it with Space
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "checkbox":
            break
    page.keyboard.press("Space")
    assert page.locator("input[value=accounts]").is_checked()
    tab_to("Continue")
    page.keyboard.press("Enter")
    page.wait_for_url("**/correct/accounts/")
    assert page.evaluate("document.activeElement.innerText") == "Set the list permissions you found"
    tab_to("Yes, it syncs again")  # the answer comes right after the steps, before the link to share
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/fixed/")
    assert page.locator("h1").inner_text() == "Glad that fixed it"


@pytest.mark.parametrize("name", ["checklist", "solution", "escalation"])
def test_every_control_is_reachable_with_tab(page, server, name):
    page.goto(server + PAGES[name])
    count = page.locator("a[href], button:not([hidden]), input:not([type=hidden]), textarea").evaluate_all(
        "els => els.map((e, i) => e.dataset.control = i).length"
    )
    reached = set()
    for _ in range(count + 5):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.dataset.control"))
    assert reached >= {str(i) for i in range(count)}


def test_solution_prints_steps_without_controls(page, server):
    page.goto(server + PAGES["solution"])
    page.emulate_media(media="print")
    for hidden in ("header.site", ".choices", ".platforms", "[data-copy]", ".progress", ".trail .change"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("ol.instructions").is_visible()
    assert page.locator(".changes").inner_text().count("Set ") == 2
    assert page.locator("#step-link").is_visible()


@pytest.mark.parametrize("path", ["/agent/", "/agent/?q=ns0384", "/agent/guides/ns0384/", "/accounts/login/"])
def test_support_pages_are_accessible_at_phone_width(new_page, server, path):
    page = log_in(new_page(bypass_csp=True, viewport=PHONE), server)
    page.goto(server + path)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []


def test_admin_analytics_page_has_no_serious_accessibility_violations(new_page, server):
    page = log_in(new_page(bypass_csp=True), server)
    page.goto(server + "/admin/troubleshoot/guide/")
    page.get_by_role("link", name=re.compile("^NS0109")).click()
    page.get_by_role("link", name="Analytics").click()
    page.wait_for_url("**/analytics/")
    assert "Download CSV" in page.content()
    assert serious_violations(page) == []


def test_an_agent_logs_out_from_a_support_page(new_page, server):
    page = log_in(new_page(), server)
    page.goto(server + "/agent/guides/ns0384/")
    assert page.locator("ol.instructions li").first.is_visible()  # each solution's steps, not just its title
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(server + "/")
    page.goto(server + "/agent/")
    assert "/accounts/login/" in page.url
