"""What the admin shows authors about a draft guide: its problems, its outline, its graph, and
what each published version changed."""

import difflib
from dataclasses import dataclass

from django import forms
from django.db import transaction
from django.db.models import F

from . import document, drafts
from .document import Problem
from .models import Guide, Node, Version


@dataclass(frozen=True)
class Row:
    """One line of the outline: a node reached by `via`, indented by `depth`."""

    depth: int
    via: str
    slug: str
    node: dict | None  # None when the slug names no node
    repeat: bool = False  # already shown above; not expanded again
    unreachable: bool = False


def review(guide: Guide) -> tuple[dict, list[Problem]]:
    doc, problems = document.review(drafts.build(guide))
    starts = list(guide.nodes.filter(is_start=True).order_by("order", "id").values_list("slug", flat=True))
    if len(starts) != 1:
        # The document has a single 'start'; say in the author's words what is wrong with the rows.
        message = "no node is marked as the start" if not starts else f"{len(starts)} nodes are marked as the start: {', '.join(starts)}"
        problems = [Problem("error", starts[1] if starts else None, message + "; mark exactly one")] + [
            p for p in problems if "'start' is missing" not in p.message]
    return doc, problems


def outline(doc: dict) -> list[Row]:
    """The tree from the start node, depth first; nodes reached twice are shown once in full."""
    nodes = {n["slug"]: n for n in doc["nodes"]}
    rows: list[Row] = []
    shown: set[str] = set()
    stack = [(0, "Start", doc["start"])]
    while stack:
        depth, via, slug = stack.pop()
        if slug in shown:
            rows.append(Row(depth, via, slug, nodes.get(slug), repeat=True))
            continue
        shown.add(slug)
        rows.append(Row(depth, via, slug, nodes.get(slug)))
        if slug in nodes and depth < 60:
            stack.extend((depth + 1, label, target) for label, target in reversed(exits(nodes[slug])))
    rows += [Row(0, "Not reached", slug, node, unreachable=True) for slug, node in nodes.items() if slug not in shown]
    return rows


def exits(node: dict) -> list[tuple[str, str]]:
    """Every way out of a node, in words an author reads, with the slug it leads to."""
    if node["kind"] == "question":
        return [(f"“{c['label']}”", c["next"]) for c in node["choices"]]
    words = {"if_all_match": "If all match", "if_any_differ": "If any differ", "if_not_fixed": "If not fixed"}
    return [(words[key], node[key]) for key in document.LINKS.get(node["kind"], ()) if key in node]


def graph(doc: dict, problems: list[Problem], urls: dict[str, str]) -> dict:
    """Nodes and edges for the picture; a node with an error is marked."""
    broken = {p.node for p in problems if p.level == "error"}
    known = {n["slug"] for n in doc["nodes"]}
    nodes = [
        {"id": n["slug"], "label": f"{n['slug']}\n{n['title'][:40]}", "kind": n["kind"],
         "start": n["slug"] == doc["start"], "problem": n["slug"] in broken, "url": urls.get(n["slug"], "")}
        for n in doc["nodes"]
    ]
    edges = [
        {"source": n["slug"], "target": target, "label": label[:30]}
        for n in doc["nodes"] for label, target in exits(n) if target in known
    ]
    return {"nodes": nodes, "edges": edges}


def changes(versions: list[Version]) -> list[tuple[Version, str]]:
    """Each version with the unified diff of its document's text against the version before it."""
    ordered = sorted(versions, key=lambda v: v.number)
    result, before = [], ""
    for version in ordered:
        text = document.write(version.document)
        diff = difflib.unified_diff(
            before.splitlines(keepends=True), text.splitlines(keepends=True),
            f"version {version.number - 1}" if before else "nothing", f"version {version.number}",
        )
        result.append((version, "".join(diff)))
        before = text
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


def bump(obj: Guide | Node) -> None:
    """Count a save of a guide or a node; a node's save counts for its guide's page too."""
    obj.revision += 1
    if isinstance(obj, Node):
        Guide.objects.filter(pk=obj.guide_id).update(revision=F("revision") + 1)


@transaction.atomic
def roll_back(version: Version, user) -> tuple[Version, bool]:
    """Make an older version's document the drafts and publish it again as the newest version."""
    return drafts.import_document(version.document, user, note=f"Rolled back to version {version.number}")
