"""The wizard's pages that `make bench` drives, and the check that each is the page it is named for.

The step pages are paths through the shipped guides (fixtures/ns0109.yaml, fixtures/ns0384.yaml) and
the generated ones. Before any timing, each path is walked in its guide and fetched from the server:
if a guide changes so that a path reaches another kind of page, the run stops and says which.
"""

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import NoReturn
from pathlib import Path

from django.conf import settings

from benchmarks.generated import deepest_question, guide_document
from troubleshoot import document
from troubleshoot.engine import WrongAnswer, walk
from troubleshoot.guide import Guide

SCRIPTS = Path(__file__).resolve().parent
PLATFORM = "expensify-web"  # of both shipped guides


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # from the server's root
    script: Path | None = None  # wrk's Lua script: how the request differs from a plain GET
    headers: dict = field(default_factory=dict)  # the same difference, for the check and the warm-up
    step: tuple = ()  # for a step: (guide, answers, the kind of page its answers reach)


def step(name: str, guide: str, version: int, platform: str, answers: str, kind: str, htmx: bool = False) -> Page:
    path = f"/guides/{guide}/v{version}/{platform}/{answers}/"
    if htmx:
        return Page(name, path, SCRIPTS / "htmx.lua", {"HX-Request": "true"}, (guide, answers, kind))
    return Page(name, path, step=(guide, answers, kind))


def api_step(name: str, guide: str, version: int, platform: str, answers: str, kind: str) -> Page:
    """The same state as a step page, asked of the JSON API."""
    return Page(name, f"/api/v1/guides/{guide}/{version}/{platform}?answers={answers}", step=(guide, answers, kind))


def deepest(size: int) -> Page:
    # `make bench` publishes each generated guide twice, so version 2 is the newest.
    answers = "/".join(deepest_question(size))
    return step(f"{size:,}-node guide, deepest question", f"generated-{size}", 2, "web", answers, "question")


PAGES = [
    Page("home page", "/"),
    step("question step", "ns0109", 1, PLATFORM, "unsure", "question"),
    step("checklist step", "ns0384", 1, PLATFORM, "correct", "checklist"),
    step("solution step", "ns0109", 1, PLATFORM, "password", "solution"),
    step("fixed page", "ns0109", 1, PLATFORM, "password/fixed", "fixed"),
    step("escalation page", "ns0109", 1, PLATFORM, "token/not-fixed", "escalation"),
    Page("paste match", "/find/", SCRIPTS / "paste.lua"),
    step("htmx fragment", "ns0109", 1, PLATFORM, "unsure/yes", "question", htmx=True),
    api_step("API question step", "ns0109", 1, PLATFORM, "unsure", "question"),
    api_step("API solution step", "ns0109", 1, PLATFORM, "password", "solution"),
    deepest(10),
    deepest(5000),
]


def walk_under_way(cookie: str, folder: Path) -> Page:
    """The question step again, for a browser whose walk has begun: it sends its run cookie, so no new
    run is made and no cookie is set. (Every other step above is a new walk: wrk sends no cookie.)"""
    script = folder / "walk-under-way.lua"
    script.write_text(f'wrk.headers["Cookie"] = "run={cookie}"\n')
    question = next(page for page in PAGES if page.name == "question step")
    return Page("question step, walk under way", question.path, script, {"Cookie": f"run={cookie}"}, question.step)


HAND_OFF_FORM = re.compile(r'<form class="hand-off[^"]*" method="post" action="([^"]+)">\s*'
                           r'<input type="hidden" name="step" value="([^"]+)">\s*'
                           r'<input type="hidden" name="token" value="([^"]+)">')


def hand_off(server: str, folder: Path) -> Page:
    """The escalation page's "Send my answers to support", as a browser sends it. wrk sends the one form
    again and again: the first POST writes the run's reference; each later one finds the run handed over
    and writes nothing, as a person pressing the button twice or reloading gets."""
    escalation = next(page for page in PAGES if page.name == "escalation page")
    with urllib.request.urlopen(server + escalation.path) as response:
        found = HAND_OFF_FORM.search(response.read().decode())
    if not found:
        fail(escalation, "has no hand-off form")
    action, step, token = (html.unescape(v) for v in found.groups())
    form = urllib.parse.urlencode({"step": step, "token": token})
    script = folder / "hand-off.lua"
    script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                      f'wrk.headers["Sec-Fetch-Site"] = "same-origin"\nwrk.body = "{form}"\n')
    return Page("hand-off POST", action, script)


def every_first_step() -> list[str]:
    """The first step of every shipped guide on each of its platforms."""
    folder = settings.BASE_DIR / "fixtures"
    parts = document.read_parts((folder / document.PARTS_FILE).read_bytes())
    return [f"/guides/{g.slug}/v1/{p.slug}/" for g in (document.read(f.read_bytes(), parts)
                                                        for f in document.shipped_files(folder)) for p in g.platforms]


def guide(slug: str) -> Guide:
    if slug.startswith("generated-"):
        return document.check(guide_document(int(slug.removeprefix("generated-"))))
    folder = settings.BASE_DIR / "fixtures"
    return document.read((folder / f"{slug}.yaml").read_bytes(), document.read_parts((folder / document.PARTS_FILE).read_bytes()))


def fail(page: Page, why: str) -> NoReturn:
    raise SystemExit(f"make bench: the {page.name} ({page.path}) {why}")


def check(server: str, page: Page) -> None:
    """Stop the run unless `page` is what it is named for: a 200 of that kind (a 302 to its guide for a paste)."""
    if page.path == "/find/":
        return check_paste(server, page)
    if page.path.endswith("/handoff/"):
        return check_hand_off(server, page)
    if page.step:
        slug, answers, kind = page.step
        try:
            reached = walk(guide(slug), answers.split("/"))
        except WrongAnswer as wrong:
            fail(page, f"no longer fits the guide {slug}: {wrong}")
        found = "fixed" if reached.fixed else reached.node.kind
        if found != kind:
            fail(page, f"now reaches a '{found}' page ({reached.node.slug} in {slug}), not a '{kind}' one: "
                       "choose other answers in benchmarks/pages.py")
    try:
        with urllib.request.urlopen(urllib.request.Request(server + page.path, headers=page.headers)) as response:
            body = response.read().decode()
    except urllib.error.HTTPError as error:
        fail(page, f"answered {error.code}, not 200")
    if page.path.startswith("/api/"):
        if json.loads(body)["node"] != reached.node.slug:
            fail(page, f"does not give the '{kind}' step {reached.node.slug}")
        return
    if not page.step:
        if 'name="error"' not in body:
            fail(page, "has no box to paste an error into")
        return
    if html.escape(reached.node.title) not in body or (kind == "fixed") != ('data-announce="Fixed."' in body):
        fail(page, f"does not show the '{kind}' page of {reached.node.slug}")
    if ("<html" in body) == ("HX-Request" in page.headers):
        fail(page, "is a whole page where htmx asks for the step alone, or the other way round")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def post_as_script(server: str, page: Page) -> tuple[int, str]:
    """Send the form the page's Lua script sends, as a browser on the wizard's own page; (status, Location)."""
    form = re.search(r'wrk\.body = "([^"]*)"', page.script.read_text()).group(1)
    request = urllib.request.Request(server + page.path, data=form.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})
    try:
        with urllib.request.build_opener(NoRedirect).open(request) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as error:  # a redirect NoRedirect did not follow, or an error
        return error.code, error.headers.get("Location", "")


def check_paste(server: str, page: Page) -> None:
    """Send what paste.lua sends; it must open the pasted error's guide."""
    status, location = post_as_script(server, page)
    if status != 302 or not location.startswith("/guides/ns0109/"):
        fail(page, f"answered {status} {location}, not a redirect to ns0109")


def check_hand_off(server: str, page: Page) -> None:
    """Send what hand-off.lua sends; it must lead to the escalation page with its reference."""
    status, location = post_as_script(server, page)
    if status != 303 or "?handed=" not in location:
        fail(page, f"answered {status} {location}, not a 303 to the handed page")
