"""Pages that say what went wrong, in the wizard's words: not found, too many requests, not saved,
another site's form; and the decorators that lead to them.
"""

import functools

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from .origin import from_this_site


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
            return problem_page(request, missing.message, missing.links)

    return wrapper


def same_site_forms(view):
    """POSTs from this site's own pages only (origin.py says why no token); another site's get a 403."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not from_this_site(request):
            return problem_page(request, "This form was sent from another website, so we did not act on it. "
                                "Open the wizard itself and try again.", [], status=403, heading="We couldn't take that")
        return view(request, *args, **kwargs)

    return wrapper


def problem_page(request, message: str, links: list[tuple[str, str]], status: int = 404,
                 heading: str = "We couldn't open that", retry: dict | None = None) -> HttpResponse:
    """A page that says what went wrong; `retry` is a hand-off form to send again (action, step, token)."""
    links = links + [("See all guides", reverse("troubleshoot:home"))]
    context = {"message": message, "links": links, "heading": heading, "retry": retry}
    return render(request, "troubleshoot/problem.html", context, status=status)


def not_found(request, exception=None) -> HttpResponse:
    return problem_page(request, "There is no page at this address.", [])


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = problem_page(request, "That was a lot of requests in a short time. Wait a minute, then try again.",
                            [], status=429, heading="Slow down a moment")
    response["Retry-After"] = "60"
    return response


def server_error(request) -> HttpResponse:
    return render(request, "500.html", status=500)


def not_saved(request, heading: str, message: str, form: dict) -> HttpResponse:
    """The database did not answer a form: say so, and give the form back with what was typed in it."""
    response = render(request, "troubleshoot/unsaved.html", {"heading": heading, "message": message} | form, status=503)
    response["Retry-After"] = "30"
    return response
