import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from troubleshoot import document, parts, publishing
from troubleshoot.models import Guide


class Command(BaseCommand):
    help = (
        "Load the shipped guides from fixtures/, with the parts they include (fixtures/parts.yaml). A guide or "
        "part already in the database is left as it is, so running this again never duplicates guides or undoes "
        "edits made in the admin. A new guide is published at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folder", default=str(settings.BASE_DIR / "fixtures"))

    def handle(self, folder, **options):
        started = time.perf_counter()
        folder = Path(folder)
        files = document.shipped_files(folder)
        if not files:
            raise CommandError(f"No guide documents (*.yaml) in {folder}.")
        library_file = folder / document.PARTS_FILE
        try:
            added = parts.load_file(library_file) if library_file.exists() else []
        except document.DocumentError as exc:
            raise CommandError(f"{library_file.name} is broken:\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
        if added:
            self.stdout.write(f"Added the parts {', '.join(added)}.")
        library = parts.library()
        have = set(Guide.objects.values_list("slug", flat=True))
        loaded = kept = 0
        for path in files:
            try:
                guide = document.read(path.read_bytes(), library)
            except document.DocumentError as exc:
                raise CommandError(f"{path.name} is broken:\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
            if guide.slug in have:
                kept += 1
                if options["verbosity"] > 1:
                    self.stdout.write(f"Kept {guide.slug}: it is already here.")
                continue
            imported = publishing.import_guide(guide, note=f"Shipped guide {path.name}", publish=True)
            loaded += 1
            self.stdout.write(f"Loaded {guide.slug} as version {imported.version.number}.")
        self.stdout.write(f"Loaded {loaded} guide(s) and kept {kept} already here (import_guide replaces one on purpose), "
                          f"in {time.perf_counter() - started:.1f} s.")
