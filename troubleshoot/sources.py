"""A guide's sources in its document, and the nodes that name them (FORMAT.md §1 and §2).

A source has an `id` that nodes name in their `sources: [id, ...]`, and is one of three kinds:
an article in a repository at the commit read (repo, path, commit), a seed text (seed), or a web
page (url, title, read). Documents written before ids (no ids, no node sources) still read.
`document.py` calls these while it reads, writes and lints.
"""

import datetime
import re

from .guide import Guide, Node, Source

KEYS = ("id", "repo", "path", "commit", "seed", "url", "title", "read")
KIND_KEYS = {"github": ("repo", "path", "commit"), "seed": ("seed",), "web": ("url", "title", "read")}
# The nodes that must rest on a source; an escalation may name some.
CITING = ("question", "checklist", "solution")
# Warnings for an authored guide, errors for a shipped one (FORMAT.md §5; `facts.shipped`).
NO_ID = "has no id: give it one, so nodes can name it"
NO_SOURCES = "names no sources: say which of the guide's sources this rests on"


def read_source(checker, data, where: str) -> Source:
    """One entry of a guide's `sources`, its problems told to `checker` (document's reader)."""
    data = checker.mapping(data, where, KEYS)
    if isinstance(data.get("read"), (datetime.date, datetime.datetime)):  # YAML reads 2026-12-05 as a date
        data = data | {"read": data["read"].isoformat()[:10]}
    kinds = [kind for kind, keys in KIND_KEYS.items() if data.get(keys[0])]
    if len(kinds) > 1:
        checker.fail(where, "a source is one of: an article (repo, path, commit), a seed (seed) or a web page "
                            "(url, title, read); this one mixes " + " and ".join(kinds))
    kind = kinds[0] if kinds else "github"
    values = {key: checker.text(data, key, where, required=False) for key in KEYS if key != "id"}
    missing = [key for key in KIND_KEYS[kind] if not values[key]]
    if missing:
        what = {"github": "an article", "seed": "a seed", "web": "a web page"}[kind]
        checker.fail(where, f"{what} needs its {' and '.join(repr(k) for k in missing)}")
    source = Source(id=checker.slug(data, "id", where, required=False), **values)
    if source.repo and not re.fullmatch(r"[\w.-]+/[\w.-]+", source.repo):
        checker.fail(where, f"'repo' '{source.repo}' must be a repository's owner/name, like Expensify/App")
    if source.commit and not re.fullmatch(r"[0-9a-f]{7,40}", source.commit):
        checker.fail(where, f"'commit' '{source.commit}' must be a commit's hexadecimal id")
    if source.url and not re.match(r"https?://[^\s/]+", source.url):
        checker.fail(where, f"'url' '{source.url}' must be a web address starting with https://")
    if source.read and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.read):
        checker.fail(where, f"'read' '{source.read}' must be the date the page was read, like 2026-12-05")
    return source


def read_node_sources(checker, data: dict, where: str) -> tuple[str, ...]:
    """A node's `sources`: the ids of its guide's sources (checked against them by `lint`)."""
    return tuple(checker.slug({"id": value}, "id", f"{where}.sources[{i}]")
                 for i, value in enumerate(checker.items(data, "sources", where)))


def source_data(source: Source) -> dict:
    """A source as its document entry: its id first, then its kind's keys."""
    data = {"id": source.id} if source.id else {}
    return data | {key: getattr(source, key) for key in KIND_KEYS[source.kind] if getattr(source, key)}


def lint(guide: Guide, error, warning) -> None:
    """Ids unique and named; every node that states something names what it rests on.

    An unknown id is an error; a missing id or node sources a warning, which `shipped` makes errors.
    """
    ids = [s.id for s in guide.sources if s.id]
    for value in sorted({i for i in ids if ids.count(i) > 1}):
        error(None, f"two sources have the id '{value}': give one another")
    for source in guide.sources:
        if not source.id:
            warning(None, f"the source {source.name} {NO_ID}")
    for slug, node in guide.nodes.items():
        for name in node.sources:
            if name not in ids:
                error(slug, f"names the source '{name}', which is not one of the guide's sources "
                            f"({', '.join(ids) or 'none has an id'}): fix the id, or add the source")
        if node.kind in CITING and not node.sources:
            warning(slug, NO_SOURCES)


def sources_of(guide: Guide, node: Node) -> list[Source]:
    by_id = {s.id: s for s in guide.sources if s.id}
    return [by_id[name] for name in node.sources if name in by_id]
