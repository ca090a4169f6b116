from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from troubleshoot import document, drafts
from troubleshoot.models import Guide


class Command(BaseCommand):
    help = (
        "Print a guide's document: its newest published version, or its drafts with --draft. "
        "With --all, write every guide's newest published document to a folder, for backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?")
        parser.add_argument("--draft", action="store_true", help="Export the drafts, not the published version.")
        parser.add_argument("--number", type=int, help="A published version other than the newest.")
        parser.add_argument("--all", action="store_true", help="Every guide, each to FOLDER/<slug>.yaml.")
        parser.add_argument("--folder", default="guides-backup", help="Where --all writes (default: guides-backup).")

    def handle(self, slug, draft, number, all, folder, **options):
        if all:
            return self.export_all(Path(folder), draft)
        if not slug:
            raise CommandError("Name a guide's slug, or use --all.")
        guide = Guide.objects.filter(slug=slug).first()
        if guide is None:
            raise CommandError(f"There is no guide called '{slug}'.")
        self.stdout.write(document.write(self.document_of(guide, draft, number)), ending="")

    def document_of(self, guide: Guide, draft: bool, number: int | None = None) -> document.Guide:
        if draft:
            return document.review(drafts.build(guide))[0]  # as it stands, problems and all
        versions = guide.versions.all()
        version = versions.filter(number=number).first() if number else versions.first()
        if version is None:
            raise CommandError(f"'{guide.slug}' has no published version{f' {number}' if number else ''}; try --draft.")
        return document.load(version.document)

    def export_all(self, folder: Path, draft: bool) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        guides = Guide.objects.all() if draft else Guide.objects.filter(versions__isnull=False).distinct()
        for guide in guides:
            path = folder / f"{guide.slug}.yaml"
            path.write_text(document.write(self.document_of(guide, draft)))
            self.stdout.write(f"Wrote {path}")
