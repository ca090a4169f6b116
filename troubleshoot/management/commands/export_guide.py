from django.core.management.base import BaseCommand, CommandError

from troubleshoot import document, drafts
from troubleshoot.models import Guide, Version


class Command(BaseCommand):
    help = "Print a guide's document: its newest published version, or its current drafts with --draft."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--draft", action="store_true", help="Export the drafts, not the published version.")
        parser.add_argument("--number", type=int, help="A published version other than the newest.")

    def handle(self, slug, draft, number, **options):
        guide = Guide.objects.filter(slug=slug).first()
        if guide is None:
            raise CommandError(f"There is no guide called '{slug}'.")
        if draft:
            doc = drafts.build(guide)
        else:
            versions = guide.versions.all()
            version = versions.filter(number=number).first() if number else versions.first()
            if version is None:
                raise CommandError(f"'{slug}' has no published version{f' {number}' if number else ''}; try --draft.")
            doc = version.document
        self.stdout.write(document.write(doc), ending="")
