"""How a guide does: runs, fixed and escalated, and for each node how many reached it.

Runs collapse into few distinct paths (a guide is a small tree), so the database groups them by
(version, answers, outcome) and the engine walks each distinct path once, weighted by its count.
Nodes are keyed by slug across versions, and every run is walked in the version it happened in,
so a node removed later still counts where it was.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate, TruncWeek

from .engine import Walk, WrongAnswer, walk
from .published import catalogue
from .models import Run


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass
class Totals:
    runs: int = 0
    fixed: int = 0
    escalated: int = 0

    @property
    def fixed_rate(self) -> float:
        return _share(self.fixed, self.runs)

    @property
    def escalation_rate(self) -> float:
        return _share(self.escalated, self.runs)


@dataclass
class NodeStats:
    slug: str
    title: str
    kind: str
    reached: int = 0
    answered: int = 0  # questions and checklists: answered; solutions: said whether it fixed it
    fixed: int = 0  # solutions: the runs this solution fixed

    @property
    def answer_rate(self) -> float:
        return _share(self.answered, self.reached)

    @property
    def fixed_rate(self) -> float:
        return _share(self.fixed, self.reached)


@dataclass
class Report:
    totals: Totals = field(default_factory=Totals)
    versions: dict[int, Totals] = field(default_factory=dict)
    # Runs by the day they began, or by the week (its Monday) for periods longer than MAX_DAYS.
    periods: dict[date, Totals] = field(default_factory=dict)
    by_week: bool = False
    nodes: dict[str, NodeStats] = field(default_factory=dict)
    unreadable: int = 0  # runs whose answers no longer fit their version (should stay 0)

    def questions(self) -> list[NodeStats]:
        return [n for n in self.nodes.values() if n.kind in ("question", "checklist")]

    def solutions(self) -> list[NodeStats]:
        return [n for n in self.nodes.values() if n.kind == "solution"]


MAX_DAYS = 62  # a trend by day up to about two months; by week beyond


def report(guide_slug: str, start: datetime, end: datetime, version: int | None = None) -> Report:
    runs = Run.objects.filter(guide__slug=guide_slug, started_at__gte=start, started_at__lt=end)
    if version is not None:
        runs = runs.filter(version=version)
    groups = runs.values_list("version", "answers", "outcome").annotate(n=Count("id")).order_by()
    result = Report(by_week=(end - start) > timedelta(days=MAX_DAYS))
    _trend(result, runs)
    for number, answers, outcome, n in groups:
        totals = result.versions.setdefault(number, Totals())
        for t in (result.totals, totals):
            t.runs += n
            t.fixed += n if outcome == Run.Outcome.FIXED else 0
            t.escalated += n if outcome == Run.Outcome.ESCALATED else 0
        current = _walk(guide_slug, number, answers)
        if current is None:
            result.unreadable += n
            continue
        _count(result.nodes, current, n)
    result.versions = dict(sorted(result.versions.items()))
    _order(result, guide_slug)
    return result


def _trend(result: Report, runs) -> None:
    """Runs, fixed and escalated for each day (or week) of the period, oldest first."""
    period = TruncWeek("started_at") if result.by_week else TruncDate("started_at")
    rows = runs.annotate(period=period).values_list("period", "outcome").annotate(n=Count("id")).order_by("period")
    for when, outcome, n in rows:
        day = when.date() if isinstance(when, datetime) else when
        t = result.periods.setdefault(day, Totals())
        t.runs += n
        t.fixed += n if outcome == Run.Outcome.FIXED else 0
        t.escalated += n if outcome == Run.Outcome.ESCALATED else 0


def _walk(slug: str, number: int, answers: str) -> Walk | None:
    guide = catalogue.guide(slug, number)
    try:
        return walk(guide, answers.split("/") if answers else []) if guide else None
    except WrongAnswer:
        return None


def _count(nodes: dict[str, NodeStats], current: Walk, n: int) -> None:
    def stats(node):
        return nodes.setdefault(node.slug, NodeStats(node.slug, node.title, node.kind))

    for answered in current.trail:
        row = stats(answered.node)
        row.reached += n
        row.answered += n
    if not current.fixed:
        stats(current.node).reached += n
    else:
        stats(current.node).fixed += n


def _order(result: Report, slug: str) -> None:
    """Rows in the newest version's order, with its titles; nodes it no longer has come last."""
    newest = catalogue.newest_number(slug)
    guide = catalogue.guide(slug, newest) if newest else None
    order = {s: i for i, s in enumerate(guide.nodes)} if guide else {}
    for row in result.nodes.values():
        if guide and row.slug in guide.nodes:
            row.title = guide.nodes[row.slug].title
    result.nodes = dict(sorted(result.nodes.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def latest_feedback(guide_slug: str, start: datetime, end: datetime, version: int | None = None, limit: int = 10):
    """The newest notes from runs that did not end fixed."""
    runs = Run.objects.filter(guide__slug=guide_slug, started_at__gte=start, started_at__lt=end).exclude(
        outcome=Run.Outcome.FIXED).exclude(feedback="")
    if version is not None:
        runs = runs.filter(version=version)
    return list(runs.order_by("-updated_at").values("updated_at", "version", "platform", "outcome", "feedback")[:limit])


def _pct(share: float) -> float:
    return round(100 * share, 1)


def tables(result: Report) -> dict[str, tuple[list[str], list[list], int]]:
    """The report's tables as headers, rows and the column its chart shows: the same for the page and CSV."""
    return {
        "trend": (["Week of" if result.by_week else "Day", "Runs", "Fixed", "Fixed %", "Escalated", "Escalated %"], [
            [d.isoformat(), t.runs, t.fixed, _pct(t.fixed_rate), t.escalated, _pct(t.escalation_rate)]
            for d, t in result.periods.items()], 1),
        "versions": (["Version", "Runs", "Fixed", "Fixed %", "Escalated", "Escalated %"], [
            [v, t.runs, t.fixed, _pct(t.fixed_rate), t.escalated, _pct(t.escalation_rate)]
            for v, t in result.versions.items()], 1),
        "questions": (["Node", "Question", "Reached", "Answered", "Answered %"], [
            [n.slug, n.title, n.reached, n.answered, _pct(n.answer_rate)] for n in result.questions()], 2),
        "solutions": (["Node", "Solution", "Reached", "Fixed", "Fixed %"], [
            [n.slug, n.title, n.reached, n.fixed, _pct(n.fixed_rate)] for n in result.solutions()], 2),
    }
