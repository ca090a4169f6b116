"""Which guide a pasted error message belongs to.

A code decides: a code with a guide opens it, a code without one opens nothing, however alike the
words. Without a code, a guide's message found in the text opens that guide.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .engine import Guide

CODE = re.compile(r"\b([A-Z]{2,4}\d{3,5})\b")
MAX_TEXT = 10_000
QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})


def normalise(text: str) -> str:
    """Case, quote styles, dashes and runs of white space do not matter."""
    text = unicodedata.normalize("NFKC", text).translate(QUOTES)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Match:
    guide: Guide | None
    code: str = ""  # the code found in the text, if any
    others: list[Guide] = field(default_factory=list)  # guides to offer when none opens


def match(text: str, guides: Iterable[Guide]) -> Match:
    text = text[:MAX_TEXT]
    guides = list(guides)
    codes = CODE.findall(text.upper())
    for code in codes:
        for guide in guides:
            if code in guide.codes:
                return Match(guide, code)
    if codes:
        return Match(None, codes[0], guides)
    plain = normalise(text)
    if len(plain) >= 12:
        for guide in guides:
            if any(normalise(m) in plain for m in guide.messages if m):
                return Match(guide)
    return Match(None, "", guides)
