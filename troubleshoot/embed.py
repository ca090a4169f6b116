"""The wizard inside another app's help panel: the same walk, in a compact page that only the origins
in EMBED_ORIGINS may frame, telling the page around it its height and the step reached.

    /embed/?message=…&platform=…&context=TICKET-1&context_token=…   opens the guide for the message
    /embed/<frame>/guides/<guide>/v<n>/<platform>/<answers>/          one step, as views.step, framed

`<frame>` is the frame's own signed token (context.Frame): the host's context, whether the host
signed it, and the run's key. A cross-site frame may get no cookies, so the walk's URLs carry its
run; a URL with a plain context (or `-`) instead is sent on to one with a new frame token.
"""

import re
import time
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.views.decorators.csrf import csrf_exempt

from . import handoff, problems, views
from .context import Context, Frame, from_host, read_frame
from .matching import clean
from .published import catalogue
from .runs import new_key

# A plain context (a ticket id) or a frame token of ours (context.Frame.token).
SEGMENT = r"[A-Za-z0-9._:-]{1,600}"
NO_CONTEXT = "-"


class Framing:
    """Every response under /embed/, error pages included, may be framed by the listed origins, and by nobody else."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = reverse("troubleshoot:embed")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            origins = list(settings.EMBED_ORIGINS)
            response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": origins or [CSP.NONE]}
            response.xframe_options_exempt = bool(origins)  # CSP's frame-ancestors says who may
        return response


def embed_context(frame: Frame, token: str) -> dict:
    """What the templates need in the frame: the origins to tell, the context, the frame's own form URLs."""
    return {"origins": " ".join(settings.EMBED_ORIGINS), "context": frame.context.reference,
            "verified": frame.context.verified, "frame": frame, "token": token,
            "hand_off_url": reverse("troubleshoot:embed_hand_off", args=[token]),
            "feedback_url": reverse("troubleshoot:embed_feedback", args=[token])}


def base_url(segment: str, guide: str, version: int) -> str:
    return reverse("troubleshoot:embed_version", args=[segment, guide, version])


def new_frame(context: Context, guide: str) -> Frame:
    return Frame(context, new_key(timezone.now()), guide, time.time())


def with_frame(view):
    """Give the view this guide's frame; a URL without one (a plain context) is sent on to one that has it.

    Only a GET is sent on: it writes nothing, and the run begins at the URL it is sent to."""
    @wraps(view)
    def wrapper(request, context: str, guide: str, *args, **kwargs):
        frame = read_frame(context)
        if frame is None or frame.guide != guide:
            plain = Context() if frame is None else frame.context  # another guide in this frame: a new run
            if frame is None and context != NO_CONTEXT:
                plain = Context(context if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", context) else "")
            token = new_frame(plain, guide).token()
            path = request.get_full_path().replace(f"/embed/{context}/", f"/embed/{token}/", 1)
            return redirect(path)
        return view(request, frame, context, guide, *args, **kwargs)
    return wrapper


def open_embed(request: HttpRequest) -> HttpResponse:
    """/embed/?message=…: the guide for the message, on the platform named if the guide has it."""
    context = from_host(request.GET.get("context", ""), request.GET.get("context_token", ""))
    message = clean(request.GET.get("message", ""))
    found = catalogue.matcher().match(message) if message.strip() else None
    if found is None or found.guide is None:
        nearest = (found.choices or found.suggestions) if found else ()
        links = [(g, base_url(new_frame(context, g.slug).token(), g.slug, catalogue.newest_number(g.slug)))
                 for g in nearest]
        return render(request, "troubleshoot/embed_no_guide.html", {
            "embed": {"origins": " ".join(settings.EMBED_ORIGINS), "context": context.reference},
            "code": found.code if found else "", "links": links, "pasted": message}, status=404 if message.strip() else 400)
    platform = request.GET.get("platform", "")
    number = catalogue.newest_number(found.guide.slug)
    base = base_url(new_frame(context, found.guide.slug).token(), found.guide.slug, number)
    return redirect(f"{base}{platform}/" if found.guide.platform(platform) else base)


@problems.shows_not_found
@with_frame
def guide(request: HttpRequest, frame: Frame, context: str, guide: str) -> HttpResponse:
    return redirect(base_url(context, guide, views.opened_version(guide).number))


@problems.shows_not_found
@with_frame
def choose_platform(request, frame: Frame, context: str, guide: str, version: int) -> HttpResponse:
    opened = views.opened_version(guide, version)
    return views.platform_page(request, opened, base_url(context, guide, version), embed=embed_context(frame, context))


@problems.shows_not_found
@with_frame
def step(request, frame: Frame, context: str, guide: str, version: int, platform: str, answers: str = "") -> HttpResponse:
    opened = views.opened_version(guide, version)
    return views.walk_view(request, opened, base_url(context, guide, version), platform, answers, record=True,
                           embed=embed_context(frame, context))


# The frame's own form URLs. The views they call refuse other sites' posts themselves (same_site_forms),
# and take no CSRF token: a cross-site frame may have no cookie to match one against.
@csrf_exempt
def hand_off(request, context: str) -> HttpResponse:
    return handoff.hand_off(request)


@csrf_exempt
def feedback(request, context: str) -> HttpResponse:
    return views.feedback(request)
