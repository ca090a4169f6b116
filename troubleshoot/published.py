"""Published guides as the wizard reads them, and the pages rendered from them: one owner per process.

A version never changes, so its guide, and a page rendered from it, is kept for good; only "which
version is the newest" is asked of the database, at most once per NEWEST_VERSION_SECONDS.
Everything this process keeps about published guides lives in `catalogue`, and `catalogue.reset()`
drops it all (tests, whose databases start empty).
"""

import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, reverse

from . import document
from .guide import Guide
from .matching import Matcher
from .models import Newest, Version


@dataclass(frozen=True)
class GuideVersion:
    """A guide at one version, as a step serves it; a draft in the admin's preview has number 0 and no id."""

    guide: Guide
    number: int
    newest: int
    guide_id: int | None  # the guide's row, which runs point at
    retired: bool = False  # hidden from lists and matching; its links still open, with a notice
    retired_note: str = ""

    @property
    def is_draft(self) -> bool:
        return self.guide_id is None

    @classmethod
    def draft(cls, guide: Guide) -> "GuideVersion":
        return cls(guide, 0, 0, None)


class NoGuide(LookupError):
    """No guide has this slug, or it was never published."""


class NoVersion(LookupError):
    """The guide exists but not at this version; `newest` is the one to offer."""

    def __init__(self, newest: int):
        super().__init__(newest)
        self.newest = newest


class Pages:
    """A bounded least-recently-used store of rendered HTML: versions never change, so neither does it."""

    def __init__(self, size: int):
        self.size, self.html = size, OrderedDict()

    def get(self, key) -> str | None:
        html = self.html.get(key)
        if html is not None:
            self.html.move_to_end(key)
        return html

    def put(self, key, html: str) -> None:
        self.html[key] = html
        if len(self.html) > self.size:
            self.html.popitem(last=False)


class Catalogue:
    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.guides: dict[tuple[str, int], tuple[Guide, int]] = {}  # (slug, number) -> (guide, guide id)
        self.pages = Pages(size=4096)  # steps and the home page: HTML that holds nothing personal
        self.version_urls: dict[tuple[str, int, str], str] = {}
        self._newest: tuple[Newest, ...] = ()
        self._newest_by_slug: dict[str, Newest] = {}
        self._newest_until = 0.0
        self._matcher: tuple[tuple, Matcher] | None = None

    def newest(self, refresh: bool = False) -> tuple[Newest, ...]:
        """Every published guide's newest number and whether it is retired, asked at most once per
        NEWEST_VERSION_SECONDS (one query)."""
        now = time.monotonic()
        if refresh or self._newest_until <= now:
            self._newest = Version.objects.newest_numbers()
            self._newest_by_slug = {n.slug: n for n in self._newest}
            self._newest_until = now + settings.NEWEST_VERSION_SECONDS
        return self._newest

    def newest_number(self, slug: str) -> int | None:
        """The newest version's number, or None for a guide never published."""
        self.newest()
        if slug not in self._newest_by_slug:  # published elsewhere since the set was read, or no such guide
            self.newest(refresh=True)
        found = self._newest_by_slug.get(slug)
        return found.number if found else None

    def forget_newest(self) -> None:
        """A publish (or a retirement) here is seen at once; other processes and hosts see it within NEWEST_VERSION_SECONDS."""
        self._newest_until = 0.0

    def open(self, slug: str, number: int) -> GuideVersion:
        """The guide at this version; NoGuide or NoVersion when there is none."""
        newest = self.newest_number(slug)
        if newest is None:
            raise NoGuide(slug)
        found = self._read(slug, number)
        if found is None:
            raise NoVersion(newest)
        state = self._newest_by_slug.get(slug)  # read with the newest number, in the same query
        retired, note = (state.retired, state.note) if state else (False, "")
        return GuideVersion(found[0], number, newest, found[1], retired, note)

    def guide(self, slug: str, number: int) -> Guide | None:
        found = self._read(slug, number)
        return found[0] if found else None

    def _read(self, slug: str, number: int) -> tuple[Guide, int] | None:
        # A miss is not kept: that version may be published later.
        key = (slug, number)
        if key not in self.guides:
            row = Version.objects.filter(guide__slug=slug, number=number).values_list("document", "guide_id").first()
            if row is None:
                return None
            self.guides[key] = (document.load(row[0]), row[1])
        return self.guides[key]

    def newest_guides(self) -> list[Guide]:
        """The newest version of every published guide that is not retired, for the home page, agents and matching."""
        return [g for n in self.newest() if not n.retired and (g := self.guide(n.slug, n.number)) is not None]

    def matcher(self) -> Matcher:
        """The matcher over the newest versions of guides in use; rebuilt only when one of them changes or is retired."""
        current = self.newest()
        if self._matcher is None or self._matcher[0] != current:
            self._matcher = (current, Matcher(self.newest_guides()))
        return self._matcher[1]

    def version_url(self, slug: str, number: int) -> str:
        """Where every step URL of this version starts; reversed once, as every step needs it."""
        key = (slug, number, get_script_prefix())  # reverse() depends on the prefix
        url = self.version_urls.get(key)
        if url is None:
            url = self.version_urls[key] = reverse("troubleshoot:version", args=[slug, number])
        return url


catalogue = Catalogue()
