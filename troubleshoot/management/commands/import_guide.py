import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from troubleshoot import document, drafts, parts, publishing


class Command(BaseCommand):
    help = (
        "Read a guide document (YAML or JSON) into the guide's drafts; with --publish, publish it as the "
        "guide's next version too. Drafts with unpublished changes are replaced only with --replace-draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the document, or - for standard input.")
        parser.add_argument("--note", default="", help="The change note stored with the version (with --publish).")
        parser.add_argument("--publish", action="store_true", help="Publish the document at once, as the next version.")
        parser.add_argument("--replace-draft", action="store_true",
                            help="Replace the guide's drafts even if they hold unpublished changes (they are lost).")

    def handle(self, file, note, publish, replace_draft, **options):
        try:
            text = self.stdin.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        started = time.perf_counter()
        try:
            guide = document.read(text, parts.library())
            imported = publishing.import_guide(guide, note=note or f"Imported from {Path(file).name}",
                                           publish=publish, replace_draft=replace_draft)
        except document.DocumentError as exc:
            raise CommandError(f"{file} was not imported; nothing changed:\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
        except publishing.UnpublishedDraft as exc:
            raise CommandError(
                f"{file} was not imported; nothing changed: the drafts of {guide.slug} would be replaced, and "
                f"{exc.state.summary()}.\n" + "".join(f"  - {title}\n" for title in _titles(exc.state))
                + f"Publish or export them first (export_guide {guide.slug} --draft), "
                "or run again with --replace-draft to replace them.") from None
        took = f"in {time.perf_counter() - started:.2f} s"
        version = imported.version
        if imported.new:
            self.stdout.write(f"Published {guide.slug} as version {version.number} {took}.")
        elif version is not None:
            self.stdout.write(f"{guide.slug} is unchanged: version {version.number} already holds this document ({took}).")
        else:
            live = f"users still see version {imported.state.newest}" if imported.state.newest else "nothing is published yet"
            self.stdout.write(f"Imported {guide.slug} as a draft {took}; it is not published ({live}). "
                              "Publish it in the admin, or import it again with --publish.")


def _titles(state: drafts.DraftState) -> list[str]:
    return ([f"added: {t}" for t in state.added] + [f"removed: {t}" for t in state.removed]
            + [f"changed: {t}" for t in state.changed])
