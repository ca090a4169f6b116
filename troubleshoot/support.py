"""For support agents: find a guide, send a customer the link to a step, and open an escalation."""

import functools
import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from .engine import WrongAnswer, shortest_answers, walk
from .matching import normalise
from .models import Run
from .published import catalogue
from .runs import is_agent

REFERENCE = re.compile(r"^[A-Z2-7]{5}-[A-Z2-7]{5}$")


def agents_only(view):
    """Support agents and staff; anyone else logged in gets a 403, visitors the login page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_agent(request.user):
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@agents_only
def search(request: HttpRequest) -> HttpResponse:
    query = normalise(request.GET.get("q", ""))[:200]
    reference = request.GET.get("reference", "").strip().upper()[:20]
    guides = catalogue.newest_guides()
    if query:
        guides = [g for g in guides if query in normalise(" ".join((*g.codes, g.title, g.error, *g.messages)))]
    context = {"guides": guides, "q": request.GET.get("q", "")[:200], "reference": reference,
               "bad_reference": bool(reference) and not REFERENCE.match(reference)}
    if reference and REFERENCE.match(reference):
        if Run.objects.filter(reference=reference).exists():
            return redirect("troubleshoot:agent_run", reference)
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
        links = [] if answers is None else [
            (p, request.build_absolute_uri(reverse("troubleshoot:start", args=[guide, number, p.slug]) + "".join(f"{a}/" for a in answers)))
            for p in found.platforms
        ]
        solutions.append({"node": node, "links": links, "note": note})
    return render(request, "troubleshoot/agent/guide.html", {"guide": found, "version": number, "solutions": solutions})


@agents_only
def run_view(request: HttpRequest, reference: str) -> HttpResponse:
    if not REFERENCE.match(reference):
        raise Http404
    run = get_object_or_404(Run.objects.select_related("guide"), reference=reference)
    found = catalogue.guide(run.guide.slug, run.version)
    answers = run.answers.split("/") if run.answers else []
    try:
        current = walk(found, answers) if found else None
    except WrongAnswer:  # answers cut at the stored length no longer form a path
        current = None
    shown = [(node, node.instructions_for(run.platform)) for node in current.solutions_shown] if current else []
    platform = found.platform(run.platform) if found else None
    link = request.build_absolute_uri(
        reverse("troubleshoot:start", args=[run.guide.slug, run.version, run.platform]) + "".join(f"{a}/" for a in answers))
    context = {"run": run, "guide": found, "platform": platform, "current": current, "shown": shown, "link": link}
    return render(request, "troubleshoot/agent/run.html", context)
