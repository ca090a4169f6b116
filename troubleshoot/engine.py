"""Walking a published guide: which node a list of answers leads to, and the trail that led there.

Pure functions over a checked document: no requests, no ORM, no templates. The answer to each kind
of node is one URL segment:
    question   the chosen choice's slug
    checklist  'all-match', or the slugs of the items that differ joined by '+'
    solution   'fixed' or 'not-fixed'
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from .document import ALL_MATCH, FIXED, NOT_FIXED, targets


@dataclass(frozen=True, slots=True)
class Platform:
    slug: str
    name: str
    support: str


@dataclass(frozen=True, slots=True)
class Choice:
    slug: str
    label: str
    next: str


@dataclass(frozen=True, slots=True)
class Item:
    slug: str
    label: str
    expected: str


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    platform: str | None


@dataclass(frozen=True, slots=True)
class Node:
    slug: str
    kind: str
    title: str
    help: str = ""
    who: str = ""
    choices: tuple[Choice, ...] = ()
    items: tuple[Item, ...] = ()
    steps: tuple[Step, ...] = ()
    if_not_fixed: str = ""
    if_all_match: str = ""
    if_any_differ: str = ""

    def steps_for(self, platform: str) -> list[Step]:
        return [s for s in self.steps if s.platform in (None, platform)]


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    summary: str
    codes: tuple[str, ...]
    error: str
    messages: tuple[str, ...]
    platforms: tuple[Platform, ...]
    start: str
    nodes: dict[str, Node]
    # Most answers still to give from each node to the end of the walk: the progress cue.
    remaining: dict[str, int] = field(repr=False)

    @classmethod
    def from_document(cls, doc: dict) -> "Guide":
        nodes = {n["slug"]: _node(n) for n in doc["nodes"]}
        return cls(
            slug=doc["slug"],
            title=doc["title"],
            summary=doc.get("summary", ""),
            codes=tuple(doc["codes"]),
            error=doc["error"],
            messages=tuple(doc["messages"]),
            platforms=tuple(Platform(**p) for p in doc["platforms"]),
            start=doc["start"],
            nodes=nodes,
            remaining=_remaining(doc),
        )

    def platform(self, slug: str) -> Platform | None:
        return next((p for p in self.platforms if p.slug == slug), None)


def _node(n: dict) -> Node:
    return Node(
        slug=n["slug"],
        kind=n["kind"],
        title=n["title"],
        help=n.get("help", ""),
        who=n.get("who", ""),
        choices=tuple(Choice(**c) for c in n.get("choices", ())),
        items=tuple(Item(**i) for i in n.get("items", ())),
        steps=tuple(Step(s["text"], s.get("platform")) for s in n.get("steps", ())),
        if_not_fixed=n.get("if_not_fixed", ""),
        if_all_match=n.get("if_all_match", ""),
        if_any_differ=n.get("if_any_differ", ""),
    )


def _remaining(doc: dict) -> dict[str, int]:
    """Longest path to an end from each node, counting answers; the tree has no cycles (lint)."""
    nodes = {n["slug"]: n for n in doc["nodes"]}
    depth: dict[str, int] = {}
    for root in nodes:
        stack = [root]
        while stack:
            slug = stack[-1]
            if slug in depth:
                stack.pop()
                continue
            children = [t for _, t in targets(nodes[slug]) if t in nodes]
            todo = [c for c in children if c not in depth]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            if nodes[slug]["kind"] == "escalation":
                depth[slug] = 0
            else:  # a solution's own answer ('fixed') can end the walk too
                depth[slug] = 1 + max((depth[c] for c in children), default=0)
    return depth


@dataclass(frozen=True, slots=True)
class Answered:
    """One answer on the trail: the node asked, the answer's URL segment and what it said."""

    node: Node
    answer: str
    said: str
    position: int  # answers before this one: the URL prefix that reopens this question


@dataclass(frozen=True)
class Walk:
    guide: Guide
    node: Node
    trail: tuple[Answered, ...]
    fixed: bool = False  # the user said the solution at `node` fixed it
    # Checklist items the user found different, when the previous answer led here from a checklist.
    changes: tuple[Item, ...] = ()

    @property
    def answers(self) -> tuple[str, ...]:
        return tuple(a.answer for a in self.trail)

    @property
    def done(self) -> int:
        return len(self.trail)

    @property
    def total(self) -> int:
        if self.fixed or self.node.kind == "escalation":
            return self.done
        return self.done + self.guide.remaining[self.node.slug]

    def next_answers(self, answer: str) -> tuple[str, ...]:
        return self.answers + (answer,)


class WrongAnswer(ValueError):
    """The answers do not form a path of the tree; `position` is the first one that does not fit."""

    def __init__(self, position: int, message: str):
        super().__init__(message)
        self.position = position


def walk(guide: Guide, answers: Sequence[str]) -> Walk:
    node = guide.nodes[guide.start]
    trail: list[Answered] = []
    changes: tuple[Item, ...] = ()
    for position, answer in enumerate(answers):
        if node.kind == "escalation":
            raise WrongAnswer(position, "this guide ends at the escalation; nothing comes after it")
        if node.kind == "solution" and answer == FIXED:
            if position != len(answers) - 1:
                raise WrongAnswer(position + 1, "the walk ended when the solution fixed it")
            trail.append(Answered(node, answer, "Yes, it is fixed", position))
            return Walk(guide, node, tuple(trail), fixed=True)
        next_slug, said, changes = _answer(node, answer, position)
        trail.append(Answered(node, answer, said, position))
        node = guide.nodes[next_slug]
    return Walk(guide, node, tuple(trail), changes=changes)


def _answer(node: Node, answer: str, position: int) -> tuple[str, str, tuple[Item, ...]]:
    """Where one answer at `node` leads, what it said in words, and the checklist items it named."""
    if node.kind == "question":
        for choice in node.choices:
            if choice.slug == answer:
                return choice.next, choice.label, ()
        raise WrongAnswer(position, f"'{answer}' is not one of the answers to “{node.title}”")
    if node.kind == "solution":
        if answer == NOT_FIXED:
            return node.if_not_fixed, "No, it is not fixed", ()
        raise WrongAnswer(position, f"'{answer}' is not an answer to “Did this fix it?”")
    # checklist
    if answer == ALL_MATCH:
        return node.if_all_match, "Everything matches", ()
    wanted = answer.split("+")
    differ = tuple(item for item in node.items if item.slug in wanted)
    if len(differ) != len(wanted) or not differ:
        raise WrongAnswer(position, f"'{answer}' names items that are not on the checklist “{node.title}”")
    said = "Different: " + ", ".join(item.label for item in differ)
    return node.if_any_differ, said, differ


def checklist_answer(node: Node, differing: Sequence[str]) -> str:
    """The URL segment for the items the user ticked, in the checklist's own order."""
    slugs = [item.slug for item in node.items if item.slug in set(differing)]
    return "+".join(slugs) if slugs else ALL_MATCH


def shortest_answers(guide: Guide) -> dict[str, tuple[str, ...]]:
    """The fewest answers that reach each node, without ticking checklist items: a link an agent can send.

    A solution reached only through "items differ" is left out; its checklist's link is the one to send.
    """
    found = {guide.start: ()}
    queue = [guide.start]
    for slug in queue:
        node = guide.nodes[slug]
        exits = [(c.slug, c.next) for c in node.choices]
        if node.kind == "checklist":
            exits.append((ALL_MATCH, node.if_all_match))
        if node.kind == "solution":
            exits.append((NOT_FIXED, node.if_not_fixed))
        for answer, target in exits:
            if target not in found:
                found[target] = found[slug] + (answer,)
                queue.append(target)
    return found
