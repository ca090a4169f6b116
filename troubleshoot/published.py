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
# (slug, newest number) of every guide, the same as a dict, and until when to trust them.
_newest_set: tuple[tuple[tuple[str, int], ...], dict[str, int], float] | None = None
_matcher: tuple[tuple, Matcher] | None = None


def forget_cached() -> None:
    """Drop every cached guide; tests need it, as each starts with an empty database."""
    global _matcher, _newest_set
    _guides.clear()
    _guide_ids.clear()
    rendered.clear()
    _matcher = _newest_set = None


def latest_number(slug: str) -> int | None:
    """The newest version's number (see `newest`), or None for a guide never published."""
    newest()
    if slug not in _newest_set[1]:  # published elsewhere since the set was read, or no such guide: read it again
        newest(refresh=True)
    return _newest_set[1].get(slug)


def forget_newest(slug: str) -> None:
    """A publish here is seen at once; other processes and hosts see it within NEWEST_VERSION_SECONDS."""
    global _newest_set
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


def newest(refresh: bool = False) -> tuple[tuple[str, int], ...]:
    """(slug, newest number) of every published guide, asked at most once per NEWEST_VERSION_SECONDS."""
    global _newest_set
    now = time.monotonic()
    if refresh or _newest_set is None or _newest_set[2] <= now:
        rows = tuple(Version.objects.values_list("guide__slug").annotate(number=Max("number")).order_by("guide__slug"))
        _newest_set = (rows, dict(rows), now + settings.NEWEST_VERSION_SECONDS)
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
