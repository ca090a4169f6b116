from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from troubleshoot import document, publishing
from troubleshoot.models import Guide


class Command(BaseCommand):
    help = (
        "Load the shipped guides from fixtures/. A guide already in the database is left as it is, "
        "so running this again never duplicates guides or undoes edits made in the admin. A new guide is published at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folder", default=str(settings.BASE_DIR / "fixtures"))

    def handle(self, folder, **options):
        files = sorted(Path(folder).glob("*.yaml"))
        if not files:
            raise CommandError(f"No guide documents (*.yaml) in {folder}.")
        for path in files:
            try:
                guide = document.read(path.read_bytes())
            except document.DocumentError as exc:
                raise CommandError(f"{path.name} is broken:\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
            if Guide.objects.filter(slug=guide.slug).exists():
                self.stdout.write(f"Kept {guide.slug}: it is already here (import_guide replaces it on purpose).")
                continue
            imported = publishing.import_guide(guide, note=f"Shipped guide {path.name}", publish=True)
            self.stdout.write(f"Loaded {guide.slug} as version {imported.version.number}.")
