"""The wizard inside another app's help panel: the same walk, in a compact page that only the origins
in EMBED_ORIGINS may frame, telling the page around it its height and the step reached.

    /embed/?message=…&platform=…&context=TICKET-1   opens the guide for the message, in the frame
    /embed/<context>/guides/<guide>/v<n>/<platform>/<answers>/   one step, as views.step, framed

The context (a ticket id, say) rides in every URL of the frame, so it is there when the walk ends.
"""

import re
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP

from . import views
from .matching import clean
from .published import catalogue

CONTEXT = r"[A-Za-z0-9._-]{1,64}"
NO_CONTEXT = "-"


def framed(view):
    """Let the listed origins frame the response, and nobody else (no origin listed: nobody)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origins = list(settings.EMBED_ORIGINS)
        response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": origins or [CSP.NONE]}
        response.xframe_options_exempt = bool(origins)  # CSP's frame-ancestors says who may
        return response
    return wrapper


def embed_context(context: str) -> dict:
    """What the templates need in the frame: the origins to tell, and the context reference."""
    return {"origins": " ".join(settings.EMBED_ORIGINS), "context": "" if context == NO_CONTEXT else context}


def base_url(context: str, guide: str, version: int) -> str:
    return reverse("troubleshoot:embed_version", args=[context, guide, version])


@framed
def open_embed(request: HttpRequest) -> HttpResponse:
    """/embed/?message=…: the guide for the message, on the platform named if the guide has it."""
    context = request.GET.get("context", "")
    context = context if re.fullmatch(CONTEXT, context) else NO_CONTEXT
    message = clean(request.GET.get("message", ""))
    found = catalogue.matcher().match(message) if message.strip() else None
    if found is None or found.guide is None:
        nearest = (found.choices or found.suggestions) if found else ()
        links = [(g, reverse("troubleshoot:embed_guide", args=[context, g.slug])) for g in nearest]
        return render(request, "troubleshoot/embed_no_guide.html", {
            "embed": embed_context(context), "code": found.code if found else "", "links": links,
            "pasted": message}, status=404 if message.strip() else 400)
    platform = request.GET.get("platform", "")
    number = catalogue.newest_number(found.guide.slug)
    base = base_url(context, found.guide.slug, number)
    return redirect(f"{base}{platform}/" if found.guide.platform(platform) else base)


@framed
@views.shows_not_found
def guide(request: HttpRequest, context: str, guide: str) -> HttpResponse:
    return redirect(base_url(context, guide, views.opened_version(guide).number))


@framed
@views.shows_not_found
def choose_platform(request, context: str, guide: str, version: int) -> HttpResponse:
    opened = views.opened_version(guide, version)
    return views.platform_page(request, opened, base_url(context, guide, version), embed=embed_context(context))


@framed
@views.shows_not_found
def step(request, context: str, guide: str, version: int, platform: str, answers: str = "") -> HttpResponse:
    opened = views.opened_version(guide, version)
    return views.walk_view(request, opened, base_url(context, guide, version), platform, answers, record=True,
                           embed=embed_context(context))
