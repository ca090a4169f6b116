"""Thin views: parse the URL, ask the catalogue and the engine, render a full page or, for htmx, the step's partial.

One step, in order (`step` and `walk_view`): the URL's guide version, the walk its answers make,
the run that records it, the page. docs/architecture.md tells the whole flow.
"""

import logging
import re
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, get_script_prefix, resolve, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from . import destinations, listing
from .engine import Walk, WrongAnswer, checklist_answer, walk
from .limits import allow, first_this_minute
from .matching import MAX_TEXT, Match, clean, normalise
from .models import MissingPaste
from .problems import NotFound, shows_not_found, same_site_forms, problem_page, too_many_requests, not_saved
from .published import GuideVersion, NoGuide, NoVersion, catalogue
from .context import Frame, read_frame
from .runs import Recorder, handed_reference, token_for

log = logging.getLogger(__name__)
ANSWER = re.compile(r"^[a-z0-9]+(?:[-+][a-z0-9]+)*$")
MAX_ANSWERS = 200
# Cached pages are the same for everyone; this stands for a walk's own reference, put in per response.
REFERENCE_SLOT = "REFERENCE-SLOT-9d2c"
HAND_OFF_SLOT = "HAND-OFF-SLOT-51ab"  # the hand-off form's token: this browser's run
FRAME_SLOT = "FRAME-SLOT-c07e"  # a frame's own token, in every URL of the frame (embed.py)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# Cached pages


def rendered(key, template: str, context: Callable[[], dict]) -> str:
    """A page the same for everyone, rendered once per key."""
    html = catalogue.pages.get(key)
    if html is None:
        html = render_to_string(template, context())
        catalogue.pages.put(key, html)
    return html


# The home page and finding a guide


@gzip_page  # the longest page, and it holds no secret to guess through compression (BREACH)
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The paste box and the guides by kind; `?q=` narrows the list (a GET form, so it works without JavaScript)."""
    query = " ".join(request.GET.get("q", "").split())[:listing.MAX_QUERY]
    if query:
        found = listing.search(catalogue.newest_guides(), query)
        context = {"origins": listing.by_origin(found), "query": query, "count": len(found)}
        if request.htmx and not request.htmx.history_restore_request:
            response = render(request, "troubleshoot/_guides.html", context)
        else:
            guide_list = mark_safe(render_to_string("troubleshoot/_guides.html", context))
            response = render(request, "troubleshoot/home.html", {"guide_list": guide_list, "query": query})
    elif request.htmx and not request.htmx.history_restore_request:  # the words were cleared: the whole list
        response = HttpResponse(newest_guide_list())
    else:
        newest = catalogue.newest()
        response = HttpResponse(rendered(("home", newest, get_script_prefix()), "troubleshoot/home.html",
                                         lambda: {"guide_list": newest_guide_list()}))
    patch_vary_headers(response, ["HX-Request"])  # one URL, a page or the list
    return response


def newest_guide_list() -> str:
    """Every guide's newest version as links, by kind: rendered once per set of newest versions."""
    key = ("guide list", catalogue.newest(), get_script_prefix())
    html = rendered(key, "troubleshoot/_guides.html", lambda: {"origins": listing.by_origin(catalogue.newest_guides())})
    return mark_safe(html)  # rendered by our own template, which escapes what it shows


@same_site_forms
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """The paste box: open the guide the text belongs to, or say plainly that there is none yet."""
    if request.method == "GET":
        return redirect("troubleshoot:home")
    text = request.POST.get("error", "")
    if not clean(text).strip():
        context = {"guide_list": newest_guide_list(), "paste_problem": "Paste the error message first: the box was empty."}
        return render(request, "troubleshoot/home.html", context, status=400)
    try:
        if not allow(request, "paste"):
            _count_refused(request, text)
            return too_many_requests(request)
        return _open(request, text, catalogue.matcher().match(text))
    except DatabaseError:
        log.warning("could not look a paste up: the database did not answer")
        return not_saved(request, "We couldn't look that up", "The wizard can't reach its data just now. Your text is "
                         "below as you pasted it: send it again in a minute.",
                         {"action": reverse("troubleshoot:find"), "hidden": [], "field": "error", "text": text,
                          "label": "Your error message", "button": "Find the fix"})


def _count_refused(request: HttpRequest, text: str) -> None:
    """A paste refused by the limit still counts in missing guides if it would have opened none (bounded)."""
    if not allow(request, "refused"):
        if first_this_minute(request, "refused"):
            log.warning("a flood of pastes from one client: refused pastes beyond the limit are not counted this minute")
        return
    found = catalogue.matcher().match(text)
    if not found.guide and not found.choices:
        _record(request, text, found.code)


def _record(request: HttpRequest, text: str, code: str) -> None:
    """Count a paste that opened no guide: always on its row if seen before, a new row within the limit."""
    try:
        # /error/ links record too, so a flood of them is bounded here
        if not MissingPaste.objects.record(clean(text), normalise(text), code, lambda: allow(request, "record")):
            if first_this_minute(request, "record"):
                log.warning("new texts with no guide from one client: more than the limit this minute, not recorded")
    except DatabaseError:  # learning what is missing must never cost the user their answer
        log.exception("could not record a paste with no guide")


def error_link(request: HttpRequest, code: str) -> HttpResponse:
    """/error/NS0109/?message=…&platform=…: a link other apps' help buttons can open."""
    message = request.GET.get("message", "")
    found = catalogue.matcher().match(f"{code} {message}")
    platform = request.GET.get("platform", "")
    if found.guide and found.guide.platform(platform):
        found = Match(found.guide, found.code, platform)
    return _open(request, f"{code}: {message}" if message else code, found)


def _open(request: HttpRequest, text: str, found: Match) -> HttpResponse:
    if found.guide:
        newest = catalogue.newest_number(found.guide.slug)
        if found.platform:
            return redirect("troubleshoot:start", guide=found.guide.slug, version=newest, platform=found.platform)
        return redirect("troubleshoot:version", guide=found.guide.slug, version=newest)
    if found.choices:
        return render(request, "troubleshoot/choose_guide.html", {"guides": found.choices, "pasted": clean(text)})
    _record(request, text, found.code)
    context = {
        "code": found.code, "suggestions": found.suggestions, "guide_list": newest_guide_list(),
        "pasted": clean(text), "cut": len(text) > MAX_TEXT,
    }
    return render(request, "troubleshoot/no_guide.html", context)


@same_site_forms
@require_http_methods(["POST"])
def suggest(request: HtmxHttpRequest) -> HttpResponse:
    """Guides that fit the text typed so far, while typing; nothing is recorded."""
    if not allow(request, "suggest"):
        return HttpResponse("", status=429, headers={"Retry-After": "60"})
    text = request.POST.get("error", "")
    found = catalogue.matcher().match(text) if clean(text).strip() else Match()
    return render(request, "troubleshoot/_suggestions.html", {"found": found, "typed": bool(clean(text).strip())})


# Walking a guide


def opened_version(slug: str, number: int | None = None) -> GuideVersion:
    """The guide at this version (its newest without one), or a NotFound that says what there is instead."""
    try:
        return catalogue.open(slug, number if number is not None else catalogue.newest_number(slug) or 0)
    except NoGuide:
        raise NotFound(f"There is no guide called “{slug}”.", []) from None
    except NoVersion as missing:
        raise NotFound(f"This guide has no version {number}. Its newest version is {missing.newest}.",
                       [("Start the newest version", reverse("troubleshoot:guide", args=[slug]))]) from None


@shows_not_found
def guide(request: HttpRequest, guide: str) -> HttpResponse:
    return redirect("troubleshoot:version", guide=guide, version=opened_version(guide).number)


@shows_not_found
def choose_platform(request: HtmxHttpRequest, guide: str, version: int) -> HttpResponse:
    return platform_page(request, opened_version(guide, version), catalogue.version_url(guide, version))


@shows_not_found
def step(request: HtmxHttpRequest, guide: str, version: int, platform: str, answers: str = "") -> HttpResponse:
    opened = opened_version(guide, version)
    return walk_view(request, opened, catalogue.version_url(guide, version), platform, answers, record=True)


def platform_page(request, opened: GuideVersion, base: str, preview: dict | None = None,
                  embed: dict | None = None) -> HttpResponse:
    """Where the user sees the error; `base` is the URL that every step URL of this guide starts with.
    A draft's `preview` holds its admin links: `edit_url` (the guide's page) and `publish_url`;
    `embed` is set in another app's frame (`embed.py`)."""
    found = opened.guide
    if len(found.platforms) == 1:
        return redirect(f"{base}{found.platforms[0].slug}/")
    platforms = [(p, f"{base}{p.slug}/") for p in found.platforms]
    context = {"guide": found, "version": opened.number, "latest": opened.newest, "platforms": platforms,
               "preview": opened.is_draft, "admin": preview or {}, "retired": opened.retired,
               "retired_note": opened.retired_note, "embed": embed}
    response = render(request, _template(request, "troubleshoot/platform.html"), context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, a page or a fragment
    return response


def walk_view(request: HtmxHttpRequest, opened: GuideVersion, base: str, platform: str, answers: str,
              record: bool, preview: dict | None = None, embed: dict | None = None) -> HttpResponse:
    """One step page of a walk under `base`: the public wizard's and the frame's (recorded) and the admin
    preview's (not, with the admin links in `preview`). A GET only notes the step: handing the walk to
    support is its own POST (handoff.py)."""
    current, parts = read_walk(opened, base, platform, answers)
    start_url = f"{base}{platform}/"
    pushed = None
    if "checked" in request.GET and current.node.kind == "checklist":  # the checklist's form, sent
        parts.append(checklist_answer(current.node, request.GET.getlist("differs")))
        pushed = _url(start_url, parts)
        if not request.htmx:
            return redirect(pushed)
        current = walk(opened.guide, parts)
    frame = (embed or {}).get("frame")
    recorder = Recorder(request, opened, current, platform, frame=frame) if record else None
    hand_off = reference = ""
    if recorder:
        recorder.record()
        if current.node.kind == "escalation" and recorder.active:
            here = _url(start_url, current.answers)
            reference = handed_reference(request, here) or recorder.handed()
            hand_off = "" if reference else token_for(recorder.key, here)
    response = step_page(request, opened, current, base, platform, reference, preview, embed, hand_off)
    if recorder:
        recorder.set_cookie(response)
    patch_vary_headers(response, ["HX-Request"])  # one URL, a page or a fragment
    return push_url(response, pushed) if pushed else response


def read_walk(opened: GuideVersion, base: str, platform: str, answers: str) -> tuple[Walk, list[str]]:
    """The walk the URL's platform and answers make, or a NotFound that offers the nearest step that fits."""
    found = opened.guide
    start_url = f"{base}{platform}/"
    if found.platform(platform) is None:
        links = [(p.name, f"{base}{p.slug}/") for p in found.platforms]
        raise NotFound(f"“{found.title}” has no platform called “{platform}”. Pick yours:", links)
    parts = answers.split("/") if answers else []
    if len(parts) > MAX_ANSWERS or not all(ANSWER.match(a) for a in parts):
        raise NotFound("This link holds answers that are not written the way the wizard writes them.",
                       [("Start this guide again", start_url)])
    try:
        return walk(found, parts), parts
    except WrongAnswer as wrong:
        links = [("Start this guide again", start_url)]
        if wrong.position:
            links.insert(0, ("Go back to the last step that fits", _url(start_url, parts[: wrong.position])))
        raise NotFound(f"This link does not fit the guide: {wrong}.", links) from None


def step_page(request, opened: GuideVersion, current: Walk, base: str, platform: str, reference: str,
              preview: dict | None = None, embed: dict | None = None, hand_off: str = "") -> HttpResponse:
    """The step's page or fragment; a published one is rendered once and kept, a draft's every time.

    What differs between people who see one step is put in per response: the reference a hand-off
    gave, the hand-off form's token, and a frame's own token in every URL of the frame."""
    template = _template(request, "troubleshoot/step.html")
    thanks = "thanks" in request.GET
    frame_token = (embed or {}).get("token", "")
    if frame_token:
        base = base.replace(frame_token, FRAME_SLOT)
        embed = {k: v.replace(frame_token, FRAME_SLOT) if isinstance(v, str) else v for k, v in embed.items()}
    public_base = catalogue.version_url(opened.guide.slug, opened.number) if embed else base

    def context(reference_shown: str, hand_off_shown: str) -> dict:
        return _step_context(request, current, base, public_base, platform, reference_shown) | {
            "version": opened.number, "latest": opened.newest, "preview": opened.is_draft, "thanks": thanks,
            "admin": preview or {}, "retired": opened.retired, "retired_note": opened.retired_note, "embed": embed,
            "hand_off": hand_off_shown, "hand_off_url": (embed or {}).get("hand_off_url") or reverse("troubleshoot:hand_off"),
            "feedback_url": (embed or {}).get("feedback_url") or reverse("troubleshoot:feedback")}

    if opened.is_draft:
        return render(request, template, context("", ""))
    key = (base, opened.number, opened.newest, opened.retired, opened.retired_note, platform, current.answers,
           template, request.get_host(), request.is_secure(), thanks, bool(reference), bool(hand_off),
           (embed or {}).get("context"), (embed or {}).get("verified"))
    html = rendered(key, template, lambda: context(REFERENCE_SLOT if reference else "", HAND_OFF_SLOT if hand_off else ""))
    if not (reference or hand_off or frame_token):
        return HttpResponse(html)
    html = html.replace(REFERENCE_SLOT, reference).replace(HAND_OFF_SLOT, hand_off).replace(FRAME_SLOT, frame_token)
    response = HttpResponse(html)
    patch_cache_control(response, private=True)  # this walk's own reference, token or frame
    return response


@same_site_forms
@require_http_methods(["POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    """A few words from the user about their walk, saved with its run before we thank them."""
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("troubleshoot:home")
    if not request.POST.get("text", "").strip():
        return HttpResponseRedirect(back)
    if not allow(request, "feedback"):
        return too_many_requests(request)
    try:
        at = step_at(back)
        saved = at is not None and Recorder(request, *at[:3], frame=at[3]).save_note(request.POST["text"])
    except DatabaseError:  # not "no walk": the walk may well be there, and the note must not be lost
        log.warning("could not save a note: the database did not answer")
        return not_saved(request, "We couldn't save your note", "The wizard can't reach its data just now, so your "
                         "note is not saved yet. It is below as you wrote it: send it again in a minute, or copy it.",
                         {"action": request.path, "hidden": [("next", back)], "field": "text",
                          "text": request.POST["text"], "label": "Your note", "button": "Send the note", "back": back})
    if not saved:
        return problem_page(request, "We could not find your walk to attach the note to. It may be more than a month old.",
                            [("Back to the step", back)], status=400, heading="We couldn't save your note")
    return HttpResponseRedirect(back + ("&" if "?" in back else "?") + "thanks=1")


def step_at(url: str) -> tuple[GuideVersion, Walk, str, Frame | None] | None:
    """The guide version, walk, platform and frame (in another app's) of a step's URL as its pages link it, or None."""
    prefix = get_script_prefix()
    try:
        match = resolve("/" + url.split("?", 1)[0].removeprefix(prefix))
    except Resolver404:
        return None
    if match.url_name not in ("step", "start", "embed_step", "embed_start"):  # the wizard's own, or framed
        return None
    kwargs = match.kwargs
    frame = None
    if match.url_name.startswith("embed_"):
        frame = read_frame(kwargs["context"])
        if frame is None or frame.guide != kwargs["guide"]:  # a frame's pages always carry its token
            return None
    try:
        opened = catalogue.open(kwargs["guide"], kwargs["version"])
        current, _ = read_walk(opened, "", kwargs["platform"], kwargs.get("answers", ""))  # its NotFound links go unused
    except (NoGuide, NoVersion, NotFound):
        return None
    return opened, current, kwargs["platform"], frame


def _template(request: HtmxHttpRequest, name: str) -> str:
    # History restores carry HX-Request too, and need the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return f"{name}#step"
    return name


def _url(start_url: str, answers: list[str] | tuple[str, ...]) -> str:
    return start_url + "".join(f"{a}/" for a in answers)


def _step_context(request, current: Walk, base: str, public_base: str, platform: str, reference: str) -> dict:
    guide, node = current.guide, current.node
    start_url = f"{base}{platform}/"
    here = _url(start_url, current.answers)
    # The link to give support is the public page's, even in a frame: it must not carry the frame's run.
    link = request.build_absolute_uri(_url(f"{public_base}{platform}/", current.answers))
    context = {
        "guide": guide,
        "base": base,
        "platform": guide.platform(platform),
        "platforms": [(p, _url(f"{base}{p.slug}/", current.answers)) for p in guide.platforms],
        "walk": current,
        "node": node,
        "instructions": guide.instructions_for(node, platform),
        "here": here,
        "start_url": start_url,
        "trail": [(a, _url(start_url, current.answers[: a.position])) for a in current.trail],
        "link": link,
    }
    if node.kind == "escalation":
        context["reference"] = reference
        context["summary"] = current.summary(guide.platform(platform).name, link, reference)
        context["sent_to_support"] = bool(destinations.configured())  # with the reference, when there is one
        # Long lines wrap, so allow about two rows for each line of the summary.
        context["summary_rows"] = min(40, 2 * context["summary"].count("\n") + 2)
    return context
