"""How much work a new guide is: an author builds a small NS0126 guide from an empty admin, previews and
publishes it, and a user walks it on both platforms. Every page load, click, typed field and save is counted."""

from dataclasses import dataclass, field

from playwright.sync_api import expect

ERROR = "NS0126 Sync Error: Login Error. Please make sure that the Expensify integration is enabled in NetSuite."
WEB, MOBILE = "Expensify on the web", "Expensify on mobile"


@dataclass
class Work:
    """What a person did: page loads (main frame), clicks (menus and checkboxes too), typed fields and saves."""

    loads: int = 0
    clicks: int = 0
    typed: int = 0
    saves: int = 0
    pages: set = field(default_factory=set)

    def watch(self, page):
        page.on("load", lambda p: (setattr(self, "loads", self.loads + 1), self.pages.add(p.url.split("?")[0])))
        return page

    def click(self, locator, save=False):
        self.clicks += 1
        self.saves += save
        locator.click()
        locator.page.wait_for_load_state()

    def fill(self, locator, value: str):
        self.typed += 1
        locator.fill(value)

    def choose(self, locator, label: str):
        self.clicks += 1
        locator.select_option(label=label)

    def check(self, locator):
        self.clicks += 1
        locator.check()


def new_row(work: Work, page, group: str):
    """Click "Add another …" in an inline group; the new row."""
    box = page.locator(f"#{group}-group")
    work.click(box.locator(".add-row a"))
    return box.locator(f".dynamic-{group}").last


def field_of(row, name: str):
    return row.locator(f"[name$='-{name}']")


def user_walks_both_platforms(work: Work, user, server):
    """A user pastes the error, walks to the web fix, then switches to mobile and walks to the escalation."""
    # A publish reaches every worker within NEWEST_VERSION_SECONDS (5 s); before that a worker that has not
    # heard of the guide says honestly that there is none yet. The user comes a little later.
    user.wait_for_timeout(5500)
    user.goto(server + "/")
    work.fill(user.get_by_label("Paste the error message"), ERROR)
    work.click(user.get_by_role("button", name="Find the fix"))
    user.wait_for_url("**/guides/ns0126/v1/")
    work.click(user.get_by_role("link", name=WEB))
    work.click(user.get_by_role("link", name="No, it is disabled"))
    expect(user.locator("h1")).to_have_text("Enable the Expensify integration")
    assert user.locator("ol.instructions li").all_inner_texts() == [
        "Open Setup > Integrations > Manage Integrations.", "Tick Enabled for Expensify, then click Sync Now on the web."]
    work.click(user.get_by_role("link", name=MOBILE))
    expect(user.locator("nav.platforms strong")).to_have_text(MOBILE)
    assert user.locator("ol.instructions li").all_inner_texts() == [
        "Open Setup > Integrations > Manage Integrations.", "Tick Enabled for Expensify, then pull down to sync in the app."]
    work.click(user.get_by_role("link", name="No, the error is still there"))
    expect(user.locator("h1")).to_have_text("Ask Concierge")


def report(work: Work, who: str) -> str:
    return f"{who}: {work.loads} page loads, {work.clicks} clicks, {work.typed} typed fields, {work.saves} saves"


GUIDE = {"Title": "NS0126: Login error: the Expensify integration is not enabled", "Codes": "NS0126", "Error": ERROR,
         "Messages": "Login Error. Please make sure that the Expensify integration is enabled in NetSuite."}
QUESTION = "Is the Expensify integration enabled in NetSuite?"
ANSWERS = [("No, it is disabled", "Solution", "Enable the Expensify integration"),
           ("Yes, it is enabled", "Solution", "Reinstall the Expensify bundle"),
           ("I can't tell", "Escalation", "Ask Concierge")]
INSTRUCTIONS = {
    "Enable the Expensify integration": [("Open **Setup > Integrations > Manage Integrations**.", ""),
                                         ("Tick **Enabled** for Expensify, then click **Sync Now** on the web.", WEB),
                                         ("Tick **Enabled** for Expensify, then pull down to sync in the app.", MOBILE)],
    "Reinstall the Expensify bundle": [("Reinstall the bundle, then click **Sync Now** on the web.", WEB),
                                       ("Reinstall the bundle, then pull down to sync in the app.", MOBILE)],
}


def preview_and_publish(work: Work, page):
    """From the preview's platform page: walk the draft on the web, then publish it."""
    page.wait_for_url("**/preview/")
    work.click(page.get_by_role("link", name=WEB))
    work.click(page.get_by_role("link", name="No, it is disabled"))
    expect(page.locator("h1")).to_have_text("Enable the Expensify integration")


# Measured on the admin before slugs were filled from titles, nodes made from their parent and "Save and edit
# the next node to fix": the same guide, previewed, published and walked, took this many page loads.
BEFORE = {"loads": 16, "clicks": 49, "typed": 32, "saves": 5}


def test_building_a_small_guide_takes_few_pages(author_page, new_page, server):
    """Slugs come from titles, a question's answers make their nodes, and each save opens the next node to fix."""
    work = Work()
    page = work.watch(author_page)
    work.click(page.locator("tr.model-guide a.addlink"))
    for label, value in GUIDE.items():
        work.fill(page.get_by_label(label), value)
    assert page.get_by_label("Slug").input_value() == "ns0126-login-error-the-expensify-integration-is-not"[:50]
    work.fill(page.get_by_label("Slug"), "ns0126")  # still editable: a short one reads better in links
    for name in (WEB, MOBILE):
        row = new_row(work, page, "platforms")
        work.fill(field_of(row, "name"), name)
        work.fill(field_of(row, "support"), "Concierge")
    row = new_row(work, page, "nodes")
    work.fill(field_of(row, "title"), QUESTION)
    work.choose(field_of(row, "kind"), "Question")
    work.check(field_of(row, "is_start"))
    next_node = page.get_by_role("button", name="Save and edit the next node to fix")
    work.click(next_node, save=True)

    assert page.locator("#id_title").input_value() == QUESTION
    for label, kind, title in ANSWERS:
        row = new_row(work, page, "choices")
        work.fill(field_of(row, "label"), label)
        work.choose(field_of(row, "new_kind"), kind)
        work.fill(field_of(row, "new_title"), title)
    work.click(next_node, save=True)

    for title in INSTRUCTIONS:
        assert page.locator("#id_title").input_value() == title
        work.choose(page.get_by_label("If not fixed"), "ask-concierge: Ask Concierge")
        for text, platform in INSTRUCTIONS[title]:
            row = new_row(work, page, "instructions")
            work.fill(field_of(row, "text"), text)
            if platform:
                work.choose(field_of(row, "platform"), platform)
        last = title == "Reinstall the Expensify bundle"
        work.click(page.get_by_role("button", name="Save and preview") if last else next_node, save=True)
    assert page.locator(".errornote").count() == 0

    preview_and_publish(work, page)
    work.fill(page.get_by_label("Change note"), "First version")  # publish from the preview itself
    work.click(page.get_by_role("button", name="Publish this draft"), save=True)
    page.wait_for_url("**/versions/")
    assert "Published “NS0126" in page.locator(".messagelist").inner_text()
    author = report(work, "author")
    user = work.watch(new_page())
    user_walks_both_platforms(work, user, server)
    print(author, "|", report(work, "with the user"), "| before:", BEFORE)
    assert work.loads <= BEFORE["loads"] // 2, report(work, "all")
    assert work.clicks < BEFORE["clicks"] and work.typed < BEFORE["typed"]
