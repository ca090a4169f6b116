"""Published guides as the wizard reads them.

A version never changes, so its parsed guide is cached per process for good; only "which version
is the newest" is asked of the database, at most once per NEWEST_VERSION_SECONDS.
"""

import time
from collections import OrderedDict

from django.conf import settings
from django.db.models import Max

from .engine import Guide
from .matching import Matcher
from .models import Version

class Rendered:
    """A bounded least-recently-used store of rendered HTML: versions never change, so neither does it."""

    def __init__(self, size: int):
        self.size, self.pages = size, OrderedDict()

    def get(self, key) -> str | None:
        html = self.pages.get(key)
        if html is not None:
            self.pages.move_to_end(key)
        return html

    def put(self, key, html: str) -> None:
        self.pages[key] = html
        if len(self.pages) > self.size:
            self.pages.popitem(last=False)

    def clear(self) -> None:
        self.pages.clear()


rendered = Rendered(size=4096)  # steps, and the list of guides: HTML that holds nothing personal
_guides: dict[tuple[str, int], Guide] = {}
_guide_ids: dict[str, int] = {}
_newest_numbers: dict[str, tuple[int | None, float]] = {}
_newest_set: tuple[tuple[tuple[str, int], ...], float] | None = None
_matcher: tuple[tuple, Matcher] | None = None


def forget_cached() -> None:
    """Drop every cached guide; tests need it, as each starts with an empty database."""
    global _matcher, _newest_set
    _guides.clear()
    _guide_ids.clear()
    _newest_numbers.clear()
    rendered.clear()
    _matcher = _newest_set = None


def latest_number(slug: str) -> int | None:
    """The newest version's number, asked of the database at most once per NEWEST_SECONDS per process.

    Publishing here forgets it at once; other processes and hosts see a new version within that time.
    """
    now = time.monotonic()
    cached = _newest_numbers.get(slug)
    if cached is None or cached[1] <= now:
        cached = (Version.objects.latest_number(slug), now + settings.NEWEST_VERSION_SECONDS)
        _newest_numbers[slug] = cached
    return cached[0]


def forget_newest(slug: str) -> None:
    global _newest_set
    _newest_numbers.pop(slug, None)
    _newest_set = None


def guide(slug: str, number: int) -> Guide | None:
    """The published guide, or None; a miss is not cached, since that version may be published later."""
    key = (slug, number)
    if key not in _guides:
        row = Version.objects.filter(guide__slug=slug, number=number).values_list("document", "guide_id").first()
        if row is None:
            return None
        _guides[key] = Guide.from_document(row[0])
        _guide_ids[slug] = row[1]
    return _guides[key]


def guide_id(slug: str) -> int:
    """The database id of a guide already read through `guide()` (runs point at it)."""
    return _guide_ids[slug]


def newest() -> tuple[tuple[str, int], ...]:
    """(slug, newest number) of every published guide, asked at most once per NEWEST_VERSION_SECONDS."""
    global _newest_set
    now = time.monotonic()
    if _newest_set is None or _newest_set[1] <= now:
        rows = tuple(Version.objects.values_list("guide__slug").annotate(number=Max("number")).order_by("guide__slug"))
        _newest_set = (rows, now + settings.NEWEST_VERSION_SECONDS)
    return _newest_set[0]


def latest_guides() -> list[Guide]:
    """The newest version of every published guide, for the home page."""
    return [g for slug, number in newest() if (g := guide(slug, number)) is not None]


def matcher() -> Matcher:
    """The matcher over the newest versions; rebuilt only when one of them changes."""
    global _matcher
    current = newest()
    if _matcher is None or _matcher[0] != current:
        _matcher = (current, Matcher(g for slug, number in current if (g := guide(slug, number)) is not None))
    return _matcher[1]
