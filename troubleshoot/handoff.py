"""Handing a walk to support: a deliberate POST from the escalation page, never a GET.

The escalation page (a GET, cached for everyone) shows what support will need and a form whose
token names this browser's run and this step (`runs.token_for`). Only its POST writes the reference,
marks the run escalated and queues the deliveries (`runs.Recorder.hand_off`), once per run: the
token names the run, so the form sent again, or the page after it reloaded, gives the same
reference and writes nothing new. The POST answers with a redirect to the step with `?handed=`,
a signed note of the reference, which that page shows (reloading it shows the same one).
"""

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from . import problems, views
from .context import Context
from .limits import allow
from .published import catalogue
from .runs import Recorder, handed_note, read_token

log = logging.getLogger(__name__)


@problems.same_site_forms
@require_http_methods(["POST"])
def hand_off(request: HttpRequest, context: str = "") -> HttpResponse:
    """/handoff/ (and /embed/<frame>/handoff/ in a frame): hand the walk the form names to support."""
    step = request.POST.get("step", "")
    token = read_token(request.POST.get("token", ""))
    at = views.step_at(step)
    if at is None or token is None or token.step != step.split("?", 1)[0]:
        links = [("Back to the step", step)] if at else []
        return problems.problem_page(
            request, "This form is too old or was changed, so nothing was sent to support. Open the step again "
            "and send it from there.", links, status=400, heading="We couldn't hand that over")
    opened, current, platform, frame = at
    if current.node.kind != "escalation":
        return problems.problem_page(request, "Only the last step of a guide hands your answers to support.",
                                  [("Back to the step", step)], status=400, heading="We couldn't hand that over")
    recorder = Recorder(request, opened, current, platform, frame=frame, key=token.run_key)
    if not recorder.active:
        return problems.problem_page(
            request, "You are signed in as support staff, so this walk was not handed over: customers' walks are. "
            "Sign out to try it as a customer.", [("Back to the step", step)], status=403,
            heading="Nothing was handed over")
    if not allow(request, "handoff"):
        return problems.too_many_requests(request)
    slug, number = opened.guide.slug, opened.number
    link = request.build_absolute_uri(
        catalogue.version_url(slug, number) + f"{platform}/" + "".join(f"{a}/" for a in current.answers))
    try:
        reference = recorder.hand_off(frame.at_hand_off() if frame else Context(), link)
    except DatabaseError:
        log.exception("could not hand run %s to support", token.run_key[:8])
        retry = {"action": request.path, "step": step, "token": request.POST.get("token", "")}
        response = problems.problem_page(
            request, "We could not reach our database, so your answers were not handed to support and you have "
            "no reference yet. Nothing was sent. Try again in a minute: the button below sends the same answers.",
            [("Back to the step", step)], status=503, heading="Not handed over yet", retry=retry)
        response["Retry-After"] = "30"
        return response
    response = HttpResponseRedirect(f"{step.split('?', 1)[0]}?handed={handed_note(reference, token.step)}")
    response.status_code = 303  # see the page with the reference; reloading it sends nothing again
    recorder.set_cookie(response)
    return response
