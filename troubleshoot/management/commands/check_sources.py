from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from troubleshoot import article_changes
from troubleshoot.models import Guide, Source
from troubleshoot.source_checks import record

STATES = {"changed": "changed", "moved": "moved to {new_path}", "vanished": "vanished",
          "unknown": "cannot be found at its pinned commit"}


class Command(BaseCommand):
    help = ("List every guide whose article changed, moved or vanished since the commit its draft pins, with the "
            "article's diff, and record it for the admin (the guide list's 'source changed'). Reads the articles' "
            "repository: a URL, cloned partially the first time (only the articles' folders) and fetched after, or a "
            "local clone. Web-page and seed sources are not in a repository and are skipped.")

    def add_arguments(self, parser):
        parser.add_argument("--repository", default=article_changes.DEFAULT_URL,
                            help="A git URL, or the path of a local clone (used as it is). Default: %(default)s")
        parser.add_argument("--repo-name", default="",
                            help="The owner/name the guides' sources give for it (default: from the URL, else Expensify/App).")
        parser.add_argument("--clone-into", default=str(settings.BASE_DIR / "var" / "articles"),
                            help="Where a URL is cloned and later fetched (default: %(default)s).")
        parser.add_argument("--ref", default="", help="Compare with this commit or branch (default: the newest).")
        parser.add_argument("--guide", action="append", default=[], help="Only this guide (slug); repeatable.")
        parser.add_argument("--fail-when-changed", action="store_true",
                            help="Exit with an error when any source needs a look (for a scheduler that mails failures).")

    def handle(self, repository, repo_name, clone_into, ref, guide, fail_when_changed, **options):
        repo_name = repo_name or _name(repository)
        guides = Guide.objects.order_by("slug")
        if guide:
            guides = guides.filter(slug__in=guide)
            if missing := set(guide) - set(guides.values_list("slug", flat=True)):
                raise CommandError(f"No guide with the slug {', '.join(sorted(missing))}.")
        sources = list(Source.objects.filter(guide__in=guides).order_by("guide__slug", "order", "id"))
        articles = [s for s in sources if not (s.seed or s.url) and s.repo == repo_name]
        skipped_pages = sum(1 for s in sources if s.seed or s.url)
        skipped_repos = sorted({s.repo for s in sources if not (s.seed or s.url) and s.repo != repo_name})
        try:
            repo, how = article_changes.open_repository(
                repository, Path(clone_into), article_changes.folders_of([s.path for s in articles]), ref)
        except (article_changes.GitError, OSError) as exc:
            raise CommandError(f"Cannot read the articles' repository: {exc}") from None
        self.stdout.write(f"{how} Comparing with {repo.head[:12]}.")
        now, by_guide, looks = timezone.now(), {}, 0
        for source in articles:
            by_guide.setdefault(source.guide, {})[(source.path, source.commit)] = None
        for row, pinned in by_guide.items():
            findings = [repo.compare(path, commit) for path, commit in pinned]
            record(row, repo_name, findings, now)
            for f in findings:
                if f.state == "same":
                    continue
                looks += 1
                self.stdout.write(f"{row.slug}: {f.path} {STATES[f.state].format(new_path=f.new_path)} "
                                  f"since {f.commit[:12]}")
                for line in f.diff.splitlines():
                    self.stdout.write(f"    {line}")
        self.stdout.write(f"Checked {len(articles)} article source(s) of {len(by_guide)} guide(s): "
                          f"{looks} need a look.")
        if skipped_pages:
            self.stdout.write(f"Skipped {skipped_pages} web-page and seed source(s): they are not in a repository.")
        if skipped_repos:
            self.stdout.write(f"Skipped the sources in {', '.join(skipped_repos)}: this run reads {repo_name}.")
        if looks and fail_when_changed:
            raise CommandError(f"{looks} source(s) changed, moved or vanished.")


def _name(location: str) -> str:
    """owner/name from a GitHub-like URL (https://github.com/Expensify/App.git gives Expensify/App)."""
    parts = location.rstrip("/").removesuffix(".git").split("/")
    return "/".join(parts[-2:]) if "://" in location and len(parts) >= 2 else "Expensify/App"
