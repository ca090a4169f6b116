"""The home page's list of guides: grouped by where the error comes from and its kind, and narrowed by what someone types."""

from dataclasses import dataclass

from .guide import CATEGORIES, ORIGINS, OTHER_ORIGIN, Guide
from .matching import CODE, WORD, normalise

MAX_QUERY = 200
OTHER = "Other errors"  # guides whose document names no category


@dataclass(frozen=True)
class Group:
    heading: str
    guides: tuple[Guide, ...]


@dataclass(frozen=True)
class Origin:
    heading: str  # "Expensify", "Bill.com and Cashflow360", "NetSuite itself"
    groups: tuple[Group, ...]


def by_origin(guides: list[Guide]) -> list[Origin]:
    """Guides by the apps their errors come from (a guide two apps share once, under both names), then by kind."""
    order = [*ORIGINS.values(), OTHER_ORIGIN]
    found: dict[tuple[str, ...], list[Guide]] = {}
    for guide in guides:
        found.setdefault(guide.origins or (OTHER_ORIGIN,), []).append(guide)
    ranked = sorted(found, key=lambda origins: ([order.index(o) for o in origins], len(origins)))
    return [Origin(_origin_heading(origins), tuple(grouped(found[origins]))) for origins in ranked]


def _origin_heading(origins: tuple[str, ...]) -> str:
    names = ["NetSuite itself" if o == ORIGINS["netsuite"] else o for o in origins]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


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
    """The guides whose codes, title, messages, summary or apps hold every word of the query.

    A code in the query ("ns23", "NS0023", "0023") must be one of the guide's codes; NetSuite's
    code words ("InvalidTimestamp", "user_error") and app names ("Bill.com") are words like any other.
    """
    plain = normalise(query[:MAX_QUERY])
    known = {c.lower(): c.upper() for g in guides for c in g.codes if not CODE.fullmatch(c.upper())}
    tokens = [t.strip("\"'.,;:()[]") for t in plain.split()]
    codes = {known[t] for t in tokens if t in known}  # a code word typed is a code, not two words
    rest = " ".join(t for t in tokens if t not in known)
    codes |= {_code(w) for w in WORD.findall(rest) if _code(w)}
    words = [w for w in WORD.findall(rest) if not _code(w)]
    found = []
    for guide in guides:
        if codes and not codes & {c.upper() for c in guide.codes}:
            continue
        text = normalise(" ".join((guide.title, guide.error, guide.summary, *guide.messages, *guide.codes,
                                   *guide.origins, *(p.name for p in guide.platforms))))
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
