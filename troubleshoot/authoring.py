"""What the admin shows authors about a draft guide: its problems, its outline, its graph, and
what each published version changed."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db.models import F
from django.urls import reverse

from . import compare, document, drafts, facts, models
from .document import Problem
from .guide import ALL_MATCH, NOT_FIXED, Exit, Guide, Node, tour


LINK_ANSWERS = (ALL_MATCH, NOT_FIXED, "")


@dataclass(frozen=True)
class Row:
    """One line of the outline: a node reached by `via`, indented by `depth`."""

    depth: int
    via: str
    slug: str
    node: Node | None  # None when the slug names no node
    repeat: bool = False  # already shown above; not expanded again
    unreachable: bool = False
    problem: str = ""  # the node's worst problem: "error", "warning" or ""


def review(row: models.Guide) -> tuple[Guide, list[Problem]]:
    guide, problems = document.review(drafts.build(row))
    starts = list(row.nodes.filter(is_start=True).order_by("order", "id").values_list("slug", flat=True))
    if len(starts) != 1:
        # The document has a single 'start'; say in the author's words what is wrong with the rows.
        message = "no node is marked as the start" if not starts else f"{len(starts)} nodes are marked as the start: {', '.join(starts)}"
        problems = [Problem("error", starts[1] if starts else None, message + "; mark exactly one")] + [
            p for p in problems if not p.message.endswith(document.EMPTY["start"])]
    return guide, problems + facts_warnings(guide)


def facts_warnings(guide: Guide) -> list[Problem]:
    """What the facts check finds in a draft, as warnings: a guide authored here may publish without
    records; a shipped one (check_guides) may not."""
    try:
        records = facts.read_once(str(settings.BASE_DIR / "fixtures" / "facts"))
    except (facts.FactsError, OSError) as exc:
        return [Problem("warning", None, f"the facts records cannot be read, so the facts were not checked: {exc}")]
    return facts.authored(guide, records)


@dataclass(frozen=True)
class Shown:
    """A problem as the admin shows it: with its node's title and the page to fix it on."""

    level: str
    message: str
    node: str | None
    title: str
    url: str | None


def shown(problems: list[Problem], guide: Guide, urls: dict[str, str]) -> list[Shown]:
    def title(slug: str) -> str:
        node = guide.nodes.get(slug)
        return node.title if node and node.title else slug

    return [Shown(p.level, p.message, p.node, title(p.node) if p.node else "", urls.get(p.node)) for p in problems]


def node_urls(row: models.Guide) -> dict[str, str]:
    """Each draft node's admin page, by slug."""
    return {slug: reverse("admin:troubleshoot_node_change", args=[pk]) for slug, pk in row.nodes.values_list("slug", "pk")}


def outline(guide: Guide, problems: list[Problem] = ()) -> list[Row]:
    """The tree from the start node, depth first; nodes reached twice are shown once in full."""
    worst = problem_levels(problems)
    rows = [Row(v.depth, _words(v.via), v.slug, guide.nodes.get(v.slug), repeat=v.again, problem=worst.get(v.slug, ""))
            for v in tour(guide).visits] if guide.start else []
    met = {row.slug for row in rows}
    rows += [Row(0, "Not reached", slug, node, unreachable=True, problem=worst.get(slug, ""))
             for slug, node in guide.nodes.items() if slug not in met]
    return rows


def _words(via: Exit | None) -> str:
    if via is None:
        return "Start"
    return via.label if via.answer in LINK_ANSWERS else f"“{via.label}”"  # a choice's label, quoted


def problem_levels(problems: list[Problem]) -> dict[str, str]:
    """Each node's worst problem: "error" or "warning"; nodes without one are left out."""
    worst: dict[str, str] = {}
    for p in problems:
        if p.node and worst.get(p.node) != "error":
            worst[p.node] = p.level
    return worst


def graph(guide: Guide, problems: list[Problem], urls: dict[str, str]) -> dict:
    """Nodes and edges for the picture; each node's worst problem ("error", "warning" or "") is marked."""
    worst = problem_levels(problems)
    nodes = [
        {"id": n.slug, "label": f"{n.slug}\n{n.title}", "kind": n.kind,
         "start": n.slug == guide.start, "problem": worst.get(n.slug, ""), "url": urls.get(n.slug, "")}
        for n in guide.nodes.values()
    ]
    edges = [
        {"source": n.slug, "target": way.target, "label": way.label}
        for n in guide.nodes.values() for way in n.exits if way.target in guide.nodes
    ]
    return {"nodes": nodes, "edges": edges}


def changes(versions: list[models.Version]) -> list[tuple[models.Version, list[compare.NodeChange]]]:
    """Each version, newest first, with what it changed from the version before it, node by node."""
    result, before = [], None
    for version in sorted(versions, key=lambda v: v.number):
        guide = document.load(version.document)
        result.append((version, compare.compare(before, guide)))
        before = guide
    return list(reversed(result))


class StaleEditForm(forms.ModelForm):
    """Refuses to save a form that was opened before someone else saved the same row."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_revision"].initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin saves inside a transaction, so this lock holds until our save is done.
            current = (type(self.instance).objects.select_for_update()
                       .filter(pk=self.instance.pk).values_list("revision", flat=True).first())
            if current is not None and current != cleaned.get("seen_revision"):
                raise forms.ValidationError(
                    "Someone else saved this since you opened it, so your changes were not saved. "
                    "Open it again to see their version, then make your changes once more."
                )
        return cleaned


def bump(obj: models.Guide | models.Node) -> None:
    """Count a save of a guide or a node; a node's save counts for its guide's page too."""
    obj.revision += 1
    if isinstance(obj, models.Node):
        models.Guide.objects.filter(pk=obj.guide_id).update(revision=F("revision") + 1)
