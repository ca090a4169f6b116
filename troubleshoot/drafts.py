"""Draft rows to the guide and back, and publishing: the only place where rows meet the guide."""

from collections import defaultdict

from django.db import transaction

from . import document, models
from .guide import LINKS, Guide
from .models import CheckItem, Choice, Instruction, Node, Platform, Version
from .published import catalogue


def _split_codes(codes: str) -> list[str]:
    return [c.strip() for c in codes.replace("\n", ",").split(",") if c.strip()]


def build(row: models.Guide) -> dict:
    """The draft as document data, not yet checked: `document.review` turns it into a guide and says what is wrong."""
    return build_many([row])[row.pk]


def build_many(rows: list[models.Guide]) -> dict[int, dict]:
    """Each guide's draft as document data, by primary key.

    Reads plain rows, four queries whatever the number and size of the guides: guides can have
    thousands of nodes, and the guide list shows each guide's draft state.
    """
    pks = [row.pk for row in rows]
    platforms: dict[int, list] = defaultdict(list)
    platform_slug = {}
    for pk, guide_id, slug, name, support in Platform.objects.filter(guide__in=pks).order_by("order", "id").values_list(
            "id", "guide_id", "slug", "name", "support"):
        platforms[guide_id].append((slug, name, support))
        platform_slug[pk] = slug
    nodes: dict[int, list] = defaultdict(list)
    for node in Node.objects.filter(guide__in=pks).order_by("order", "id").values_list(
            "guide_id", "id", "slug", "kind", "title", "help", "who", "is_start", *LINKS["solution"], *LINKS["checklist"]):
        nodes[node[0]].append(node[1:])
    node_slug = {n[0]: n[1] for guide_nodes in nodes.values() for n in guide_nodes}
    parts: dict[str, dict[int, list]] = {"choices": defaultdict(list), "instructions": defaultdict(list),
                                         "items": defaultdict(list)}
    for node_id, slug, label, next_id in Choice.objects.filter(node__guide__in=pks).order_by("order", "id").values_list(
            "node_id", "slug", "label", "next_id"):
        parts["choices"][node_id].append({"slug": slug, "label": label, "next": node_slug.get(next_id, "")})
    for node_id, text, platform_id in Instruction.objects.filter(node__guide__in=pks).order_by("order", "id").values_list(
            "node_id", "text", "platform_id"):
        parts["instructions"][node_id].append({"text": text} | ({"platform": platform_slug[platform_id]} if platform_id else {}))
    for node_id, slug, label, expected in CheckItem.objects.filter(node__guide__in=pks).order_by("order", "id").values_list(
            "node_id", "slug", "label", "expected"):
        parts["items"][node_id].append({"slug": slug, "label": label, "expected": expected})
    return {row.pk: _data(row, platforms[row.pk], nodes[row.pk], node_slug, parts) for row in rows}


def _data(row: models.Guide, platforms: list, nodes: list, node_slug: dict, parts: dict) -> dict:
    starts = [n[1] for n in nodes if n[6]]
    data: dict = {
        "slug": row.slug, "title": row.title, "summary": row.summary, "codes": _split_codes(row.codes),
        "error": row.error, "messages": [m.strip() for m in row.messages.splitlines() if m.strip()],
        "platforms": [{"slug": slug, "name": name, "support": support} for slug, name, support in platforms],
        "start": starts[0] if len(starts) == 1 else "", "nodes": [],
    }
    for pk, slug, kind, title, help_text, who, _, *links in nodes:
        node: dict = {"slug": slug, "kind": kind, "title": title, "help": help_text}
        part = {"question": "choices", "checklist": "items", "solution": "instructions"}.get(kind)
        if part:
            node[part] = parts[part][pk]
        if kind == "solution":
            node["who"] = who
        targets = dict(zip((*LINKS["solution"], *LINKS["checklist"]), links))
        for key in LINKS.get(kind, ()):
            node[key] = node_slug.get(targets[key], "")
        data["nodes"].append(node)
    return data


@transaction.atomic
def save(guide: Guide) -> models.Guide:
    """Replace the drafts of the guide (creating it if new) with this guide."""
    row, _ = models.Guide.objects.select_for_update().get_or_create(slug=guide.slug, defaults={"title": guide.title})
    row.title, row.summary, row.error = guide.title, guide.summary, guide.error
    row.codes = ", ".join(guide.codes)
    row.messages = "\n".join(guide.messages)
    row.save()
    row.nodes.all().delete()
    row.platforms.all().delete()
    platforms = {
        p.slug: Platform.objects.create(guide=row, slug=p.slug, name=p.name, support=p.support, order=i)
        for i, p in enumerate(guide.platforms)
    }
    nodes = {
        n.slug: Node(guide=row, slug=n.slug, kind=n.kind, title=n.title, help=n.help, who=n.who,
                     is_start=n.slug == guide.start, order=i)
        for i, n in enumerate(guide.nodes.values())
    }
    Node.objects.bulk_create(nodes.values())
    links: dict[tuple[str, int], list[int]] = defaultdict(list)  # (field, target) -> nodes that lead there
    choices, instructions, items = [], [], []
    for n in guide.nodes.values():
        node = nodes[n.slug]
        for key in LINKS.get(n.kind, ()):
            if target := getattr(n, key):
                links[(key, nodes[target].pk)].append(node.pk)
        choices += [Choice(node=node, slug=c.slug, label=c.label, next=nodes[c.next], order=i)
                    for i, c in enumerate(n.choices)]
        instructions += [Instruction(node=node, text=s.text, platform=platforms.get(s.platform), order=i)
                         for i, s in enumerate(n.instructions)]
        items += [CheckItem(node=node, slug=c.slug, label=c.label, expected=c.expected, order=i)
                  for i, c in enumerate(n.items)]
    # Few distinct targets (most solutions lead to one escalation): one UPDATE each, in chunks.
    for (key, target), pks in links.items():
        for i in range(0, len(pks), 500):
            Node.objects.filter(pk__in=pks[i:i + 500]).update(**{f"{key}_id": target})
    Choice.objects.bulk_create(choices)
    Instruction.objects.bulk_create(instructions)
    CheckItem.objects.bulk_create(items)
    return row


@transaction.atomic
def publish(row: models.Guide, user=None, note: str = "") -> Version:
    """Check the drafts and store them as the next version; raises DocumentError if they have errors."""
    row = models.Guide.objects.select_for_update().get(pk=row.pk)
    guide = document.check(build(row))
    number = (Version.objects.newest_number(row.slug) or 0) + 1
    version = Version.objects.create(guide=row, number=number, document=document.as_data(guide), note=note[:300],
                                     published_by=user)
    transaction.on_commit(catalogue.forget_newest)
    return version


@transaction.atomic
def import_guide(guide: Guide, user=None, note: str = "") -> tuple[Version, bool]:
    """Make a checked guide the drafts and publish it, unless the newest version holds it already.

    Returns the version that serves it and whether it is new. The caller's transaction rolls the
    drafts back if publishing fails.
    """
    latest = Version.objects.filter(guide__slug=guide.slug).order_by("-number").first()
    row = save(guide)
    if latest and document.load(latest.document) == guide:
        return latest, False
    return publish(row, user, note), True
