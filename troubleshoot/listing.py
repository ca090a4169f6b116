"""The home page's list of guides: grouped by kind of error, and narrowed by what someone types."""

from dataclasses import dataclass

from .guide import CATEGORIES, Guide
from .matching import CODE, WORD, normalise

MAX_QUERY = 200
OTHER = "Other errors"  # guides whose document names no category


@dataclass(frozen=True)
class Group:
    heading: str
    guides: tuple[Guide, ...]


def grouped(guides: list[Guide]) -> list[Group]:
    """Guides under their kind's heading, in CATEGORIES' order, each by code; empty groups left out."""
    heads = {**CATEGORIES, "": OTHER}
    order = list(heads)
    ranked = sorted(guides, key=lambda g: (order.index(g.category if g.category in heads else ""), g.codes or ("~",), g.slug))
    groups: dict[str, list[Guide]] = {}
    for guide in ranked:
        groups.setdefault(heads.get(guide.category, OTHER), []).append(guide)
    return [Group(heading, tuple(items)) for heading, items in groups.items()]


def search(guides: list[Guide], query: str) -> list[Guide]:
    """The guides whose code, title, message or summary hold every word of the query.

    A code in the query ("ns23", "NS0023", "0023") must be one of the guide's codes.
    """
    plain = normalise(query[:MAX_QUERY])
    codes = {_code(w) for w in WORD.findall(plain) if _code(w)}
    words = [w for w in WORD.findall(plain) if not _code(w)]
    found = []
    for guide in guides:
        if codes and not codes & set(guide.codes):
            continue
        text = normalise(" ".join((guide.title, guide.error, guide.summary, *guide.messages)))
        if all(w in text for w in words):
            found.append(guide)
    return found


def _code(word: str) -> str:
    """The NetSuite code a typed word stands for ('ns23', '0023', 'NS0023'), or ''."""
    digits = word.removeprefix("ns")
    if not digits.isdigit() or len(digits) > 4 or (digits == word and len(digits) < 3):
        return ""
    code = "NS" + digits.zfill(4)
    return code if CODE.fullmatch(code) else ""
