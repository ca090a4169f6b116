"""Publishing drafts as versions, importing documents, rolling back and retiring.

What users are served changes only here; `drafts.py` turns rows into a guide and back. Importing
and rolling back never replace a draft's unpublished work without the author's say-so.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import document, drafts, models, parts
from .guide import Guide
from .models import Version
from .published import catalogue


@transaction.atomic
def publish(row: models.Guide, user=None, note: str = "") -> Version:
    """Check the drafts and store them as the next version; raises DocumentError if they have errors."""
    row = models.Guide.objects.select_for_update().get(pk=row.pk)
    return _publish(row, document.check(drafts.build(row)), user, note)


def _publish(row: models.Guide, guide: Guide, user, note: str) -> Version:
    """Store a checked guide as the guide's next version; the caller holds the guide's row locked."""
    number = (Version.objects.newest_number(row.slug) or 0) + 1
    version = Version.objects.create(guide=row, number=number, document=document.as_data(guide), note=note[:300],
                                     published_by=user)
    transaction.on_commit(catalogue.forget_newest)
    return version


def retire(row: models.Guide, user=None, note: str = "") -> bool:
    """Hide the guide from the guide list, agents' search and paste matching; its links keep opening.

    Returns False when it was retired already (nothing changes). Seen here at once, elsewhere within
    NEWEST_VERSION_SECONDS.
    """
    changed = models.Guide.objects.filter(pk=row.pk, retired_at__isnull=True).update(
        retired_at=timezone.now(), retired_by=user, retired_note=note.strip()[:300])
    transaction.on_commit(catalogue.forget_newest)
    return bool(changed)


def unretire(row: models.Guide) -> bool:
    """Show a retired guide again, as before; False when it was not retired."""
    changed = models.Guide.objects.filter(pk=row.pk, retired_at__isnull=False).update(
        retired_at=None, retired_by=None, retired_note="")
    transaction.on_commit(catalogue.forget_newest)
    return bool(changed)



class UnpublishedDraft(Exception):
    """The drafts hold unpublished work; replacing them needs the author's say-so."""

    def __init__(self, row: models.Guide, state: drafts.DraftState):
        super().__init__(state.summary())
        self.row, self.state = row, state



@dataclass(frozen=True)
class Imported:
    row: models.Guide
    version: Version | None  # the version that serves the document; None when it is only a draft
    new: bool  # a version was published by this import
    state: drafts.DraftState  # the drafts against what users see, after the import


@transaction.atomic
def import_guide(guide: Guide, user=None, note: str = "", *, publish: bool = False,
                 replace_draft: bool = False, seen_revision: int | None = None) -> Imported:
    """Make a checked guide the drafts, and with `publish` publish it unless the newest version holds it already.

    Drafts with unpublished work are replaced only with `replace_draft`, and then only if nobody
    saved the guide since `seen_revision` (when given); otherwise UnpublishedDraft says what they
    hold and nothing changes. Drafts that already hold the document are left as they are.
    """
    row = models.Guide.objects.select_for_update().filter(slug=guide.slug).first()
    if row is None:
        row = drafts.save(guide)
    else:
        before = drafts.state(row)
        if document.review(drafts.build(row))[0] != guide:
            if before.unpublished and (not replace_draft or seen_revision not in (None, row.revision)):
                raise UnpublishedDraft(row, before)
            row = drafts.save(guide)
    latest = Version.objects.filter(guide=row).order_by("-number").first()
    if latest is not None and document.load(latest.document) == guide:
        return Imported(row, latest, False, drafts.state(row))
    if publish:
        version = _publish(row, guide, user, note)
        return Imported(row, version, True, drafts.state(row))
    return Imported(row, None, False, drafts.state(row))


@transaction.atomic
def roll_back(old: Version, user) -> tuple[Version, bool, bool]:
    """Publish an older version's document again as the newest version.

    Returns the version that serves it, whether it is new, and whether the drafts were kept: drafts
    with unpublished work stay as they are (their rows, and node pages open on them, untouched);
    drafts that match what users saw become the old document. A version already newest changes nothing.
    """
    row = models.Guide.objects.select_for_update().get(pk=old.guide_id)
    latest = Version.objects.filter(guide=row).order_by("-number").first()
    if latest.number == old.number:
        return latest, False, True
    guide = document.check(document.as_data(document.load(old.document)))  # linted again, as publishing does
    note = f"Rolled back to version {old.number}"
    if drafts.state(row).unpublished:
        return _publish(row, guide, user, note), True, True
    drafts.save(guide)
    return _publish(row, guide, user, note), True, False


@dataclass(frozen=True)
class Republished:
    guide: str
    number: int


@transaction.atomic
def republish(part: models.Part, user=None) -> list[Republished]:
    """A new version of every guide whose newest version shows other text for this part than the library's.

    The new version is the newest one with only this part's text replaced: a draft's other
    unpublished changes stay unpublished. Guides already showing the current text are left alone.
    All or nothing: if the new text makes any of them fail its checks (a platform left with no
    instructions, say), DocumentError names the guide and nothing is published.
    """
    current = document.part_data(parts.library()[part.slug])
    done = []
    for row in models.Guide.objects.select_for_update().filter(pk__in=[g.pk for g in parts.used_by(part)]).order_by("slug"):
        latest = Version.objects.filter(guide=row).order_by("-number").first()
        pinned = latest.document.get("parts", []) if latest else []
        if current in pinned or not any(p.get("slug") == part.slug for p in pinned):
            continue
        data = dict(latest.document, parts=[current if p.get("slug") == part.slug else p for p in pinned])
        try:
            guide = document.check(data)
        except document.DocumentError as exc:
            raise document.DocumentError([f"{row.slug}: {problem}" for problem in exc.problems]) from None
        done.append(Republished(row.slug, _publish(row, guide, user, f"Part '{part.slug}' updated").number))
    return done
