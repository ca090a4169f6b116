"""Draft rows to document and back, and publishing. The only place rows become a tree."""

from django.db import transaction
from django.db.models import Max

from . import document
from .models import CheckItem, Choice, Guide, Node, Platform, Step, Version


def _split_codes(codes: str) -> list[str]:
    return [c.strip() for c in codes.replace("\n", ",").split(",") if c.strip()]


def build(guide: Guide) -> dict:
    """The draft guide as a document (not yet checked: `document.check` says what is wrong)."""
    platforms = list(guide.platforms.all())
    platform_slug = {p.id: p.slug for p in platforms}
    nodes = list(guide.nodes.prefetch_related("choices", "steps", "items"))
    node_slug = {n.id: n.slug for n in nodes}
    starts = [n.slug for n in nodes if n.is_start]
    doc: dict = {"slug": guide.slug, "title": guide.title}
    if guide.summary.strip():
        doc["summary"] = guide.summary.strip()
    doc |= {
        "codes": _split_codes(guide.codes),
        "error": guide.error.strip(),
        "messages": [m.strip() for m in guide.messages.splitlines() if m.strip()],
        "platforms": [{"slug": p.slug, "name": p.name, "support": p.support} for p in platforms],
        "start": starts[0] if len(starts) == 1 else "",
        "nodes": [],
    }
    for n in nodes:
        node: dict = {"slug": n.slug, "kind": n.kind, "title": n.title}
        if n.help.strip():
            node["help"] = n.help.strip()
        if n.kind == Node.Kind.QUESTION:
            node["choices"] = [
                {"slug": c.slug, "label": c.label, "next": node_slug.get(c.next_id, "")} for c in n.choices.all()
            ]
        elif n.kind == Node.Kind.CHECKLIST:
            node["items"] = [{"slug": i.slug, "label": i.label, "expected": i.expected} for i in n.items.all()]
        elif n.kind == Node.Kind.SOLUTION:
            if n.who.strip():
                node["who"] = n.who.strip()
            node["steps"] = [
                {"text": s.text} | ({"platform": platform_slug[s.platform_id]} if s.platform_id else {})
                for s in n.steps.all()
            ]
        for key in document.LINKS.get(n.kind, ()):
            if target := node_slug.get(getattr(n, f"{key}_id")):
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
    links, choices, steps, items = [], [], [], []
    for n in doc["nodes"]:
        row = nodes[n["slug"]]
        for key in document.LINKS.get(n["kind"], ()):
            if key in n:
                setattr(row, key, nodes[n[key]])
                links.append(row)
        choices += [Choice(node=row, slug=c["slug"], label=c["label"], next=nodes[c["next"]], order=i)
                    for i, c in enumerate(n.get("choices", ()))]
        steps += [Step(node=row, text=s["text"], platform=platforms.get(s.get("platform")), order=i)
                  for i, s in enumerate(n.get("steps", ()))]
        items += [CheckItem(node=row, order=i, **item) for i, item in enumerate(n.get("items", ()))]
    Node.objects.bulk_update(set(links), ["if_not_fixed", "if_all_match", "if_any_differ"])
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
    return Version.objects.create(guide=guide, number=number, document=doc, note=note[:300], published_by=user)


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
