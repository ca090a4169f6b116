"""Thin views: parse the URL, ask the engine, render a full page or, for htmx, the step's partial."""

import functools
import logging
import re

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from . import published
from .engine import Guide, Walk, WrongAnswer, checklist_answer, walk
from .limits import allow
from .matching import MAX_TEXT, Match, clean, normalise
from .models import MissingPaste
from .published import rendered
from .runs import Recorder, add_feedback

log = logging.getLogger(__name__)
ANSWER = re.compile(r"^[a-z0-9]+(?:[-+][a-z0-9]+)*$")
MAX_ANSWERS = 200


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class NotFound(Exception):
    """A URL that names something that does not exist: a 404 that says what and where to go."""

    def __init__(self, message: str, links: list[tuple[str, str]]):
        super().__init__(message)
        self.message, self.links = message, links


def shows_not_found(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as missing:
            return not_found_page(request, missing.message, missing.links)

    return wrapper


def not_found_page(request, message: str, links: list[tuple[str, str]], status: int = 404,
                   heading: str = "We couldn't open that") -> HttpResponse:
    links = links + [("See all guides", reverse("troubleshoot:home"))]
    context = {"message": message, "links": links, "heading": heading}
    return render(request, "troubleshoot/not_found.html", context, status=status)


def not_found(request, exception=None) -> HttpResponse:
    return not_found_page(request, "There is no page at this address.", [])


def server_error(request) -> HttpResponse:
    return render(request, "500.html", status=500)


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 while the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        log.warning("health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "troubleshoot/home.html", {"guide_list": newest_guide_list()})


def newest_guide_list() -> str:
    """Every guide's newest version as a list of links: rendered once per set of newest versions."""
    key = ("guide list", published.newest(), get_script_prefix())
    html = rendered.get(key)
    if html is None:
        html = render_to_string("troubleshoot/_guides.html", {"guides": published.latest_guides()})
        rendered.put(key, html)
    return mark_safe(html)  # rendered by our own template, which escapes what it shows


@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """The paste box: open the guide the text belongs to, or say plainly that there is none yet."""
    if request.method == "GET":
        return redirect("troubleshoot:home")
    text = request.POST.get("error", "")
    if not clean(text).strip():
        context = {"guide_list": newest_guide_list(), "paste_problem": "Paste the error message first: the box was empty."}
        return render(request, "troubleshoot/home.html", context, status=400)
    if not allow(request, "paste"):
        return too_many(request)
    return _open(request, text, published.matcher().match(text))


def too_many(request: HttpRequest) -> HttpResponse:
    response = not_found_page(request, "That was a lot of requests in a short time. Wait a minute, then try again.",
                              [], status=429, heading="Slow down a moment")
    response["Retry-After"] = "60"
    return response


def error_link(request: HttpRequest, code: str) -> HttpResponse:
    """/error/NS0109/?message=…&platform=…: a link other apps' help buttons can open."""
    message = request.GET.get("message", "")
    found = published.matcher().match(f"{code} {message}")
    platform = request.GET.get("platform", "")
    if found.guide and found.guide.platform(platform):
        found = Match(found.guide, found.code, platform)
    return _open(request, f"{code}: {message}" if message else code, found)


def _open(request: HttpRequest, text: str, found: Match) -> HttpResponse:
    if found.guide:
        latest = published.latest_number(found.guide.slug)
        if found.platform:
            return redirect("troubleshoot:start", guide=found.guide.slug, version=latest, platform=found.platform)
        return redirect("troubleshoot:version", guide=found.guide.slug, version=latest)
    if found.choices:
        return render(request, "troubleshoot/choose_guide.html", {"guides": found.choices, "pasted": clean(text)})
    try:
        if allow(request, "record"):  # /error/ links record too, so a flood of them is bounded here
            MissingPaste.objects.record(clean(text), normalise(text), found.code)
    except DatabaseError:  # learning what is missing must never cost the user their answer
        log.exception("could not record a paste with no guide")
    context = {
        "code": found.code, "suggestions": found.suggestions, "guide_list": newest_guide_list(),
        "pasted": clean(text), "cut": len(text) > MAX_TEXT,
    }
    return render(request, "troubleshoot/no_guide.html", context)


@require_http_methods(["POST"])
def suggest(request: HtmxHttpRequest) -> HttpResponse:
    """Guides that fit the text typed so far, while typing; nothing is recorded."""
    if not allow(request, "suggest"):
        return HttpResponse("", status=429, headers={"Retry-After": "60"})
    text = request.POST.get("error", "")
    found = published.matcher().match(text) if clean(text).strip() else Match()
    return render(request, "troubleshoot/_suggestions.html", {"found": found, "typed": bool(clean(text).strip())})


def _load(slug: str, version: int):
    latest = published.latest_number(slug)
    if latest is None:
        raise NotFound(f"There is no guide called “{slug}”.", [])
    guide = published.guide(slug, version)
    if guide is None:
        raise NotFound(
            f"This guide has no version {version}. Its newest version is {latest}.",
            [("Start the newest version", reverse("troubleshoot:guide", args=[slug]))],
        )
    return guide, latest


@shows_not_found
def guide(request: HttpRequest, guide: str) -> HttpResponse:
    latest = published.latest_number(guide)
    if latest is None:
        raise NotFound(f"There is no guide called “{guide}”.", [])
    return redirect("troubleshoot:version", guide=guide, version=latest)


@shows_not_found
def choose_platform(request: HtmxHttpRequest, guide: str, version: int) -> HttpResponse:
    found, latest = _load(guide, version)
    return platform_page(request, found, reverse("troubleshoot:version", args=[guide, version]), version, latest)


@shows_not_found
def step(request: HtmxHttpRequest, guide: str, version: int, platform: str, answers: str = "") -> HttpResponse:
    found, latest = _load(guide, version)
    base = _version_url(guide, version, get_script_prefix())
    return walk_page(request, found, base, platform, answers, version, latest, recorder=Recorder(request, guide, version))


@functools.lru_cache(maxsize=4096)
def _version_url(guide: str, version: int, script_prefix: str) -> str:
    # Every step needs it and it never changes; the prefix is in the key because reverse() uses it.
    return reverse("troubleshoot:version", args=[guide, version])


def platform_page(request, found: Guide, base: str, version, latest, preview: bool = False) -> HttpResponse:
    """Where the user sees the error; `base` is the URL that every step URL of this guide starts with."""
    if len(found.platforms) == 1:
        return redirect(f"{base}{found.platforms[0].slug}/")
    platforms = [(p, f"{base}{p.slug}/") for p in found.platforms]
    context = {"guide": found, "version": version, "latest": latest, "platforms": platforms, "preview": preview}
    return render(request, _template(request, "troubleshoot/platform.html"), context)


def walk_page(request, found: Guide, base: str, platform: str, answers: str, version, latest,
              preview: bool = False, recorder: Recorder | None = None) -> HttpResponse:
    """One step of a walk: the public wizard's (recorded) and the admin preview's (not), under its own `base`."""
    start_url = f"{base}{platform}/"
    if found.platform(platform) is None:
        links = [(p.name, f"{base}{p.slug}/") for p in found.platforms]
        raise NotFound(f"“{found.title}” has no platform called “{platform}”. Pick yours:", links)
    parts = answers.split("/") if answers else []
    if len(parts) > MAX_ANSWERS or not all(ANSWER.match(a) for a in parts):
        raise NotFound("This link holds answers that are not written the way the wizard writes them.",
                       [("Start this guide again", start_url)])
    try:
        current = walk(found, parts)
    except WrongAnswer as wrong:
        links = [("Start this guide again", start_url)]
        if wrong.position:
            links.insert(0, ("Go back to the last step that fits", _url(start_url, parts[: wrong.position])))
        raise NotFound(f"This link does not fit the guide: {wrong}.", links) from None

    pushed = None
    if "checked" in request.GET and current.node.kind == "checklist" and not current.fixed:
        parts.append(checklist_answer(current.node, request.GET.getlist("differs")))
        pushed = _url(start_url, parts)
        if not request.htmx:
            return redirect(pushed)
        current = walk(found, parts)

    template = _template(request, "troubleshoot/step.html")
    # Questions, checklists and solutions hold nothing personal, so their HTML is the same for everyone.
    same_for_all = not preview and not current.fixed and current.node.kind != "escalation"
    key = (found.slug, version, latest, platform, tuple(parts), template, request.get_host(), request.is_secure())
    html = rendered.get(key) if same_for_all else None
    if html is None:
        reference = recorder.reference if recorder and current.node.kind == "escalation" else ""
        context = _step_context(request, current, base, platform, reference) | {
            "version": version, "latest": latest, "preview": preview, "thanks": "thanks" in request.GET}
        html = render_to_string(template, context, request=None if same_for_all else request)
        if same_for_all:
            rendered.put(key, html)
    response = HttpResponse(html)
    if not same_for_all:
        patch_cache_control(response, private=True)  # a reference or a form token: this browser's own
    if recorder:
        recorder.save(response, current, platform, published.guide_id(found.slug))
    return push_url(response, pushed) if pushed else response


@require_http_methods(["POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    """A few words from the user about their walk, attached to its run."""
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("troubleshoot:home")
    if not request.POST.get("text", "").strip():
        return HttpResponseRedirect(back)
    if not allow(request, "feedback"):
        return too_many(request)
    try:
        saved = add_feedback(request, request.POST["text"])
    except DatabaseError:
        log.exception("could not save feedback")
        saved = False
    if not saved:
        return not_found_page(request, "We could not find your walk to attach the note to. It may be more than a month old.",
                              [("Back to the step", back)], status=400, heading="We couldn't save your note")
    return HttpResponseRedirect(back + ("&" if "?" in back else "?") + "thanks=1")


def _template(request: HtmxHttpRequest, name: str) -> str:
    # History restores carry HX-Request too, and need the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return f"{name}#step"
    return name


def _url(start_url: str, answers: list[str] | tuple[str, ...]) -> str:
    return start_url + "".join(f"{a}/" for a in answers)


def _step_context(request, current: Walk, base: str, platform: str, reference: str) -> dict:
    guide, node = current.guide, current.node
    start_url = f"{base}{platform}/"
    here = _url(start_url, current.answers)
    trail = [(a, _url(start_url, current.answers[: a.position])) for a in current.trail]
    platforms = [(p, _url(f"{base}{p.slug}/", current.answers)) for p in guide.platforms]
    link = request.build_absolute_uri(here)
    context = {
        "guide": guide,
        "base": base,
        "platform": guide.platform(platform),
        "platforms": platforms,
        "walk": current,
        "node": node,
        "steps": node.steps_for(platform),
        "here": here,
        "start_url": start_url,
        "trail": trail,
        "link": link,
    }
    if node.kind == "escalation":
        context["reference"] = reference
        context["summary"] = summary(current, guide.platform(platform).name, link, reference)
        # Long lines wrap, so allow about two rows for each line of the summary.
        context["summary_rows"] = min(40, 2 * context["summary"].count("\n") + 2)
    return context


def summary(current: Walk, platform: str, link: str, reference: str = "") -> str:
    """What to paste to support: the full error, the platform and every answer given."""
    lines = [f"Reference: {reference}"] if reference else []
    lines += [
        f"Error message: {current.guide.error}",
        f"Where I see it: {platform}",
        f"Guide followed: {current.guide.title}",
        "",
        "What I checked and tried:",
    ]
    lines += [f"- {a.node.title} — {a.said}" for a in current.trail]
    lines += ["", f"Link to these answers: {link}"]
    return "\n".join(lines)
