"""Draft rows to document and back, and publishing. The only place rows become a tree."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Max

from . import document, published
from .models import CheckItem, Choice, Guide, Node, Platform, Step, Version


def _split_codes(codes: str) -> list[str]:
    return [c.strip() for c in codes.replace("\n", ",").split(",") if c.strip()]


def build(guide: Guide) -> dict:
    """The draft guide as a document (not yet checked: `document.check` says what is wrong).

    Reads plain rows, four queries whatever the guide's size: guides can have thousands of nodes.
    """
    platforms = list(guide.platforms.values_list("id", "slug", "name", "support"))
    platform_slug = {pk: slug for pk, slug, _, _ in platforms}
    nodes = list(guide.nodes.order_by("order", "id").values_list(
        "id", "slug", "kind", "title", "help", "who", "is_start", "if_not_fixed_id", "if_all_match_id", "if_any_differ_id"))
    node_slug = {row[0]: row[1] for row in nodes}
    parts: dict[str, dict[int, list]] = {"choices": defaultdict(list), "steps": defaultdict(list), "items": defaultdict(list)}
    for node_id, slug, label, next_id in Choice.objects.filter(node__guide=guide).order_by("order", "id").values_list(
            "node_id", "slug", "label", "next_id"):
        parts["choices"][node_id].append({"slug": slug, "label": label, "next": node_slug.get(next_id, "")})
    for node_id, text, platform_id in Step.objects.filter(node__guide=guide).order_by("order", "id").values_list(
            "node_id", "text", "platform_id"):
        parts["steps"][node_id].append({"text": text} | ({"platform": platform_slug[platform_id]} if platform_id else {}))
    for node_id, slug, label, expected in CheckItem.objects.filter(node__guide=guide).order_by("order", "id").values_list(
            "node_id", "slug", "label", "expected"):
        parts["items"][node_id].append({"slug": slug, "label": label, "expected": expected})

    starts = [row[1] for row in nodes if row[6]]
    doc: dict = {"slug": guide.slug, "title": guide.title}
    if guide.summary.strip():
        doc["summary"] = guide.summary.strip()
    doc |= {
        "codes": _split_codes(guide.codes),
        "error": guide.error.strip(),
        "messages": [m.strip() for m in guide.messages.splitlines() if m.strip()],
        "platforms": [{"slug": slug, "name": name, "support": support} for _, slug, name, support in platforms],
        "start": starts[0] if len(starts) == 1 else "",
        "nodes": [],
    }
    for pk, slug, kind, title, help_text, who, _, *links in nodes:
        node: dict = {"slug": slug, "kind": kind, "title": title}
        if help_text.strip():
            node["help"] = help_text.strip()
        if kind == Node.Kind.QUESTION:
            node["choices"] = parts["choices"][pk]
        elif kind == Node.Kind.CHECKLIST:
            node["items"] = parts["items"][pk]
        elif kind == Node.Kind.SOLUTION:
            if who.strip():
                node["who"] = who.strip()
            node["steps"] = parts["steps"][pk]
        targets = dict(zip(("if_not_fixed", "if_all_match", "if_any_differ"), links))
        for key in document.LINKS.get(kind, ()):
            if target := node_slug.get(targets[key]):
                node[key] = target
        doc["nodes"].append(node)
    return doc


@transaction.atomic
def save(doc: dict) -> Guide:
    """Replace the drafts of the document's guide (creating it if new) with the document."""
    guide, _ = Guide.objects.select_for_update().get_or_create(slug=doc["slug"], defaults={"title": doc["title"]})
    guide.title = doc["title"]
    guide.summary = doc.get("summary", "")
    guide.codes = ", ".join(doc["codes"])
    guide.error = doc["error"]
    guide.messages = "\n".join(doc["messages"])
    guide.save()
    guide.nodes.all().delete()
    guide.platforms.all().delete()
    platforms = {
        p["slug"]: Platform.objects.create(guide=guide, order=i, **p) for i, p in enumerate(doc["platforms"])
    }
    nodes = {
        n["slug"]: Node(
            guide=guide, slug=n["slug"], kind=n["kind"], title=n["title"], help=n.get("help", ""),
            who=n.get("who", ""), is_start=n["slug"] == doc["start"], order=i,
        )
        for i, n in enumerate(doc["nodes"])
    }
    Node.objects.bulk_create(nodes.values())
    links: dict[tuple[str, int], list[int]] = defaultdict(list)  # (field, target) -> nodes that lead there
    choices, steps, items = [], [], []
    for n in doc["nodes"]:
        row = nodes[n["slug"]]
        for key in document.LINKS.get(n["kind"], ()):
            if key in n:
                links[(key, nodes[n[key]].pk)].append(row.pk)
        choices += [Choice(node=row, slug=c["slug"], label=c["label"], next=nodes[c["next"]], order=i)
                    for i, c in enumerate(n.get("choices", ()))]
        steps += [Step(node=row, text=s["text"], platform=platforms.get(s.get("platform")), order=i)
                  for i, s in enumerate(n.get("steps", ()))]
        items += [CheckItem(node=row, order=i, **item) for i, item in enumerate(n.get("items", ()))]
    # Few distinct targets (most solutions lead to one escalation): one UPDATE each, in chunks.
    for (key, target), pks in links.items():
        for i in range(0, len(pks), 500):
            Node.objects.filter(pk__in=pks[i:i + 500]).update(**{f"{key}_id": target})
    Choice.objects.bulk_create(choices)
    Step.objects.bulk_create(steps)
    CheckItem.objects.bulk_create(items)
    return guide


@transaction.atomic
def publish(guide: Guide, user=None, note: str = "") -> Version:
    """Check the drafts and store them as the next version; raises DocumentError if they have errors."""
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    doc = document.check(build(guide))
    number = (guide.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = Version.objects.create(guide=guide, number=number, document=doc, note=note[:300], published_by=user)
    transaction.on_commit(lambda: published.forget_newest(guide.slug))
    return version


@transaction.atomic
def import_document(doc: dict, user=None, note: str = "") -> tuple[Version, bool]:
    """Make a checked document the guide's drafts and publish it, unless it is the latest already.

    Returns the version that serves it and whether it is new. The caller's transaction rolls the
    drafts back if publishing fails.
    """
    latest = Version.objects.filter(guide__slug=doc["slug"]).order_by("-number").first()
    guide = save(doc)
    if latest and latest.document == doc:
        return latest, False
    return publish(guide, user, note), True
