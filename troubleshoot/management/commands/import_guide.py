import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from troubleshoot import document, drafts


class Command(BaseCommand):
    help = "Read a guide document (YAML or JSON) and publish it as the guide's next version."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the document, or - for standard input.")
        parser.add_argument("--note", default="", help="The change note stored with the version.")

    def handle(self, file, note, **options):
        try:
            text = self.stdin.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        started = time.perf_counter()
        try:
            guide = document.read(text)
            version, new = drafts.import_guide(guide, note=note or f"Imported from {Path(file).name}")
        except document.DocumentError as exc:
            raise CommandError(f"{file} was not imported; nothing changed:\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
        took = f"in {time.perf_counter() - started:.2f} s"
        if new:
            self.stdout.write(f"Published {guide.slug} as version {version.number} {took}.")
        else:
            self.stdout.write(f"{guide.slug} is unchanged: version {version.number} already holds this document ({took}).")
