"""Shared parts: instructions that many guides include by name, edited in one place.

A guide's draft includes a part's current text; publishing pins that text into the version, so a
published version never changes. After a part is edited, `publishing.republish` gives every guide whose
newest version shows the old text a new version with the new text, and nothing else of its draft.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db.models import OuterRef, Q, Subquery

from . import document, guide as typed, models
from .models import Part, PartInstruction, Version


def library() -> dict[str, typed.Part]:
    """Every part as the typed shape guides include, by slug: one query."""
    lines: dict[str, list[typed.Instruction]] = {}
    titles: dict[str, str] = {}
    for slug, title, text, platform in Part.objects.order_by("slug", "instructions__order", "instructions__id").values_list(
            "slug", "title", "instructions__text", "instructions__platform"):
        titles[slug] = title
        lines.setdefault(slug, [])
        if text is not None:
            lines[slug].append(typed.Instruction(text.strip(), platform or ""))
    return {slug: typed.Part(slug, titles[slug], tuple(lines[slug])) for slug in titles}


def library_data() -> dict[str, dict]:
    """Every part as document data, as a version pins it."""
    return {slug: document.part_data(part) for slug, part in library().items()}


def ensure(parts: dict[str, typed.Part]) -> dict[str, Part]:
    """Rows for these parts, creating the ones the library lacks from the given text; existing ones are left as they are."""
    rows = {p.slug: p for p in Part.objects.filter(slug__in=list(parts))}
    for slug, part in parts.items():
        if slug not in rows:
            rows[slug] = Part.objects.create(slug=slug, title=part.title)
            PartInstruction.objects.bulk_create(PartInstruction(part=rows[slug], text=i.text, platform=i.platform, order=n)
                                                for n, i in enumerate(part.instructions))
    return rows


def load_file(path: Path) -> list[str]:
    """Add the parts of a library file that the database does not have yet; returns their slugs."""
    parts = document.read_parts(path.read_bytes())
    have = set(Part.objects.filter(slug__in=list(parts)).values_list("slug", flat=True))
    ensure({slug: part for slug, part in parts.items() if slug not in have})
    return [slug for slug in parts if slug not in have]


def _newest() -> dict[int, tuple[int, list]]:
    """Each published guide's newest version number and the parts it pins, by guide id: one query."""
    newest = Version.objects.filter(number=Subquery(
        Version.objects.filter(guide=OuterRef("guide")).order_by("-number").values("number")[:1]))
    return {guide_id: (number, [p for p in pinned or () if isinstance(p, dict)])
            for guide_id, number, pinned in newest.values_list("guide_id", "number", "document__parts")}


def used_by(part: Part, newest: dict | None = None) -> list[models.Guide]:
    """Guides whose draft includes the part, or whose newest version does (read in Python: a few dozen documents)."""
    newest = _newest() if newest is None else newest
    in_versions = {guide_id for guide_id, (_, pinned) in newest.items() if any(p.get("slug") == part.slug for p in pinned)}
    return list(models.Guide.objects.filter(Q(nodes__instructions__part=part) | Q(pk__in=in_versions)).distinct())


@dataclass(frozen=True)
class Use:
    """A guide that includes a part, and whether its newest version shows the part's current text."""

    guide: models.Guide
    newest: int | None  # its newest version's number; None: never published
    in_draft: bool  # its draft includes the part
    stale: bool  # its newest version shows other text for the part than the library has now


def uses(part: Part) -> list[Use]:
    """Every guide that includes the part, by slug: four queries whatever their number."""
    current = document.part_data(library()[part.slug])
    newest = _newest()
    drafted = set(models.Guide.objects.filter(nodes__instructions__part=part).values_list("pk", flat=True))
    found = []
    for row in sorted(used_by(part, newest), key=lambda g: g.slug):
        number, pinned = newest.get(row.pk, (None, []))
        mine = [p for p in pinned if p.get("slug") == part.slug]
        found.append(Use(row, number, row.pk in drafted, bool(mine) and mine[0] != current))
    return found
