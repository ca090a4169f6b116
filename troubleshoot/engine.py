"""Walking a published guide: which node a list of answers leads to, and the trail that led there.

Pure functions over a checked `Guide`: no requests, no ORM, no templates. The answer to each kind
of node is one URL segment:
    question   the chosen choice's slug
    checklist  'all-match', or the slugs of the items that differ joined by '+'
    solution   'fixed' or 'not-fixed'
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from .guide import ALL_MATCH, FIXED, NOT_FIXED, Guide, Item, Node


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

    @cached_property
    def answers(self) -> tuple[str, ...]:
        return tuple(a.answer for a in self.trail)

    @property
    def done(self) -> int:
        return len(self.trail)

    @property
    def ended(self) -> bool:
        """Fixed, or at the escalation: nothing more to answer."""
        return self.fixed or self.node.kind == "escalation"

    @property
    def total(self) -> int:
        return self.done if self.ended else self.done + self.guide.answers_left[self.node.slug]

    @property
    def solutions_shown(self) -> list[Node]:
        """Every solution this walk showed, in order, the current one included."""
        shown = [a.node for a in self.trail if a.node.kind == "solution"]
        if self.node.kind == "solution" and not self.fixed:
            shown.append(self.node)
        return shown

    def summary(self, platform: str, link: str, reference: str = "") -> str:
        """What to paste to support: the full error, the platform and every answer given."""
        lines = [f"Reference: {reference}"] if reference else []
        lines += [
            f"Error message: {self.guide.error}",
            f"Where I see it: {platform}",
            f"Guide followed: {self.guide.title}",
            "",
            "What I checked and tried:",
        ]
        lines += [f"- {a.node.title} — {a.said}" for a in self.trail]
        lines += ["", f"Link to these answers: {link}"]
        return "\n".join(lines)


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

    A node reached only through "items differ" is left out; its checklist's link is the one to send.
    """
    found = {guide.start: ()}
    queue = [guide.start]
    for slug in queue:
        for way in guide.nodes[slug].exits:
            if way.answer and way.target not in found:
                found[way.target] = found[slug] + (way.answer,)
                queue.append(way.target)
    return found
