"""The guide document: one readable YAML (or JSON) text that describes a whole guide.

It is what `fixtures/` ships, what export writes and import reads, and what a published version
stores. This module reads it into the typed `Guide` (checking its shape as it goes), lints the
guide's tree, and writes a guide back out; it knows no models.

    slug, title, category, summary, codes, error, messages, sources, platforms, start, nodes, parts
    category: connection | sync | export (how the home page groups guides)
    sources: [{id, repo, path, commit} | {id, seed} | {id, url, title, read}] (`sources.py`)
    platform: slug, name, support, hint (how to tell it from the others)
    node: slug, kind (question | checklist | solution | escalation), title, help, sources [id], and by kind:
      question:   choices [{slug, label, next}]
      checklist:  items [{slug, label, expected}], if_all_match, if_any_differ
      solution:   who, instructions [{text, platform?} or {part}], if_not_fixed
    parts: [{slug, title, instructions [{text, platform?}]}]

A `{part: slug}` line includes a shared part's instructions. A document's own `parts` say what
text those parts have in it (a published version always carries them, so it never changes); a
part it does not carry comes from the library given to `read` (`fixtures/parts.yaml`, or the
admin's parts). Documents written before instructions had their name call them `steps`; they still read.
"""

import re
from dataclasses import dataclass

import yaml

from . import sources as citing
from .guide import ALL_MATCH, CATEGORIES, KINDS, LINKS, Choice, Guide, Instruction, Item, Node, Part, Platform, Source, tour

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT = 20_000
MAX_NODES = 20_000
MAX_DOCUMENT_BYTES = 5_000_000
PARTS_FILE = "parts.yaml"  # in a folder of guide documents, the library of parts they include

GUIDE_KEYS = ("slug", "title", "category", "summary", "codes", "error", "messages", "sources", "platforms", "start",
              "nodes", "parts")
NODE_KEYS = {
    kind: ("slug", "kind", "title", "help", "sources", *extra, *LINKS.get(kind, ()))
    for kind, extra in (("question", ("choices",)), ("checklist", ("items",)),
                        ("solution", ("who", "instructions", "steps")), ("escalation", ()))
}


class DocumentError(ValueError):
    """The text is not a usable guide document; `problems` says every reason, each with its place."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    level: str  # "error" blocks publishing; "warning" does not
    node: str | None  # the node's slug, when the problem is one node's
    message: str  # in an author's words, saying what to do
    where: str = ""  # the place in a document's text, e.g. "nodes[3].choices[0]"

    def __str__(self) -> str:
        place = self.where or (f"node '{self.node}'" if self.node else "")
        return f"{self.level}: {place}: {self.message}" if place else f"{self.level}: {self.message}"


# What an empty field means, and what to do about it.
EMPTY = {
    "slug": "has no slug: give it one of lower-case letters, digits and dashes",
    "title": "has no title: write the question, or the solution's heading",
    "error": "has no error message: paste the whole message as the app shows it",
    "start": "has no start: mark the node users see first",
    "label": "has an answer with no words: write what the user clicks",
    "text": "has an empty instruction: write it, or delete the line",
    "expected": "has a checklist line with no value it should have: fill in 'Expected'",
    "name": "has a platform with no name: write it as users call it",
    "support": "has a platform with no support contact: say who to contact when nothing worked",
    "message": "has an empty message line: delete it",
}


# Reading


def parse(text: str | bytes):
    """A document's text as plain data; raise DocumentError saying where it is not YAML or JSON."""
    if isinstance(text, bytes):
        if len(text) > MAX_DOCUMENT_BYTES:
            raise DocumentError([f"the document is larger than {MAX_DOCUMENT_BYTES:,} bytes"])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentError([f"the document is not UTF-8 text (byte {exc.start})"]) from None
    if len(text) > MAX_DOCUMENT_BYTES:
        raise DocumentError([f"the document is larger than {MAX_DOCUMENT_BYTES:,} characters"])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise DocumentError([f"{where}not valid YAML or JSON ({reason})"]) from None
    return data


def read(text: str | bytes, library: dict[str, Part] | None = None) -> Guide:
    """Parse and check a document's text; raise DocumentError listing every problem."""
    return check(parse(text), library)


def review(data, library: dict[str, Part] | None = None) -> tuple[Guide, list[Problem]]:
    """The guide, with every problem at once: its shape's, then its tree's, errors first."""
    checker = _Checker(library)
    guide = checker.guide(data)
    problems = checker.problems + lint(guide)
    problems.sort(key=lambda p: p.level != "error")
    return guide, problems


def check(data, library: dict[str, Part] | None = None) -> Guide:
    """Check parsed data and return the guide, or raise DocumentError with every error."""
    guide, problems = review(data, library)
    errors = [str(p) for p in problems if p.level == "error"]
    if errors:
        raise DocumentError(errors)
    return guide


def load(data: dict) -> Guide:
    """A published version's stored document: its shape is checked again, its tree was linted when published."""
    checker = _Checker()
    guide = checker.guide(data)
    if checker.problems:
        raise DocumentError([str(p) for p in checker.problems])
    return guide


def read_parts(text: str | bytes) -> dict[str, Part]:
    """A library of parts (`parts: [...]`, as `fixtures/parts.yaml` holds them), by slug."""
    data = parse(text)
    checker = _Checker()
    data = checker.mapping(data, "library", ("parts",))
    parts = checker.parts(data, "library")
    if checker.problems:
        raise DocumentError([str(p) for p in checker.problems])
    return parts


def shipped_files(folder) -> list:
    """The guide documents in a folder (its library of parts is not one)."""
    return sorted(p for p in folder.glob("*.yaml") if p.name != PARTS_FILE)


# Writing


def as_data(guide: Guide) -> dict:
    """The guide as plain data in document order, without empty optional fields: what versions store."""
    data: dict = {"slug": guide.slug, "title": guide.title}
    if guide.category:
        data["category"] = guide.category
    if guide.summary:
        data["summary"] = guide.summary
    data |= {"codes": list(guide.codes), "error": guide.error, "messages": list(guide.messages)}
    if guide.sources:
        data["sources"] = [citing.source_data(s) for s in guide.sources]
    data |= {
        "platforms": [{"slug": p.slug, "name": p.name, "support": p.support} | ({"hint": p.hint} if p.hint else {})
                      for p in guide.platforms],
        "start": guide.start, "nodes": [_node_data(n) for n in guide.nodes.values()],
    }
    if guide.parts:
        data["parts"] = [part_data(part) for part in guide.parts.values()]
    return data


def part_data(part: Part) -> dict:
    return {"slug": part.slug, "title": part.title, "instructions": [_instruction_data(i) for i in part.instructions]}


def _instruction_data(line: Instruction) -> dict:
    if line.part:
        return {"part": line.part}
    return {"text": line.text} | ({"platform": line.platform} if line.platform else {})


def _node_data(node: Node) -> dict:
    data: dict = {"slug": node.slug, "kind": node.kind, "title": node.title}
    if node.help:
        data["help"] = node.help
    if node.sources:
        data["sources"] = list(node.sources)
    if node.kind == "question":
        data["choices"] = [{"slug": c.slug, "label": c.label, "next": c.next} for c in node.choices]
    elif node.kind == "checklist":
        data["items"] = [{"slug": i.slug, "label": i.label, "expected": i.expected} for i in node.items]
    elif node.kind == "solution":
        if node.who:
            data["who"] = node.who
        data["instructions"] = [_instruction_data(i) for i in node.instructions]
    for key in LINKS.get(node.kind, ()):
        if target := getattr(node, key):
            data[key] = target
    return data


class _LiteralDumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str)


def write(guide: Guide) -> str:
    """The guide as YAML, keys in document order, long texts as literal blocks."""
    return yaml.dump(as_data(guide), Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


# Shape


class _Checker:
    def __init__(self, library: dict[str, Part] | None = None):
        self.library = library or {}
        self.own_parts: dict[str, Part] = {}  # the document's own copies, which win over the library
        self.used_parts: dict[str, Part] = {}  # in the order the nodes first include them
        self.problems: list[Problem] = []
        self.node_slug: str | None = None  # the node being checked, so problems can link to it
        self.in_node = False

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem("error", self.node_slug, message, where))

    def mapping(self, value, where: str, allowed: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping of keys to values")
            return {}
        for key in value:
            if key not in allowed:
                self.fail(where, f"unknown key '{key}' (expected one of: {', '.join(allowed)})")
        return value

    def text(self, data: dict, key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.fail(where, ("this node " if self.in_node else "the guide ") + EMPTY[key]
                          if key in EMPTY else f"'{key}' is missing")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(where, f"'{key}' must be text")
            return ""
        if len(value) > MAX_TEXT:
            self.fail(where, f"'{key}' is longer than {MAX_TEXT:,} characters")
        return value.strip()

    def slug(self, data: dict, key: str, where: str, required: bool = True) -> str:
        value = self.text(data, key, where, required)
        if value and not SLUG.match(value):
            self.fail(where, f"'{key}' '{value}' must be lower-case letters, digits and single dashes")
        return value

    def items(self, data: dict, key: str, where: str) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(where, f"'{key}' must be a list")
            return []
        return value

    def listed(self, data: dict, key: str, where: str, read) -> tuple:
        return tuple(read(v, f"{where}.{key}[{i}]" if where != "guide" else f"{key}[{i}]")
                     for i, v in enumerate(self.items(data, key, where)))

    def guide(self, data) -> Guide:
        data = self.mapping(data, "guide", GUIDE_KEYS)
        self.own_parts = self.parts(data, "guide")
        category = self.text(data, "category", "guide", required=False)
        if category and category not in CATEGORIES:
            self.fail("guide", f"'category' '{category}' must be one of: {', '.join(CATEGORIES)}")
        platforms = self.listed(data, "platforms", "guide", self.platform)
        if not platforms:
            self.fail("guide", "'platforms' needs at least one platform")
        nodes = self.items(data, "nodes", "guide")
        if len(nodes) > MAX_NODES:
            self.fail("guide", f"more than {MAX_NODES:,} nodes")
            nodes = []
        by_slug: dict[str, Node] = {}
        for i, value in enumerate(nodes):
            node = self.node(value, f"nodes[{i}]")
            if node.slug in by_slug and node.slug:
                self.problems.append(Problem("error", node.slug, f"two nodes have the slug '{node.slug}': give one another",
                                             f"nodes[{i}]"))
            by_slug.setdefault(node.slug, node)
        if not nodes:
            self.fail("guide", "'nodes' needs at least one node")
        return Guide(
            slug=self.slug(data, "slug", "guide"), title=self.text(data, "title", "guide"),
            summary=self.text(data, "summary", "guide", required=False),
            codes=self.listed(data, "codes", "guide", self.code),
            error=self.text(data, "error", "guide"),
            messages=self.listed(data, "messages", "guide", lambda v, where: self.text({"message": v}, "message", where)),
            platforms=platforms, start=self.slug(data, "start", "guide"), nodes=by_slug,
            category=category, sources=self.listed(data, "sources", "guide", self.source), parts=dict(self.used_parts),
        )

    def parts(self, data: dict, where: str) -> dict[str, Part]:
        found: dict[str, Part] = {}
        for part in self.listed(data, "parts", where, self.part):
            if part.slug in found:
                self.fail(f"parts ({part.slug})", f"two parts have the slug '{part.slug}': give one another")
            found.setdefault(part.slug, part)
        return found

    def part(self, data, where: str) -> Part:
        data = self.mapping(data, where, ("slug", "title", "instructions"))
        slug = self.slug(data, "slug", where)
        where = f"{where} ({slug})" if slug else where
        lines = self.listed(data, "instructions", where, lambda v, w: self.instruction(v, w, in_part=True))
        if not lines:
            self.fail(where, "a part needs at least one instruction")
        return Part(slug, self.text(data, "title", where), lines)

    def source(self, data, where: str) -> Source:
        return citing.read_source(self, data, where)

    def code(self, value, where: str) -> str:
        code = str(value).strip().upper() if isinstance(value, (str, int)) else ""
        if not re.fullmatch(r"[A-Z]{2,10}\d{1,6}", code):
            self.fail(where, f"'{value}' is not an error code like NS0109")
        return code

    def platform(self, data, where: str) -> Platform:
        data = self.mapping(data, where, ("slug", "name", "support", "hint"))
        return Platform(self.slug(data, "slug", where), self.text(data, "name", where), self.text(data, "support", where),
                        self.text(data, "hint", where, required=False))

    def node(self, data, where: str) -> Node:
        if not isinstance(data, dict):
            self.fail(where, "must be a mapping of keys to values")
            return Node("", "escalation", "")
        self.in_node = True
        kind = data.get("kind")
        if kind not in KINDS:
            self.fail(where, f"'kind' must be one of: {', '.join(KINDS)}")
            kind = "escalation"
        slug = self.slug(data, "slug", where)
        self.node_slug = slug or None
        where = f"{where} ({slug})" if slug else where
        self.mapping(data, where, NODE_KEYS[kind])
        parts: dict = {"sources": citing.read_node_sources(self, data, where)}
        if kind == "question":
            parts["choices"] = self.listed(data, "choices", where, self.choice)
        elif kind == "checklist":
            parts["items"] = self.listed(data, "items", where, self.check_item)
        elif kind == "solution":
            parts["who"] = self.text(data, "who", where, required=False)
            key = "steps" if "steps" in data and "instructions" not in data else "instructions"
            parts["instructions"] = self.listed(data, key, where, self.instruction)
        for key in LINKS.get(kind, ()):
            parts[key] = self.slug(data, key, where, required=False)
        node = Node(slug, kind, self.text(data, "title", where), self.text(data, "help", where, required=False), **parts)
        self.node_slug, self.in_node = None, False
        return node

    def choice(self, data, where: str) -> Choice:
        data = self.mapping(data, where, ("slug", "label", "next"))
        choice = Choice(self.slug(data, "slug", where), self.text(data, "label", where),
                        self.slug(data, "next", where, required=False))
        if not choice.next:
            self.fail(where, f"the answer “{choice.label or choice.slug}” leads nowhere: choose the node it leads to")
        return choice

    def check_item(self, data, where: str) -> Item:
        data = self.mapping(data, where, ("slug", "label", "expected"))
        item = Item(self.slug(data, "slug", where), self.text(data, "label", where), self.text(data, "expected", where))
        if item.slug == ALL_MATCH:
            self.fail(where, f"'{ALL_MATCH}' is reserved; give the item another slug")
        return item

    def instruction(self, data, where: str, in_part: bool = False) -> Instruction:
        if isinstance(data, str):
            data = {"text": data}
        if isinstance(data, dict) and "part" in data and not in_part:
            return self.include(data, where)
        data = self.mapping(data, where, ("text", "platform"))
        return Instruction(self.text(data, "text", where), self.slug(data, "platform", where, required=False))

    def include(self, data: dict, where: str) -> Instruction:
        """A line that includes a part: the document's own copy of it, else the library's."""
        self.mapping(data, where, ("part",))
        slug = self.slug(data, "part", where)
        part = self.own_parts.get(slug) or self.library.get(slug)
        if slug and part is None:
            known = ", ".join(sorted({*self.own_parts, *self.library})) or "none yet"
            self.fail(where, f"there is no part '{slug}' (parts: {known}): add it under Parts, or fix the name")
        elif part is not None:
            self.used_parts.setdefault(slug, part)
        return Instruction("", part=slug)


# Lint: the tree as a whole


def lint(guide: Guide) -> list[Problem]:
    """Every problem of the tree, errors first; a guide with errors may not be published."""
    found: list[Problem] = []

    def error(node, message):
        found.append(Problem("error", node, message))

    def warning(node, message):
        found.append(Problem("warning", node, message))

    nodes = guide.nodes
    platforms = [p.slug for p in guide.platforms if p.slug]
    if len(set(platforms)) != len(platforms):
        error(None, "two platforms have the same slug: change one")
    if guide.start and guide.start not in nodes:
        error(None, f"the start node '{guide.start}' does not exist: mark another node as the start")

    for slug, node in nodes.items():
        for way in node.exits:
            if way.target not in nodes:
                what = f"the answer “{way.label}”" if node.kind == "question" else f"“{way.label}”"
                error(slug, f"{what} leads to '{way.target}', which is not a node of this guide: choose another")
        if node.kind == "question":
            _lint_question(node, error)
        elif node.kind == "checklist":
            _lint_checklist(node, error)
        elif node.kind == "solution":
            _lint_solution(guide, node, platforms, error, warning)
        if node.kind in ("question", "checklist") and not node.help:
            warning(slug, "no help text: say why it matters and where to look in NetSuite")

    if guide.start in nodes:
        walked = tour(guide)
        for slug in nodes:
            if slug not in walked.reached:
                error(slug, "no answer leads here from the start: lead an answer here, or delete the node")
        if walked.cycle:
            error(walked.cycle[0], "the answers can go round in a circle: " + " → ".join(walked.cycle)
                  + ": lead one of them elsewhere")
    citing.lint(guide, error, warning)
    found.sort(key=lambda p: p.level != "error")
    return found


def _lint_question(node: Node, error):
    if len(node.choices) < 2:
        error(node.slug, "a question needs at least two answers: add another")
    for key in ("slug", "label"):
        values = [getattr(c, key).lower() for c in node.choices if getattr(c, key)]
        for value in sorted({v for v in values if values.count(v) > 1}):
            error(node.slug, f"two answers have the {key} '{value}': change one")


def _lint_checklist(node: Node, error):
    if not node.items:
        error(node.slug, "a checklist needs at least one line: add the settings to compare")
    slugs = [i.slug for i in node.items if i.slug]
    for value in sorted({v for v in slugs if slugs.count(v) > 1}):
        error(node.slug, f"two lines have the slug '{value}': change one")
    for key, label in LINKS["checklist"].items():
        if not getattr(node, key):
            error(node.slug, f"'{label.lower()}' must lead somewhere: choose the node it leads to")


def _lint_solution(guide: Guide, node: Node, platforms: list[str], error, warning):
    if not node.if_not_fixed:
        error(node.slug, "'if not fixed' must lead somewhere: the next likely cause, or an escalation")
    for instruction in node.instructions:
        if instruction.platform and instruction.platform not in platforms:
            error(node.slug, f"an instruction is for platform '{instruction.platform}', which the guide does not have")
    for platform in platforms:
        count = len(guide.instructions_for(node, platform))
        if count == 0:
            error(node.slug, f"no instructions for platform '{platform}': add one for it, or for every platform")
        elif count == 1:
            warning(node.slug, f"only one instruction for platform '{platform}'")
