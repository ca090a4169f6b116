"""The guide in one typed shape: what reading, lint, the engine, drafts, the admin and agents all use.

A document (YAML or JSON text, or a published version's stored JSON) is this shape written out
(`document.py`); draft rows build it (`drafts.py`). A node's ways out are defined once
(`Node.exits`), and one depth-first tour from the start (`tour`) serves lint, progress and the outline.
"""

from dataclasses import dataclass, field
from functools import cached_property

KINDS = ("question", "checklist", "solution", "escalation")
# Answers the engine reads at solutions and checklists; items may not take these names.
FIXED, NOT_FIXED, ALL_MATCH = "fixed", "not-fixed", "all-match"
# The fields of checklists and solutions that name another node, in the words authors read.
LINKS = {
    "checklist": {"if_all_match": "If all match", "if_any_differ": "If any differ"},
    "solution": {"if_not_fixed": "If not fixed"},
}


# A guide's kind, which the home page lists guides by: its key in documents, and its heading.
CATEGORIES = {"connection": "Login and connection", "sync": "Sync", "export": "Export"}


@dataclass(frozen=True, slots=True)
class Platform:
    slug: str
    name: str
    support: str
    hint: str = ""  # how to tell this platform from the guide's others


@dataclass(frozen=True, slots=True)
class Source:
    """What a guide was written from, named by `id` in its nodes' `sources`. Three kinds: an article in
    a GitHub repository at the commit read (repo, path, commit); a seed text (seed, its file name);
    a web page (url, title, and the date it was read)."""

    repo: str = ""
    path: str = ""
    commit: str = ""
    id: str = ""
    seed: str = ""
    url: str = ""
    title: str = ""
    read: str = ""  # a web page's reading date, YYYY-MM-DD

    @property
    def kind(self) -> str:
        return "seed" if self.seed else "web" if self.url else "github"

    @property
    def link(self) -> str:
        """Where to read it: the article at the commit read, or the web page; a seed has none."""
        if self.kind == "github":
            return f"https://github.com/{self.repo}/blob/{self.commit}/{self.path}"
        return self.url

    @property
    def name(self) -> str:
        """What the admin shows beside a node: the page's title, the seed's file, the article's path."""
        return self.title or self.seed or self.path


@dataclass(frozen=True, slots=True)
class Choice:
    slug: str
    label: str
    next: str


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a checklist: a setting and the value it must have."""

    slug: str
    label: str
    expected: str


@dataclass(frozen=True, slots=True)
class Instruction:
    """One numbered line of a solution; with a platform it is for that platform only."""

    text: str
    platform: str = ""
    part: str = ""  # set: this line includes the shared part of that slug, and has no text of its own


@dataclass(frozen=True, slots=True)
class Part:
    """Instructions that many guides share, written once and included by slug."""

    slug: str
    title: str
    instructions: tuple[Instruction, ...] = ()


@dataclass(frozen=True, slots=True)
class Exit:
    """One way out of a node: the answer's URL segment ('' where ticked items decide it), its words, its target."""

    answer: str
    label: str
    target: str


@dataclass(frozen=True, slots=True)
class Node:
    slug: str
    kind: str
    title: str
    help: str = ""
    who: str = ""
    choices: tuple[Choice, ...] = ()
    items: tuple[Item, ...] = ()
    instructions: tuple[Instruction, ...] = ()
    if_not_fixed: str = ""
    if_all_match: str = ""
    if_any_differ: str = ""
    sources: tuple[str, ...] = ()  # ids of the guide's sources this node rests on

    @property
    def exits(self) -> tuple[Exit, ...]:
        """Every way out of this node that names a node; an empty link is left out."""
        if self.kind == "question":
            return tuple(Exit(c.slug, c.label, c.next) for c in self.choices if c.next)
        answers = {"if_all_match": ALL_MATCH, "if_any_differ": "", "if_not_fixed": NOT_FIXED}
        return tuple(Exit(answers[key], label, target) for key, label in LINKS.get(self.kind, {}).items()
                     if (target := getattr(self, key)))


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    codes: tuple[str, ...]
    error: str
    messages: tuple[str, ...]
    platforms: tuple[Platform, ...]
    start: str
    nodes: dict[str, Node] = field(hash=False)
    summary: str = ""
    category: str = ""
    sources: tuple[Source, ...] = ()
    # The parts the nodes include, with the text this guide shows: a version's own copy, pinned.
    parts: dict[str, Part] = field(default_factory=dict, hash=False)

    def platform(self, slug: str) -> Platform | None:
        return next((p for p in self.platforms if p.slug == slug), None)

    def expanded(self, node: Node) -> list[Instruction]:
        """A solution's instructions with its parts' lines in place (those for its platforms only)."""
        mine = {p.slug for p in self.platforms}
        lines: list[Instruction] = []
        for line in node.instructions:
            if not line.part:
                lines.append(line)
            elif part := self.parts.get(line.part):
                lines += [i for i in part.instructions if not i.platform or i.platform in mine]
        return lines

    def instructions_for(self, node: Node, platform: str) -> list[Instruction]:
        """What a solution tells a user on this platform, in order."""
        return [i for i in self.expanded(node) if i.platform in ("", platform)]

    @cached_property
    def answers_left(self) -> dict[str, int]:
        """The most answers still to give from each node to the end of a walk: the progress cue."""
        left: dict[str, int] = {}
        for slug in tour(self).finished:  # every node after all that it leads to
            node = self.nodes[slug]
            if node.kind == "escalation":
                left[slug] = 0
            else:  # a solution's own answer ('fixed') can end the walk too
                left[slug] = 1 + max((left.get(e.target, 0) for e in node.exits), default=0)
        return left


@dataclass(frozen=True, slots=True)
class Visit:
    """A node met on the tour: reached by `via` (None at the start), `depth` answers in."""

    depth: int
    via: Exit | None
    slug: str
    again: bool = False  # met before: not followed a second time


@dataclass(frozen=True)
class Tour:
    visits: tuple[Visit, ...]  # in the order the outline shows them
    finished: tuple[str, ...]  # each existing node after every node it leads to
    cycle: tuple[str, ...]  # the first circle of answers met, as slugs around it (first one repeated)

    @cached_property
    def reached(self) -> set[str]:
        return {v.slug for v in self.visits}


def tour(guide: Guide) -> Tour:
    """Depth first from the start, following each node's exits in order; iterative for big guides."""
    nodes = guide.nodes
    visits: list[Visit] = []
    finished: list[str] = []
    cycle: tuple[str, ...] = ()
    state: dict[str, int] = {}  # 1 while on the current path, 2 once finished
    path: list[str] = []
    stack: list[tuple[str, int, object]] = []

    def enter(slug: str, depth: int, via: Exit | None) -> None:
        nonlocal cycle
        if slug in state or slug not in nodes:
            if state.get(slug) == 1 and not cycle:
                cycle = (*path[path.index(slug):], slug)
            visits.append(Visit(depth, via, slug, again=slug in state))
            return
        visits.append(Visit(depth, via, slug))
        state[slug] = 1
        path.append(slug)
        stack.append((slug, depth, iter(nodes[slug].exits)))

    enter(guide.start, 0, None)
    while stack:
        slug, depth, exits = stack[-1]
        step = next(exits, None)
        if step is not None:
            enter(step.target, depth + 1, step)
            continue
        stack.pop()
        path.pop()
        state[slug] = 2
        finished.append(slug)
    return Tour(tuple(visits), tuple(finished), cycle)
