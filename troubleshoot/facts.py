"""The facts of each source, and what a node may state (FORMAT.md §3 and §4).

A facts record (`fixtures/facts/...yaml`) holds what one source names, as it spells it, at one
commit or reading: its `terms` (menu paths written "A > B", tabs, buttons, fields, settings, roles,
error wordings) and its `permissions` ("Permission: Level"). A node may bold only a term of its
own sources' records, a piece of a recorded path, or an everyday word
(`fixtures/facts/everyday.yaml`); it may write a path only as contiguous segments of a recorded
path, and a permission at a level only as a record gives it. So a guide says only what its
sources say, and the build can tell. Plain module: no models.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .guide import Guide, Node, Source
from .document import Problem
from .sources import NO_ID, NO_SOURCES, sources_of

EVERYDAY_FILE = "everyday.yaml"
LEVELS = ("none", "view", "create", "edit", "full")
QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', " ": " "})
SEPARATOR = re.compile(r"\s+>\s+")
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
# Between a bold permission and its bold level (FORMAT.md §4.3).
CONNECTOR = re.compile(r"\s+(?:at|to|set to|with)\s+|\s*:\s*", re.I)
PERMISSION_IN_ONE = re.compile(r"^(.+?)\s*:\s*(none|view|create|edit|full)$", re.I)


def norm(text: str) -> str:
    """Text as matching sees it: no case, straight quotes, single spaces, no trailing '.', ':' or ','."""
    return re.sub(r"\s+", " ", text.translate(QUOTES)).strip().rstrip(".:,").strip().lower()


def segments(path: str) -> tuple[str, ...]:
    return tuple(norm(s) for s in SEPARATOR.split(path.strip()))


class FactsError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Record:
    """One source's facts as read at one commit or date."""

    file: str  # relative to the facts folder
    source: dict
    terms: tuple[str, ...]
    permissions: tuple[str, ...]

    @property
    def names(self) -> set[str]:
        return {norm(t) for t in self.terms}

    @property
    def paths(self) -> list[tuple[str, ...]]:
        return [segments(t) for t in self.terms if SEPARATOR.search(t)]

    @property
    def pairs(self) -> set[tuple[str, str]]:
        found = set()
        for text in self.permissions:
            if m := PERMISSION_IN_ONE.match(text.strip()):
                found.add((norm(m[1]), m[2].lower()))
        return found


@dataclass(frozen=True)
class Facts:
    records: dict[str, Record]  # by file, relative to the facts folder
    everyday: frozenset[str]

    def record(self, source: Source) -> Record | None:
        return self.records.get(record_file(source))


def record_file(source: Source) -> str:
    """Where a source's facts record lives, relative to `fixtures/facts/` (FORMAT.md §3)."""
    if source.kind == "seed":
        return f"seeds/{source.seed.removesuffix('.txt')}.yaml"
    if source.kind == "web":
        parts = urlsplit(source.url)
        last = [p for p in parts.path.split("/") if p][-1:] or ["index"]
        return f"web/{parts.hostname}/{last[0].rsplit('.', 1)[0] if '.' in last[0] else last[0]}.yaml"
    return f"github/{source.repo}/{source.path.removesuffix('.md')}@{source.commit[:12]}.yaml"


def load(folder: Path) -> Facts:
    """Every record under `folder` and its everyday words; FactsError names each broken file."""
    records, problems = {}, []
    for path in sorted(folder.rglob("*.yaml")):
        name = path.relative_to(folder).as_posix()
        if name == EVERYDAY_FILE:
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(f"{name}: not valid YAML ({exc})")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("source"), dict):
            problems.append(f"{name}: needs 'source' (the guide's entry for it, without id) and 'terms'")
            continue
        lists = {key: data.get(key) or [] for key in ("terms", "permissions")}
        bad = [key for key, value in lists.items() if not isinstance(value, list)
               or not all(isinstance(v, str) for v in value)]
        if bad or set(data) - {"source", "terms", "permissions"}:
            problems.append(f"{name}: 'terms' and 'permissions' must be lists of text, and nothing else beside 'source'")
            continue
        wrong = [p for p in lists["permissions"] if not PERMISSION_IN_ONE.match(p.strip())]
        if wrong:
            problems.append(f"{name}: permissions must read 'Permission: Level' (None, View, Create, Edit or Full): {wrong}")
        records[name] = Record(name, data["source"], tuple(lists["terms"]), tuple(lists["permissions"]))
    everyday = frozenset()
    if (folder / EVERYDAY_FILE).exists():
        data = yaml.safe_load((folder / EVERYDAY_FILE).read_text(encoding="utf-8")) or {}
        words = data.get("words") if isinstance(data, dict) else None
        if not isinstance(words, list) or not all(isinstance(w, dict) and w.get("word") and w.get("why") for w in words):
            problems.append(f"{EVERYDAY_FILE}: needs 'words: [{{word, why}}]', each with the reason it is everyday")
        else:
            everyday = frozenset(norm(str(w["word"])) for w in words)
    if problems:
        raise FactsError(problems)
    return Facts(records, everyday)


@cache
def read_once(folder: str) -> Facts:
    """The shipped records, read once per process: they change only with a deploy."""
    return load(Path(folder))


# What a node states


@dataclass(frozen=True)
class Claim:
    node: str
    message: str


def node_texts(guide: Guide, node: Node) -> list[str]:
    """The texts the check reads: title, help, answers' and lines' labels, instructions with their parts' text."""
    texts = [node.title, node.help, *(c.label for c in node.choices), *(i.label for i in node.items)]
    return [t for t in texts + [i.text for i in guide.expanded(node)] if t]


def check(guide: Guide, facts: Facts) -> list[Claim]:
    """Every bold term, path and permission a node states that none of its sources' records holds."""
    found: list[Claim] = []
    for slug, node in guide.nodes.items():
        cited = sources_of(guide, node)
        records = [r for s in cited if (r := facts.record(s))]
        if not cited:
            continue  # a node without sources is told by lint and the shipped requirements
        held = _Held(records, facts.everyday)
        where = ", ".join(s.id for s in cited)
        said = dict.fromkeys(m for text in node_texts(guide, node) for m in held.unheld(text))
        for message in said:  # once per node, however often the node says it
            found.append(Claim(slug, f"{message}; its sources ({where}) do not hold it: add it to the facts "
                                     "record of the source that says it, name that source, or reword"))
    return found


def record_problems(guide: Guide, facts: Facts) -> list[Claim]:
    """Each source's record at the source's commit (node "": the guide's own), then the facts check."""
    found = []
    for source in guide.sources:
        record = facts.record(source)
        if record is None:
            found.append(Claim("", f"the source {source.id or source.name} has no facts record: write "
                                   f"fixtures/facts/{record_file(source)}"))
        elif source.kind == "github" and record.source.get("commit") != source.commit:
            found.append(Claim("", f"the facts record {record.file} is for commit {record.source.get('commit')}, "
                                   f"not the source's {source.commit}"))
    return found + check(guide, facts)


def shipped(guide: Guide, problems: list[Problem], facts: Facts) -> list[Problem]:
    """A shipped guide's problems (FORMAT.md §5): lint's, with missing ids and node sources made errors, then
    every record problem and unheld claim as an error."""
    strict = [Problem("error", p.node, p.message, p.where) if p.message.endswith((NO_ID, NO_SOURCES)) else p
              for p in problems]
    strict += [Problem("error", c.node or None, c.message) for c in record_problems(guide, facts)]
    strict.sort(key=lambda p: p.level != "error")
    return strict


def authored(guide: Guide, facts: Facts) -> list[Problem]:
    """For a guide authored in the admin: the same record problems and claims, as warnings."""
    return [Problem("warning", c.node or None, c.message) for c in record_problems(guide, facts)]


class _Held:
    """What a node's records hold, as matching sees it."""

    def __init__(self, records: list[Record], everyday: frozenset[str]):
        self.names = set().union(*(r.names for r in records)) if records else set()
        self.paths = [p for r in records for p in r.paths]
        self.pieces = {piece for p in self.paths for piece in _pieces(p)}
        self.pairs = set().union(*(r.pairs for r in records)) if records else set()
        self.everyday = everyday

    def unheld(self, text: str) -> list[str]:
        messages = []
        text = text.translate(QUOTES).replace(":**", "**:")  # **Accounts:** **Full** as **Accounts**: **Full**
        spans = list(BOLD.finditer(text))
        between = [text[a.end():b.start()] for a, b in zip(spans, spans[1:])]
        done: set[int] = set()  # spans read as part of a permission or a path
        for i, gap in enumerate(between):
            if CONNECTOR.fullmatch(gap) and norm(spans[i + 1][1]) in LEVELS:
                done |= {i, i + 1}
                if (norm(spans[i][1]), norm(spans[i + 1][1])) not in self.pairs:
                    messages.append(f"the permission **{spans[i][1].strip()}** at **{spans[i + 1][1].strip()}**")
        cut = []  # where bold paths were, so plain paths are not read across them
        i = 0
        while i < len(spans):
            j = i
            while j < len(between) and SEPARATOR.fullmatch(between[j]) and j + 1 not in done:
                j += 1
            if i not in done and (j > i or SEPARATOR.search(spans[i][1])):
                written = segments(" > ".join(m[1] for m in spans[i:j + 1]))
                if not self.has_path(written):
                    messages.append(f"the path {' > '.join(written)}")
                done |= set(range(i, j + 1))
                cut.append((spans[i].start(), spans[j].end()))
            i = j + 1
        for k, m in enumerate(spans):
            term = norm(m[1])
            if k in done or term in self.names or term in self.pieces or term in self.everyday:
                continue
            if (pair := PERMISSION_IN_ONE.match(term)) and (norm(pair[1]), pair[2]) in self.pairs:
                continue
            messages.append(f"**{m[1].strip()}**")
        for start, end in reversed(cut):
            text = text[:start] + "\n" + text[end:]
        for written, loose_start, loose_end in _plain_paths(text.replace("**", "")):
            if not self.has_path(written, loose_start, loose_end):
                messages.append(f"the path {' > '.join(written)}")
        return messages

    def has_path(self, written: tuple[str, ...], loose_start: bool = False, loose_end: bool = False) -> bool:
        n = len(written)
        for path in self.paths:
            for i in range(len(path) - n + 1):
                here = path[i:i + n]
                first_ok = here[0] == written[0] or loose_start and _ends_with(written[0], here[0])
                last_ok = here[-1] == written[-1] or loose_end and _starts_with(written[-1], here[-1])
                if first_ok and last_ok and here[1:-1] == written[1:-1] and (n > 1 or here[0] == written[0]):
                    return True
        return False


def _pieces(path: tuple[str, ...]) -> set[str]:
    """Every run of whole segments of a recorded path, written as a path."""
    return {" > ".join(path[i:j]) for i in range(len(path)) for j in range(i + 1, len(path) + 1)}


def _ends_with(written: str, segment: str) -> bool:
    return written == segment or written.endswith(" " + segment)


def _starts_with(written: str, segment: str) -> bool:
    return written == segment or written.startswith(segment + " ")


NAME_WORD = re.compile(r"^[\[(&]|^[A-Z0-9]")


def _plain_paths(text: str) -> list[tuple[tuple[str, ...], bool, bool]]:
    """Paths written without bold, "Go to Setup > Company > Enable Features and ...": each with whether its
    first and last segments were cut from running text (then a recorded segment may end or start them)."""
    found = []
    for line in re.split(r"\n|(?<=[.;!?])\s+(?=[A-Z])", text):
        pieces = SEPARATOR.split(line)
        if len(pieces) < 2:
            continue
        chain: list[str] = [_tail(pieces[0])]
        for middle in pieces[1:-1]:
            if re.search(r"[.;:!?]\s|\(", middle) or len(middle.split()) > 6:  # the path ended: another begins
                chain.append(_head(middle))
                found.append((tuple(norm(s) for s in chain), True, True))
                chain = [_tail(middle)]
            else:
                chain.append(middle)
        chain.append(_head(pieces[-1]))
        found.append((tuple(norm(s) for s in chain), True, True))
    return [(c, s, e) for c, s, e in found if len(c) > 1 and all(c)]


def _tail(text: str) -> str:
    """The words a path's first segment can be: the capitalised run just before the first '>'."""
    words = text.split()
    kept: list[str] = []
    for word in reversed(words):
        if not NAME_WORD.match(word) or re.search(r"[.,;:!?]$", word):
            break
        kept.insert(0, word)
    return " ".join(kept)


def _head(text: str) -> str:
    """The capitalised run just after the last '>': the last segment, up to the first lower-case word or stop."""
    kept: list[str] = []
    for word in text.split():
        if not NAME_WORD.match(word):
            break
        kept.append(word.rstrip(".,;:!?)"))
        if re.search(r"[.,;:!?)]$", word):
            break
    return " ".join(kept)
