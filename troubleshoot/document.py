"""The guide document: one readable YAML (or JSON) text that describes a whole guide.

It is what `fixtures/` ships, what export writes and import reads, and what a published version
stores. This module reads it, checks its shape, lints its tree and writes it; it knows no models.

    slug, title, summary, codes, error, messages, platforms, start, nodes
    node: slug, kind (question | checklist | solution | escalation), title, help, and by kind:
      question:   choices [{slug, label, next}]
      checklist:  items [{slug, label, expected}], if_all_match, if_any_differ
      solution:   who, steps [{text, platform?}], if_not_fixed
"""

import re
from dataclasses import dataclass

import yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = ("question", "checklist", "solution", "escalation")
# Answers the engine reads at solutions and checklists; items may not take these names.
FIXED, NOT_FIXED, ALL_MATCH = "fixed", "not-fixed", "all-match"
MAX_TEXT = 20_000
MAX_NODES = 20_000
MAX_DOCUMENT_BYTES = 5_000_000

GUIDE_KEYS = ("slug", "title", "summary", "codes", "error", "messages", "platforms", "start", "nodes")
NODE_KEYS = {
    "question": ("slug", "kind", "title", "help", "choices"),
    "checklist": ("slug", "kind", "title", "help", "items", "if_all_match", "if_any_differ"),
    "solution": ("slug", "kind", "title", "help", "who", "steps", "if_not_fixed"),
    "escalation": ("slug", "kind", "title", "help"),
}
# Where each kind of node leads: the fields that name other nodes.
LINKS = {"checklist": ("if_all_match", "if_any_differ"), "solution": ("if_not_fixed",)}


class DocumentError(ValueError):
    """The text is not a usable guide document; `problems` says every reason, each with its place."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    level: str  # "error" blocks publishing; "warning" does not
    node: str | None
    message: str

    def __str__(self) -> str:
        where = f"node '{self.node}': " if self.node and not self.message.startswith("nodes[") else ""
        return f"{self.level}: {where}{self.message}"


# Reading and writing


def read(text: str | bytes) -> dict:
    """Parse and check a document's text; raise DocumentError listing every problem."""
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
    return check(data)


def review(data) -> tuple[dict, list["Problem"]]:
    """The document in canonical form, with every problem: its shape's, or when the shape is right, lint's."""
    checker = _Checker()
    doc = checker.guide(data)
    if checker.problems:
        return doc, checker.problems
    return doc, lint(doc)


def check(data) -> dict:
    """Check a parsed document and return it in canonical form, or raise DocumentError with every error."""
    doc, problems = review(data)
    errors = [str(p) for p in problems if p.level == "error"]
    if errors:
        raise DocumentError(errors)
    return doc


class _LiteralDumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _str)


def write(doc: dict) -> str:
    """The document as YAML, keys in document order, long texts as literal blocks."""
    return yaml.dump(doc, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


# Shape


class _Checker:
    def __init__(self):
        self.problems: list[Problem] = []
        self.node_slug: str | None = None  # the node being checked, so problems can link to it

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem("error", self.node_slug, f"{where}: {message}"))

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
                self.fail(where, f"'{key}' is missing")
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

    def guide(self, data) -> dict:
        data = self.mapping(data, "guide", GUIDE_KEYS)
        doc = {"slug": self.slug(data, "slug", "guide"), "title": self.text(data, "title", "guide")}
        if summary := self.text(data, "summary", "guide", required=False):
            doc["summary"] = summary
        doc["codes"] = [self.code(v, f"codes[{i}]") for i, v in enumerate(self.items(data, "codes", "guide"))]
        doc["error"] = self.text(data, "error", "guide")
        doc["messages"] = [
            self.text({"message": v}, "message", f"messages[{i}]") for i, v in enumerate(self.items(data, "messages", "guide"))
        ]
        doc["platforms"] = [self.platform(v, f"platforms[{i}]") for i, v in enumerate(self.items(data, "platforms", "guide"))]
        if not doc["platforms"]:
            self.fail("guide", "'platforms' needs at least one platform")
        doc["start"] = self.slug(data, "start", "guide")
        nodes = self.items(data, "nodes", "guide")
        if len(nodes) > MAX_NODES:
            self.fail("guide", f"more than {MAX_NODES:,} nodes")
            nodes = []
        doc["nodes"] = [self.node(v, f"nodes[{i}]") for i, v in enumerate(nodes)]
        if not doc["nodes"]:
            self.fail("guide", "'nodes' needs at least one node")
        return doc

    def code(self, value, where: str) -> str:
        code = str(value).strip().upper() if isinstance(value, (str, int)) else ""
        if not re.fullmatch(r"[A-Z]{2,10}\d{1,6}", code):
            self.fail(where, f"'{value}' is not an error code like NS0109")
        return code

    def platform(self, data, where: str) -> dict:
        data = self.mapping(data, where, ("slug", "name", "support"))
        return {
            "slug": self.slug(data, "slug", where),
            "name": self.text(data, "name", where),
            "support": self.text(data, "support", where),
        }

    def node(self, data, where: str) -> dict:
        if not isinstance(data, dict):
            self.fail(where, "must be a mapping of keys to values")
            return {"slug": "", "kind": "escalation", "title": ""}
        kind = data.get("kind")
        if kind not in KINDS:
            self.fail(where, f"'kind' must be one of: {', '.join(KINDS)}")
            kind = "escalation"
        slug = self.slug(data, "slug", where)
        self.node_slug = slug or None
        where = f"{where} ({slug})" if slug else where
        self.mapping(data, where, NODE_KEYS[kind])
        node = {"slug": slug, "kind": kind, "title": self.text(data, "title", where)}
        if help_text := self.text(data, "help", where, required=False):
            node["help"] = help_text
        if kind == "question":
            node["choices"] = [self.choice(v, f"{where}.choices[{i}]") for i, v in enumerate(self.items(data, "choices", where))]
        elif kind == "checklist":
            node["items"] = [self.check_item(v, f"{where}.items[{i}]") for i, v in enumerate(self.items(data, "items", where))]
        elif kind == "solution":
            if who := self.text(data, "who", where, required=False):
                node["who"] = who
            node["steps"] = [self.step(v, f"{where}.steps[{i}]") for i, v in enumerate(self.items(data, "steps", where))]
        for key in LINKS.get(kind, ()):
            if target := self.slug(data, key, where, required=False):
                node[key] = target
        self.node_slug = None
        return node

    def choice(self, data, where: str) -> dict:
        data = self.mapping(data, where, ("slug", "label", "next"))
        return {
            "slug": self.slug(data, "slug", where),
            "label": self.text(data, "label", where),
            "next": self.slug(data, "next", where),
        }

    def check_item(self, data, where: str) -> dict:
        data = self.mapping(data, where, ("slug", "label", "expected"))
        item = {
            "slug": self.slug(data, "slug", where),
            "label": self.text(data, "label", where),
            "expected": self.text(data, "expected", where),
        }
        if item["slug"] == ALL_MATCH:
            self.fail(where, f"'{ALL_MATCH}' is reserved; give the item another slug")
        return item

    def step(self, data, where: str) -> dict:
        if isinstance(data, str):
            data = {"text": data}
        data = self.mapping(data, where, ("text", "platform"))
        step = {"text": self.text(data, "text", where)}
        if platform := self.slug(data, "platform", where, required=False):
            step["platform"] = platform
        return step


# Lint: the tree as a whole


def targets(node: dict) -> list[tuple[str, str]]:
    """(what leads, slug it leads to) for every way out of a node."""
    if node["kind"] == "question":
        return [(f"choice '{c['slug']}'", c["next"]) for c in node["choices"]]
    return [(key.replace("_", " "), node[key]) for key in LINKS.get(node["kind"], ()) if key in node]


def lint(doc: dict) -> list[Problem]:
    """Every problem of the tree, errors first; a document with errors may not be published."""
    found: list[Problem] = []

    def error(node, message):
        found.append(Problem("error", node, message))

    def warning(node, message):
        found.append(Problem("warning", node, message))

    nodes: dict[str, dict] = {}
    for node in doc["nodes"]:
        if node["slug"] in nodes:
            error(node["slug"], "two nodes have this slug")
        nodes[node["slug"]] = node
    platforms = [p["slug"] for p in doc["platforms"]]
    if len(set(platforms)) != len(platforms):
        error(None, "two platforms have the same slug")
    if doc["start"] not in nodes:
        error(None, f"the start node '{doc['start']}' does not exist")

    for slug, node in nodes.items():
        for what, target in targets(node):
            if target not in nodes:
                error(slug, f"{what} leads to '{target}', which does not exist")
        kind = node["kind"]
        if kind == "question":
            _lint_question(node, error)
        elif kind == "checklist":
            _lint_checklist(node, error)
        elif kind == "solution":
            _lint_solution(node, platforms, error, warning)
        if kind in ("question", "checklist") and not node.get("help"):
            warning(slug, "no help text: say why it matters and where to look in NetSuite")

    if doc["start"] in nodes:
        reached = _reachable(doc["start"], nodes)
        for slug in nodes:
            if slug not in reached:
                error(slug, "no answer leads here from the start")
        if cycle := _find_cycle(doc["start"], nodes):
            error(cycle[0], "the answers can go round in a circle: " + " → ".join(cycle))
    found.sort(key=lambda p: p.level != "error")
    return found


def _lint_question(node, error):
    choices = node["choices"]
    if len(choices) < 2:
        error(node["slug"], "a question needs at least two choices")
    for key, name in (("slug", "slug"), ("label", "label")):
        values = [c[key].lower() for c in choices]
        for value in sorted({v for v in values if values.count(v) > 1}):
            error(node["slug"], f"two choices have the {name} '{value}'")


def _lint_checklist(node, error):
    if not node["items"]:
        error(node["slug"], "a checklist needs at least one item")
    slugs = [i["slug"] for i in node["items"]]
    for value in sorted({v for v in slugs if slugs.count(v) > 1}):
        error(node["slug"], f"two items have the slug '{value}'")
    for key in LINKS["checklist"]:
        if key not in node:
            error(node["slug"], f"'{key.replace('_', ' ')}' must lead somewhere")


def _lint_solution(node, platforms, error, warning):
    if "if_not_fixed" not in node:
        error(node["slug"], "'if not fixed' must lead somewhere: the next likely cause, or an escalation")
    for step in node["steps"]:
        if step.get("platform") and step["platform"] not in platforms:
            error(node["slug"], f"a step is for platform '{step['platform']}', which the guide does not have")
    for platform in platforms:
        count = sum(1 for s in node["steps"] if s.get("platform") in (None, platform))
        if count == 0:
            error(node["slug"], f"no steps for platform '{platform}'")
        elif count == 1:
            warning(node["slug"], f"only one step for platform '{platform}'")


def _reachable(start: str, nodes: dict) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        slug = todo.pop()
        if slug in seen or slug not in nodes:
            continue
        seen.add(slug)
        todo.extend(target for _, target in targets(nodes[slug]))
    return seen


def _find_cycle(start: str, nodes: dict) -> list[str] | None:
    """The first cycle met walking from the start, as the slugs around it; iterative for big guides."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []
    stack = [(start, iter(t for _, t in targets(nodes[start])))]
    state[start] = 1
    path.append(start)
    while stack:
        slug, children = stack[-1]
        for child in children:
            if child not in nodes:
                continue
            if state.get(child) == 1:
                return path[path.index(child):] + [child]
            if child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(t for _, t in targets(nodes[child]))))
                break
        else:
            state[slug] = 2
            path.pop()
            stack.pop()
    return None
