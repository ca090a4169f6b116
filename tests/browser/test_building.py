"""How much work a new guide is: an author builds a small NS0123 guide from an empty admin, previews and
publishes it, and a user walks it on both platforms. Every page load, click, typed field and save is counted."""

from dataclasses import dataclass, field

from playwright.sync_api import expect

ERROR = "NS0123 Sync Error: Login Error. Please make sure that the Expensify integration is enabled in NetSuite."
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
    user.goto(server + "/")
    work.fill(user.get_by_label("Paste the error message"), ERROR)
    work.click(user.get_by_role("button", name="Find the fix"))
    user.wait_for_url("**/guides/ns0123/v1/")
    work.click(user.get_by_role("link", name=WEB))
    work.click(user.get_by_role("link", name="No, it is disabled"))
    expect(user.locator("h1")).to_have_text("Enable the Expensify integration")
    assert user.locator("ol.instructions li").all_inner_texts() == [
        "Open Setup > Integrations > Manage Integrations.", "Tick Enabled for Expensify, then click Sync Now on the web."]
    work.click(user.get_by_role("link", name=MOBILE))
    user.wait_for_url("**/expensify-mobile/*/")
    assert user.locator("ol.instructions li").all_inner_texts() == [
        "Open Setup > Integrations > Manage Integrations.", "Tick Enabled for Expensify, then pull down to sync in the app."]
    work.click(user.get_by_role("link", name="No, the error is still there"))
    expect(user.locator("h1")).to_have_text("Ask Concierge")


def report(work: Work, who: str) -> str:
    return f"{who}: {work.loads} page loads, {work.clicks} clicks, {work.typed} typed fields, {work.saves} saves"


GUIDE = {"Title": "NS0123: Login error: the Expensify integration is not enabled", "Codes": "NS0123", "Error": ERROR,
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


def test_building_a_guide_in_the_admin_of_before(author_page, new_page, server):
    """The admin as it was: every slug typed, nodes made on the guide's page, each node opened, saved and left."""
    work = Work()
    page = work.watch(author_page)
    work.click(page.locator("tr.model-guide a.addlink"))
    work.fill(page.get_by_label("Slug"), "ns0123")
    for label, value in GUIDE.items():
        work.fill(page.get_by_label(label), value)
    for slug, name in (("expensify-web", WEB), ("expensify-mobile", MOBILE)):
        row = new_row(work, page, "platforms")
        for key, value in (("slug", slug), ("name", name), ("support", "Concierge")):
            work.fill(field_of(row, key), value)
    nodes = [("integration-enabled", "Question", QUESTION), ("enable", *ANSWERS[0][1:]), ("reinstall", *ANSWERS[1][1:]),
             ("escalate", *ANSWERS[2][1:])]
    for slug, kind, title in nodes:
        row = new_row(work, page, "nodes")
        work.fill(field_of(row, "slug"), slug)
        work.choose(field_of(row, "kind"), kind)
        work.fill(field_of(row, "title"), title)
        if kind == "Question":
            work.check(field_of(row, "is_start"))
    work.click(page.get_by_role("button", name="Save and continue editing"), save=True)

    def open_node(slug):
        work.click(page.locator(".inline-related tr").filter(has=page.locator(f"input[value='{slug}']"))
                   .get_by_role("link", name="Change"))

    open_node("integration-enabled")
    for (label, _, title), (slug, *_) in zip(ANSWERS, nodes[1:]):
        row = new_row(work, page, "choices")
        work.fill(field_of(row, "slug"), slug)
        work.fill(field_of(row, "label"), label)
        work.choose(field_of(row, "next"), f"{slug}: {title}")
    work.click(page.get_by_role("button", name="Save and continue editing"), save=True)
    for slug, title in (("enable", ANSWERS[0][2]), ("reinstall", ANSWERS[1][2])):
        work.click(page.get_by_role("link", name="Back to"))
        open_node(slug)
        work.choose(page.get_by_label("If not fixed"), "escalate: Ask Concierge")
        for text, platform in INSTRUCTIONS[title]:
            row = new_row(work, page, "instructions")
            work.fill(field_of(row, "text"), text)
            if platform:
                work.choose(field_of(row, "platform"), platform)
        work.click(page.get_by_role("button", name="Save and continue editing"), save=True)
        assert page.locator(".errornote").count() == 0
    work.click(page.get_by_role("link", name="Preview the draft"))
    preview_and_publish(work, page)
    work.click(page.get_by_role("link", name="Back to the guide in the admin"))
    work.click(page.get_by_role("link", name="Publish…").first)
    work.fill(page.get_by_label("Change note"), "First version")
    work.click(page.get_by_role("button", name="Publish"), save=True)
    page.wait_for_url("**/versions/")
    author = report(work, "author")
    user = work.watch(new_page())
    user_walks_both_platforms(work, user, server)
    print(author, "|", report(work, "with the user"), "|", len(work.pages), "admin and wizard pages")
