"""For support agents: find a guide, send a customer the link to a step, and open an escalation."""

import functools
import logging
import re

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .engine import WrongAnswer, shortest_answers, walk
from .matching import normalise
from .models import Delivery, Run
from .published import catalogue
from .runs import CROCKFORD, is_agent

log = logging.getLogger(__name__)

# What an agent types or pastes: any case, spaces or dashes anywhere, and perhaps the "Reference:"
# the customer's summary puts before it. What is left must be ten letters and digits.
IGNORED = re.compile(r"[\s\-\u2010-\u2015.,;'\"‘’“”]")  # spaces, dashes of any kind, stray punctuation and quotes
TYPED_REFERENCE = re.compile(r"(?:REFERENCE:?)?([0-9A-Z]{10})")
OLD_REFERENCE = re.compile(r"[A-Z2-7]{10}")  # RFC 4648 base32: references made before Crockford's
READ_AS = str.maketrans("ILO", "110")  # Crockford's rule: I and L are read as 1, O as 0


def references(typed: str) -> list[str]:
    """The stored references that the typed text can mean, best first; [] when it is not a reference.

    New references are Crockford base32, so a typed I, L or O is read as 1, 1 or 0. Old ones
    (A-Z and 2-7) hold the letter O but never the digit 0: they are looked up with a typed 0 read
    as O.
    """
    compact = IGNORED.sub("", typed).upper()
    found = TYPED_REFERENCE.fullmatch(compact)
    if not found:
        return []
    code = found.group(1)
    crockford = code.translate(READ_AS)
    readings = [crockford] if all(c in CROCKFORD for c in crockford) else []
    old = code.replace("0", "O")
    if OLD_REFERENCE.fullmatch(old) and old not in readings:
        readings.append(old)
    return [f"{r[:5]}-{r[5:]}" for r in readings]


def agents_only(view):
    """Support agents and staff; anyone else logged in gets a 403, visitors the login page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_agent(request.user):
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _run_for(readings: list[str]) -> Run | None:
    """The run whose reference is the first of these readings that one has (two never both match in practice)."""
    found = {run.reference: run for run in Run.objects.select_related("guide").filter(reference__in=readings)}
    return next((found[r] for r in readings if r in found), None)


@agents_only
def search(request: HttpRequest) -> HttpResponse:
    query = normalise(request.GET.get("q", ""))[:200]
    reference = request.GET.get("reference", "").strip()[:60]
    readings = references(reference)
    guides = catalogue.newest_guides()
    if query:
        guides = [g for g in guides if query in normalise(" ".join((*g.codes, g.title, g.error, *g.messages)))]
    context = {"guides": guides, "q": request.GET.get("q", "")[:200], "reference": reference,
               "bad_reference": bool(reference) and not readings, "readings": readings}
    if readings:
        run = _run_for(readings)
        if run is not None:
            return redirect("troubleshoot:agent_run", run.reference)
        context["missing_reference"] = True
    return render(request, "troubleshoot/agent/search.html", context)


@agents_only
def guide_links(request: HttpRequest, guide: str) -> HttpResponse:
    number = catalogue.newest_number(guide)
    found = catalogue.guide(guide, number) if number else None
    if found is None:
        raise Http404
    paths = shortest_answers(found)
    via_checklist = {n.if_any_differ: n for n in found.nodes.values() if n.kind == "checklist"}
    solutions = []
    for node in (n for n in found.nodes.values() if n.kind == "solution"):
        answers = paths.get(node.slug)
        note = ""
        if answers is None and node.slug in via_checklist:
            answers, note = paths[via_checklist[node.slug].slug], "Opens the checklist: the customer ticks what differs."
        platforms = [{
            "platform": p, "instructions": found.instructions_for(node, p.slug),
            "link": None if answers is None else request.build_absolute_uri(
                reverse("troubleshoot:start", args=[guide, number, p.slug]) + "".join(f"{a}/" for a in answers)),
        } for p in found.platforms]
        solutions.append({"node": node, "platforms": platforms, "note": note, "linked": answers is not None})
    return render(request, "troubleshoot/agent/guide.html", {"guide": found, "version": number, "solutions": solutions})


@agents_only
def run_view(request: HttpRequest, reference: str) -> HttpResponse:
    run = _run_for(references(reference))
    if run is None:
        raise Http404
    if run.reference != reference:  # typed by hand: show it under the reference as it was given
        return redirect("troubleshoot:agent_run", run.reference)
    found = catalogue.guide(run.guide.slug, run.version)
    answers = run.answers.split("/") if run.answers else []
    try:
        current = walk(found, answers) if found else None
    except WrongAnswer:  # answers cut at the stored length no longer form a path
        current = None
    shown = [(node, found.instructions_for(node, run.platform)) for node in current.solutions_shown] if current else []
    platform = found.platform(run.platform) if found else None
    link = request.build_absolute_uri(
        reverse("troubleshoot:start", args=[run.guide.slug, run.version, run.platform]) + "".join(f"{a}/" for a in answers))
    context = {"run": run, "guide": found, "platform": platform, "current": current, "shown": shown, "link": link,
               "deliveries": Delivery.objects.filter(reference=run.reference).order_by("destination")}
    return render(request, "troubleshoot/agent/run.html", context)


class SignIn(auth_views.LoginView):
    """Django's sign-in; when the database does not answer, the form again with the username kept, saying so."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except DatabaseError:
            log.warning("could not sign someone in: the database did not answer")
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")[:150]})
            response = self.render_to_response(self.get_context_data(form=form, unavailable=True), status=503)
            response["Retry-After"] = "30"
            return response
