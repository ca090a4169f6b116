"""Two states of a guide compared node by node, as an author reads them: what was added, removed or
changed, each changed text side by side with its changed words marked.

Used for a version against the one before it, and for the draft against what users see. Words are
compared with the standard library's difflib, so a changed word in a long help text stands out.
"""

import difflib
import re
from dataclasses import dataclass

from .guide import Guide, Node

WORDS = re.compile(r"\n|[^\s]+")  # words, and line breaks; other white space only separates


@dataclass(frozen=True)
class Text:
    """One side of a changed text: its pieces, each marked when it is what changed."""

    pieces: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Text
    after: Text


@dataclass(frozen=True)
class NodeChange:
    slug: str
    title: str
    state: str  # "added", "removed" or "changed"
    fields: tuple[FieldChange, ...]


def compare(before: Guide | None, after: Guide) -> list[NodeChange]:
    """Every difference from `before` (None: nothing yet) to `after`: the guide's own fields first,
    then each node in `after`'s order, then the nodes `after` no longer has."""
    changes = []
    guide_fields = _changed(_guide_texts(before) if before else {}, _guide_texts(after))
    if guide_fields:
        changes.append(NodeChange("", "The guide itself", "changed" if before else "added", guide_fields))
    old = before.nodes if before else {}
    for slug, node in after.nodes.items():
        if slug not in old:
            changes.append(NodeChange(slug, node.title, "added", _changed({}, _node_texts(after, node))))
        elif fields := _changed(_node_texts(before, old[slug]), _node_texts(after, node)):
            changes.append(NodeChange(slug, node.title, "changed", fields))
    for slug, node in old.items():
        if slug not in after.nodes:
            changes.append(NodeChange(slug, node.title, "removed", _changed(_node_texts(before, node), {})))
    return changes


def _guide_texts(guide: Guide) -> dict[str, str]:
    texts = {"Title": guide.title, "Kind of error": guide.category, "Summary": guide.summary,
             "Codes": ", ".join(guide.codes), "Error": guide.error, "Messages": "\n".join(guide.messages),
             "Start": guide.start, "Sources": "\n".join(_source_text(s) for s in guide.sources)}
    for p in guide.platforms:
        texts[f"Platform {p.slug}"] = f"{p.name} (support: {p.support})" + (f"\n{p.hint}" if p.hint else "")
    return texts


def _source_text(s) -> str:
    where = s.seed or (f"{s.title} {s.url} read {s.read}" if s.url else f"{s.repo} {s.path} @ {s.commit}")
    return f"{s.id}: {where}" if s.id else where


def _node_texts(guide: Guide, node: Node) -> dict[str, str]:
    texts = {"Kind": node.kind, "Title": node.title, "Help": node.help, "Who can do this": node.who,
             "Sources": ", ".join(node.sources)}
    for c in node.choices:
        texts[f"Answer {c.slug}"] = f"{c.label} → {c.next}"
    for i in node.items:
        texts[f"Checklist line {i.slug}"] = f"{i.label}: should be {i.expected}"
    for n, instruction in enumerate(guide.expanded(node), 1):  # a changed part shows in every node that includes it
        texts[f"Instruction {n} ({instruction.platform or 'every platform'})"] = instruction.text
    if node.kind != "question":  # a question's ways out are its answers, above
        for way in node.exits:
            texts[way.label] = way.target
    return texts


def _changed(old: dict[str, str], new: dict[str, str]) -> tuple[FieldChange, ...]:
    names = list(new) + [name for name in old if name not in new]
    return tuple(_field(name, old.get(name, ""), new.get(name, "")) for name in names
                 if old.get(name, "") != new.get(name, ""))


def _field(name: str, before: str, after: str) -> FieldChange:
    a, b = WORDS.findall(before), WORDS.findall(after)
    old, new = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old.append((a[i1:i2], op != "equal"))
        new.append((b[j1:j2], op != "equal"))
    return FieldChange(name, _text(old), _text(new))


def _text(runs: list[tuple[list[str], bool]]) -> Text:
    """Runs of words as text again: a space between words, none beside a line break."""
    pieces, previous = [], "\n"
    for words, marked in runs:
        if not words:
            continue
        text = ""
        for word in words:
            text += ("" if "\n" in (word, previous) else " ") + word
            previous = word
        if not pieces:
            text = text.lstrip(" ")
        elif marked and text.startswith(" "):  # the space before a change is not part of it
            pieces.append((" ", False))
            text = text[1:]
        pieces.append((text, marked))
    return Text(tuple(pieces))
