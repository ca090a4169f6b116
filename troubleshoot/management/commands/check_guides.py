from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from troubleshoot import document, facts


class Command(BaseCommand):
    help = ("Check guide documents without storing anything: every problem of each (errors block publishing), "
            "with its parts taken from fixtures/parts.yaml unless the document carries its own. "
            "With no files, checks every shipped guide in fixtures/. Guides are checked as shipped guides "
            "(FORMAT.md §5): every source has an id and a facts record (fixtures/facts/), every question, "
            "checklist and solution names its sources, and states only what their records hold.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Paths of documents (default: the shipped guides).")
        parser.add_argument("--parts", default=str(settings.BASE_DIR / "fixtures" / document.PARTS_FILE),
                            help="The library of parts to include from.")
        parser.add_argument("--facts", default=str(settings.BASE_DIR / "fixtures" / "facts"),
                            help="The folder of facts records (and everyday.yaml) to check against.")

    def handle(self, files, parts, **options):
        try:
            records = facts.load(Path(options["facts"]))
        except facts.FactsError as exc:
            raise CommandError(f"The facts records in {options['facts']} are broken:\n"
                               + "\n".join(f"  - {p}" for p in exc.problems)) from None
        try:
            library = document.read_parts(Path(parts).read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read the parts in {parts}: {exc.strerror}") from None
        except document.DocumentError as exc:
            raise CommandError(f"{parts} is broken:\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
        paths = [Path(f) for f in files] or document.shipped_files(settings.BASE_DIR / "fixtures")
        failed = 0
        for path in paths:
            try:
                guide, problems = document.review(document.parse(path.read_bytes()), library)
                problems = facts.shipped(guide, problems, records)
            except OSError as exc:
                problems, failed = [f"error: cannot read it: {exc.strerror}"], failed + 1
            except document.DocumentError as exc:
                problems, failed = [f"error: {p}" for p in exc.problems], failed + 1
            else:
                failed += any(p.level == "error" for p in problems)
            self.stdout.write(f"{path}: " + ("no problems" if not problems else f"{len(problems)} problem(s)"))
            for problem in problems:
                self.stdout.write(f"  - {problem}")
        if failed:
            raise CommandError(f"{failed} of {len(paths)} document(s) have errors.")
