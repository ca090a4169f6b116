"""Draft rows to the guide and back, and how a draft stands against what users see: the only place
where rows meet the guide. Publishing, importing and rolling back are `publishing.py`'s."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery

from . import compare, document, models, parts as shared
from .guide import LINKS, Guide
from .models import CheckItem, Choice, Instruction, Node, Platform, Source, Version


def _split_codes(codes: str) -> list[str]:
    return [c.strip() for c in codes.replace("\n", ",").split(",") if c.strip()]


def build(row: models.Guide) -> dict:
    """The draft as document data, not yet checked: `document.review` turns it into a guide and says what is wrong."""
    return build_many([row])[row.pk]


def build_many(rows: list[models.Guide]) -> dict[int, dict]:
    """Each guide's draft as document data, by primary key.

    Reads plain rows, eight queries whatever the number and size of the guides: guides can have
    thousands of nodes, and the guide list shows each guide's draft state. The parts a draft
    includes come with their text as it is now, as publishing would pin it.
    """
    pks = [row.pk for row in rows]
    platforms: dict[int, list] = defaultdict(list)
    platform_slug = {}
    for pk, guide_id, slug, name, support, hint in Platform.objects.filter(guide__in=pks).order_by(
            "order", "id").values_list("id", "guide_id", "slug", "name", "support", "hint"):
        platforms[guide_id].append({"slug": slug, "name": name, "support": support, "hint": hint})
        platform_slug[pk] = slug
    sources: dict[int, list] = defaultdict(list)
    for guide_id, *values in Source.objects.filter(guide__in=pks).order_by("order", "id").values_list(
            "guide_id", *SOURCE_FIELDS):
        sources[guide_id].append(_source_data(dict(zip(SOURCE_FIELDS, values))))
    nodes: dict[int, list] = defaultdict(list)
    for node in Node.objects.filter(guide__in=pks).order_by("order", "id").values_list(
            "guide_id", "id", "slug", "kind", "title", "help", "who", "is_start", "sources", *LINKS["solution"],
            *LINKS["checklist"]):
        nodes[node[0]].append(node[1:])
    node_slug = {n[0]: n[1] for guide_nodes in nodes.values() for n in guide_nodes}
    parts: dict[str, dict[int, list]] = {"choices": defaultdict(list), "instructions": defaultdict(list),
                                         "items": defaultdict(list)}
    for node_id, slug, label, next_id in Choice.objects.filter(node__guide__in=pks).order_by("order", "id").values_list(
            "node_id", "slug", "label", "next_id"):
        parts["choices"][node_id].append({"slug": slug, "label": label, "next": node_slug.get(next_id, "")})
    for node_id, text, platform_id, part in Instruction.objects.filter(node__guide__in=pks).order_by(
            "order", "id").values_list("node_id", "text", "platform_id", "part__slug"):
        parts["instructions"][node_id].append({"part": part} if part else {"text": text} | (
            {"platform": platform_slug[platform_id]} if platform_id else {}))
    for node_id, slug, label, expected in CheckItem.objects.filter(node__guide__in=pks).order_by("order", "id").values_list(
            "node_id", "slug", "label", "expected"):
        parts["items"][node_id].append({"slug": slug, "label": label, "expected": expected})
    library = shared.library_data() if any(p.get("part") for lines in parts["instructions"].values() for p in lines) else {}
    return {row.pk: _data(row, platforms[row.pk], sources[row.pk], nodes[row.pk], node_slug, parts, library)
            for row in rows}


SOURCE_FIELDS = ("key", "repo", "path", "commit", "seed", "url", "title", "read")


def _source_data(row: dict) -> dict:
    """A source row as its document entry: its kind's keys only (a seed or page row keeps the default repo)."""
    data = {"id": row["key"]} if row["key"] else {}
    if row["seed"]:
        return data | {"seed": row["seed"]}
    if row["url"]:
        return data | {"url": row["url"], "title": row["title"], "read": row["read"].isoformat() if row["read"] else ""}
    return data | {"repo": row["repo"], "path": row["path"], "commit": row["commit"]}


def _data(row: models.Guide, platforms: list, sources: list, nodes: list, node_slug: dict, parts: dict,
          library: dict) -> dict:
    starts = [n[1] for n in nodes if n[6]]  # is_start
    data: dict = {
        "slug": row.slug, "title": row.title, "category": row.category, "summary": row.summary,
        "codes": _split_codes(row.codes), "error": row.error,
        "messages": [m.strip() for m in row.messages.splitlines() if m.strip()], "sources": sources,
        "platforms": platforms, "start": starts[0] if len(starts) == 1 else "", "nodes": [],
    }
    for pk, slug, kind, title, help_text, who, _, node_sources, *links in nodes:
        node: dict = {"slug": slug, "kind": kind, "title": title, "help": help_text,
                      "sources": [s.strip() for s in node_sources.split(",") if s.strip()]}
        part = {"question": "choices", "checklist": "items", "solution": "instructions"}.get(kind)
        if part:
            node[part] = parts[part][pk]
        if kind == "solution":
            node["who"] = who
        targets = dict(zip((*LINKS["solution"], *LINKS["checklist"]), links))
        for key in LINKS.get(kind, ()):
            node[key] = node_slug.get(targets[key], "")
        data["nodes"].append(node)
    used = dict.fromkeys(line["part"] for n in data["nodes"] for line in n.get("instructions", ()) if "part" in line)
    data["parts"] = [library[slug] for slug in used if slug in library]
    return data


@transaction.atomic
def save(guide: Guide) -> models.Guide:
    """Make the guide's drafts hold this guide (creating it if new).

    Nodes and platforms are matched by slug and updated in place, so a node's admin page open in
    another tab still finds its node; the ones the guide no longer has are deleted. A node's
    choices, lines and instructions are written afresh (they have no pages of their own), so every
    node's revision is counted: a node form opened before is refused with a word of why, where its
    rows would otherwise fail to save without one.
    """
    row, created = models.Guide.objects.select_for_update().get_or_create(slug=guide.slug, defaults={"title": guide.title})
    row.title, row.summary, row.error, row.category = guide.title, guide.summary, guide.error, guide.category
    row.codes = ", ".join(guide.codes)
    row.messages = "\n".join(guide.messages)
    if not created:
        row.revision += 1  # a guide page opened before this is stale now
    row.save()
    platforms = _keep(row.platforms, [
        Platform(guide=row, slug=p.slug, name=p.name, support=p.support, hint=p.hint, order=i)
        for i, p in enumerate(guide.platforms)
    ], ["name", "support", "hint", "order"])
    row.sources.all().delete()
    Source.objects.bulk_create(Source(guide=row, key=s.id, repo=s.repo, path=s.path, commit=s.commit, seed=s.seed,
                                      url=s.url, title=s.title, read=s.read or None, order=i)
                               for i, s in enumerate(guide.sources))
    part_rows = shared.ensure(guide.parts)
    nodes = _keep(row.nodes, [
        Node(guide=row, slug=n.slug, kind=n.kind, title=n.title, help=n.help, who=n.who,
             is_start=n.slug == guide.start, sources=", ".join(n.sources), order=i)
        for i, n in enumerate(guide.nodes.values())
    ], ["kind", "title", "help", "who", "is_start", "sources", "order"])
    _link(nodes, guide)
    if not created:
        row.nodes.update(revision=F("revision") + 1)
    Choice.objects.filter(node__guide=row).delete()
    Instruction.objects.filter(node__guide=row).delete()
    CheckItem.objects.filter(node__guide=row).delete()
    choices, instructions, items = [], [], []
    for n in guide.nodes.values():
        node = nodes[n.slug]
        choices += [Choice(node=node, slug=c.slug, label=c.label, next=nodes[c.next], order=i)
                    for i, c in enumerate(n.choices)]
        instructions += [Instruction(node=node, text=s.text, platform=platforms.get(s.platform),
                                     part=part_rows.get(s.part), order=i) for i, s in enumerate(n.instructions)]
        items += [CheckItem(node=node, slug=c.slug, label=c.label, expected=c.expected, order=i)
                  for i, c in enumerate(n.items)]
    Choice.objects.bulk_create(choices)
    Instruction.objects.bulk_create(instructions)
    CheckItem.objects.bulk_create(items)
    return row


def _keep(rows, wanted: list, fields: list[str]) -> dict:
    """Rows by slug as `wanted` says: the ones that differ updated in place, new ones created, the rest deleted.

    Only rows that changed are written: re-importing a 5,000-node guide to change one title writes one.
    """
    model, existing = rows.model, {r.slug: r for r in rows.all()}
    rows.exclude(slug__in=[w.slug for w in wanted]).delete()
    kept, new, changed = [], [], []
    for w in wanted:
        old = existing.get(w.slug)
        if old is None:
            new.append(w)
            continue
        kept.append(old)
        if any(getattr(old, f) != getattr(w, f) for f in fields):
            for f in fields:
                setattr(old, f, getattr(w, f))
            changed.append(old)
    if changed:
        _update(model, changed, fields)
    if new:
        model.objects.bulk_create(new)
    return {r.slug: r for r in kept + new}


def _update(model, rows: list, fields: list[str]) -> None:
    """One plain UPDATE per row, sent together: Django's bulk_update builds a CASE expression per row
    and field in Python, 17 s for 5,000 nodes against 0.2 s this way."""
    q, meta = connection.ops.quote_name, model._meta
    sql = (f"UPDATE {q(meta.db_table)} SET {', '.join(f'{q(meta.get_field(f).column)} = %s' for f in fields)} "
           f"WHERE {q(meta.pk.column)} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[getattr(row, f) for f in fields] + [row.pk] for row in rows])


def _link(nodes: dict[str, Node], guide: Guide) -> None:
    """Point each node's links where the guide says, writing only the ones that move.

    Few distinct targets (most solutions lead to one escalation): one UPDATE each, in chunks.
    """
    moves: dict[tuple[str, int | None], list[int]] = defaultdict(list)  # (field, target) -> nodes that lead there
    for n in guide.nodes.values():
        row = nodes[n.slug]
        for key in (*LINKS["solution"], *LINKS["checklist"]):
            target = nodes[t].pk if (t := getattr(n, key)) else None
            if getattr(row, f"{key}_id") != target:
                moves[(key, target)].append(row.pk)
    for (key, target), pks in moves.items():
        for i in range(0, len(pks), 500):
            Node.objects.filter(pk__in=pks[i:i + 500]).update(**{f"{key}_id": target})


@dataclass(frozen=True)
class DraftState:
    """How a guide's drafts stand against what users see: the newest published version."""

    newest: int | None  # None: nothing is published yet
    unpublished: bool  # the drafts hold work that no published version holds
    changes: tuple[compare.NodeChange, ...] = ()  # from the newest version to the draft, node by node

    def _titles(self, state: str) -> tuple[str, ...]:
        return tuple(c.title for c in self.changes if c.slug and c.state == state)

    @property
    def added(self) -> tuple[str, ...]:  # titles of nodes only the draft has
        return self._titles("added")

    @property
    def removed(self) -> tuple[str, ...]:  # titles of nodes only the newest version has
        return self._titles("removed")

    @property
    def changed(self) -> tuple[str, ...]:  # titles of nodes in both that differ
        return self._titles("changed")

    @property
    def details(self) -> bool:  # the guide's own fields (title, codes, messages, platforms, start) differ
        return any(not c.slug for c in self.changes)

    @property
    def nodes_differ(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    def __str__(self) -> str:
        if self.unpublished:
            return "Unpublished changes"
        return f"Same as version {self.newest}" if self.newest else "Empty"

    def summary(self) -> str:
        """What replacing the drafts would lose, in one sentence."""
        if self.newest is None:
            return "your draft has never been published"
        n = self.nodes_differ
        parts = [f"{n} node{'' if n == 1 else 's'} differ{'s' if n == 1 else ''} from version {self.newest}"]
        if self.details:
            parts.append("the guide's own fields (title, codes, messages, platforms or start) differ")
        return "your draft has unpublished changes: " + "; ".join(parts)


def against(draft: Guide, live: Guide | None, number: int | None = None, has_rows: bool = True) -> DraftState:
    """The draft against the newest published guide, version `number`; with nothing published, any rows are unpublished work."""
    changes = tuple(compare.compare(live, draft))
    return DraftState(number, has_rows if live is None else bool(changes), changes)


def states(rows: list[models.Guide]) -> dict[int, DraftState]:
    """Each guide's draft state, by primary key, in six queries whatever the number of guides.

    A draft whose data is the newest version's, empty fields aside, is the same without reading
    either as a guide: the guide list shows ~70 guides' states, and most are the same.
    """
    newest = Version.objects.filter(guide__in=rows, number=Subquery(
        Version.objects.filter(guide=OuterRef("guide")).order_by("-number").values("number")[:1]))
    live = {guide_id: (number, data) for guide_id, number, data in newest.values_list("guide_id", "number", "document")}
    drafts = build_many(rows)
    result = {}
    for row in rows:
        data = drafts[row.pk]
        if row.pk not in live:
            result[row.pk] = against(document.review(data)[0], None, has_rows=bool(data["nodes"] or data["platforms"]))
            continue
        number, stored = live[row.pk]
        if _plain(data) == _plain(stored):
            result[row.pk] = DraftState(number, False)
        else:
            result[row.pk] = against(document.review(data)[0], document.load(stored), number)
    return result


def state(row: models.Guide, draft: Guide | None = None) -> DraftState:
    """One guide's draft state; given the `draft` its caller already read from the rows, they are not read again."""
    if draft is None:
        return states([row])[row.pk]
    newest = Version.objects.filter(guide=row).order_by("-number").values_list("number", "document").first()
    if newest is None:
        return against(draft, None, has_rows=bool(draft.nodes or draft.platforms))
    return against(draft, document.load(newest[1]), newest[0])


def _plain(value):
    """Document data without its empty fields, which versions leave out."""
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items() if v not in ("", [], None)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
