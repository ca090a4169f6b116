"""Which guide a pasted error message belongs to.

A code decides: a code with a guide opens it; a code without one opens nothing, however alike the
words, because many NetSuite errors share their wording and the wrong fix is worse than none.
NetSuite's own code words (InvalidTimestamp, USER_ERROR, consumer_key_refused) decide the same
way, wherever an app's message wraps them; a code word that several guides share (USER_ERROR comes
with many messages) narrows the choice to them, and their words decide between them.
Without a code, the text is compared with each guide's messages by the word pairs they share, so
a prefix, a quote style, a cut-off end or a surrounding log does not matter. A guide opens only
when it is clearly the best; names in quotes ('Classification') must be there too, since they are
what tells otherwise identical messages apart.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .guide import Guide

MAX_TEXT = 10_000
# NetSuite connector codes as the apps print them (NS0109); a guide's own codes count too.
CODE = re.compile(r"(?<![A-Z0-9])(NS\d{4})(?![0-9])")
RUN = re.compile(r"[A-Z0-9_]{4,}")  # in upper-cased text: each candidate for a code word, whole
WORD = re.compile(r"[a-z0-9]+(?:['./][a-z0-9]+)*")
QUOTED = re.compile(r"""(?:^|(?<=[\s(]))['"]([^'"]{2,60})['"](?=[\s.,;:!?)]|$)""")
QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "`": "'", "“": '"', "”": '"', "„": '"', "″": '"'})
# The app's own lead-in before NetSuite's words ("Oracle NetSuite Sync Error: Reason: Null"): many guides'
# messages share it, so it is left out of theirs and a paste is judged on what follows it.
WRAPPER = re.compile(r"^(?:oracle )?netsuite sync error: ")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OPEN_AT = 0.4  # share of a message's word pairs the text must hold to open its guide
MIN_PAIRS = 3  # and never fewer pairs than this (or the whole message, if shorter)
CLEAR_BY = 0.2  # how far ahead of the next guide the best must be
NETSUITE = "netsuite"  # the platform of NetSuite's own errors, behind any integration


def clean(text: str) -> str:
    """Pasted text made safe to keep: no control characters (PostgreSQL refuses NUL), at most MAX_TEXT."""
    return CONTROL.sub("", text[:MAX_TEXT])


def normalise(text: str) -> str:
    """Case, quote styles, dashes, line breaks and runs of white space do not matter."""
    text = unicodedata.normalize("NFKC", clean(text)).translate(QUOTES)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return " ".join(text.lower().split())


def pairs(text: str) -> set[tuple[str, str]]:
    words = WORD.findall(text)
    return set(zip(words, words[1:]))


@dataclass(frozen=True)
class Match:
    guide: Guide | None = None  # the guide to open
    code: str = ""  # the code the text carries, if any
    platform: str = ""  # the platform the text names, when the guide has it
    choices: tuple[Guide, ...] = ()  # close guides for the user to pick between
    suggestions: tuple[Guide, ...] = ()  # the nearest guides, offered but not opened


@dataclass(frozen=True)
class _Message:
    guide: Guide
    pairs: frozenset
    quoted: tuple[str, ...]


class Matcher:
    """An index over one set of published guides; build it once per set."""

    def __init__(self, guides: Iterable[Guide]):
        self.guides = tuple(guides)
        self.by_code: dict[str, list[Guide]] = {}
        self.spelling: dict[str, str] = {}  # a code as its guides write it (InvalidTimestamp), by its upper case
        for guide in self.guides:
            for code in guide.codes:
                if guide not in self.by_code.setdefault(code.upper(), []):
                    self.by_code[code.upper()].append(guide)
                self.spelling.setdefault(code.upper(), code)
        # Codes other than NSnnnn are looked for by name, as whole runs of letters, digits and underscores.
        self.other_codes = {c for c in self.by_code if not CODE.fullmatch(c)}
        # Each guide's platforms by the words of their names, for naming one in a pasted text.
        self.platform_words = {g.slug: {p.slug: (normalise(p.name), WORD.findall(normalise(p.name)) or [""])
                                        for p in g.platforms} for g in self.guides}
        self.messages: list[_Message] = []
        self.index: dict[tuple[str, str], list[int]] = {}
        for guide in self.guides:
            for text in (*guide.messages, guide.error):
                plain = WRAPPER.sub("", normalise(text))
                message = _Message(guide, frozenset(pairs(plain)), tuple(QUOTED.findall(plain)))
                if not message.pairs:
                    continue
                for pair in message.pairs:
                    self.index.setdefault(pair, []).append(len(self.messages))
                self.messages.append(message)

    def match(self, text: str) -> Match:
        text = clean(text)
        codes = self._codes(text)
        known = [code for code in codes if code in self.by_code]
        # A code only one guide has decides before a code several share (USER_ERROR beside InsufficientPermissionFault).
        if known:
            code = min(known, key=lambda c: len(self.by_code[c]) > 1)  # the first such, else the first found
            return self._among(self.by_code[code], text, self.spelling[code])
        scores = self._scores(normalise(text))
        nearest = tuple(g for g, _ in scores[:3])
        if codes:
            return Match(code=codes[0], suggestions=nearest)
        close = [(g, s) for g, s in scores if s >= OPEN_AT]
        return self._decide(close, text) or Match(suggestions=nearest)

    def _among(self, guides: list[Guide], text: str, code: str) -> Match:
        """The guide of a code: its only one, else the one of those the words clearly fit, else a pick."""
        if len(guides) == 1:
            return Match(guides[0], code, self._platform(guides[0], text))
        slugs = {g.slug for g in guides}
        close = [(g, s) for g, s in self._scores(normalise(text)) if g.slug in slugs and s >= OPEN_AT]
        found = self._decide(close, text)
        if found and found.guide:
            return Match(found.guide, code, found.platform)
        return Match(code=code, choices=found.choices if found else tuple(sorted(guides, key=lambda g: g.slug))[:5])

    def _decide(self, close: list[tuple[Guide, float]], text: str) -> Match | None:
        """The clearly best of the close guides; among equals, the one whose platform the text names; else a pick."""
        if not close:
            return None
        if len(close) == 1 or close[0][1] - close[1][1] >= CLEAR_BY:
            return Match(close[0][0], platform=self._platform(close[0][0], text))
        near = [g for g, s in close if close[0][1] - s < CLEAR_BY]
        named = [g for g in near if self._platform(g, text) not in ("", NETSUITE)]  # NetSuite is in most pastes
        if len(named) == 1:  # "Bill.com: ..." picks Bill.com's guide of a message two apps share
            return Match(named[0], platform=self._platform(named[0], text))
        return Match(choices=tuple(g for g, _ in close[:5]))

    def _codes(self, text: str) -> list[str]:
        upper = text.upper()
        found = [m.group(1) for m in CODE.finditer(upper)]
        if self.other_codes:
            found += [run for run in RUN.findall(upper) if run in self.other_codes]
        return list(dict.fromkeys(found))

    def _scores(self, plain: str) -> list[tuple[Guide, float]]:
        """Each guide with its best message's share of word pairs found in the text, best first."""
        shared: Counter[int] = Counter()
        for pair in pairs(plain):
            for i in self.index.get(pair, ()):
                shared[i] += 1
        best: dict[str, tuple[Guide, float]] = {}
        for i, count in shared.items():
            message = self.messages[i]
            if count < min(MIN_PAIRS, len(message.pairs)):
                continue
            score = count / len(message.pairs)
            if any(term not in plain for term in message.quoted):
                score = min(score, OPEN_AT - 0.01)  # near, but never opened without its quoted name
            if score > best.get(message.guide.slug, (None, 0.0))[1]:
                best[message.guide.slug] = (message.guide, score)
        return sorted(best.values(), key=lambda item: (-item[1], item[0].slug))

    def _platform(self, guide: Guide, text: str) -> str:
        """The guide's platform that the text names, if exactly one is named.

        A platform is named by its whole name, or by its first word when no other platform of the
        guide has that word in its name ("Bill.com" yes; "Expensify", in "New Expensify on the
        web" and "Expensify Classic", no).
        """
        plain = normalise(text)
        names = self.platform_words[guide.slug]

        def named(slug: str) -> bool:
            name, words = names[slug]
            word = words[0]
            elsewhere = any(word in other for key, (_, other) in names.items() if key != slug)
            return name in plain or bool(
                word and not elsewhere and re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", plain))

        found = [p.slug for p in guide.platforms if named(p.slug)]
        return found[0] if len(found) == 1 else ""
