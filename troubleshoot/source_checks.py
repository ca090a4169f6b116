"""What `check_sources` found: per guide, each article source that changed, moved or vanished since
the commit the guide was checked against (models.py imports this, so it is part of the app's models)."""

from django.db import models


class SourceCheck(models.Model):
    """One article source of a guide's draft, as the newest `check_sources` run found it."""

    class State(models.TextChoices):
        SAME = "same", "Unchanged"
        CHANGED = "changed", "Changed"
        MOVED = "moved", "Moved"
        VANISHED = "vanished", "Vanished"
        UNKNOWN = "unknown", "Not found at the pinned commit"

    guide = models.ForeignKey("troubleshoot.Guide", on_delete=models.CASCADE, related_name="source_checks")
    repo = models.CharField(max_length=140)
    path = models.CharField(max_length=500, help_text="The article's path at the pinned commit.")
    commit = models.CharField(max_length=40, help_text="The commit the guide was checked against.")
    state = models.CharField(max_length=20, choices=State.choices)
    new_path = models.CharField(max_length=500, blank=True, help_text="Where a moved article is now.")
    head = models.CharField(max_length=40, blank=True, help_text="The repository's commit it was compared with.")
    diff = models.TextField(blank=True, help_text="The article's changes from the pinned commit to the head.")
    checked_at = models.DateTimeField()

    # The states a guide's author must look at.
    NEEDS_LOOK = (State.CHANGED, State.MOVED, State.VANISHED, State.UNKNOWN)

    class Meta:
        ordering = ["guide", "path"]
        indexes = [models.Index(fields=["guide", "state"], name="sourcecheck_guide_state")]

    def __str__(self) -> str:
        return f"{self.path.rsplit('/', 1)[-1]}: {self.get_state_display()}"


def record(guide, repo: str, findings: list, when) -> None:
    """Replace what the guide's last check found with these findings (from `article_changes`)."""
    SourceCheck.objects.filter(guide=guide).delete()
    SourceCheck.objects.bulk_create(
        SourceCheck(guide=guide, repo=repo, path=f.path, commit=f.commit, state=f.state, new_path=f.new_path,
                    head=f.head, diff=f.diff, checked_at=when) for f in findings)


def pending(guide) -> list[SourceCheck]:
    """The guide's checks that need a look, for the sources its draft still pins (a draft that has since
    moved a source on, by this page or an import, no longer shows that source's check)."""
    from .models import Source

    pinned = set(Source.objects.filter(guide=guide).values_list("repo", "path", "commit"))
    return [c for c in guide.source_checks.filter(state__in=SourceCheck.NEEDS_LOOK)
            if (c.repo, c.path, c.commit) in pinned]


def needs_look():
    """A queryset filter: guides with a check that needs a look, for a source their draft still pins."""
    from .models import Source

    pinned = Source.objects.filter(guide=models.OuterRef("guide"), repo=models.OuterRef("repo"),
                                   path=models.OuterRef("path"), commit=models.OuterRef("commit"))
    return models.Exists(SourceCheck.objects.filter(guide=models.OuterRef("pk"), state__in=SourceCheck.NEEDS_LOOK)
                         .filter(models.Exists(pinned)))


def accept(check: SourceCheck) -> int:
    """"Checked against the new article": the draft's source pins the head (and the new path of a moved
    article). Returns how many of the draft's sources changed; the guide's draft has changes to publish."""
    from .models import Source

    new = {"commit": check.head} | ({"path": check.new_path} if check.new_path else {})
    changed = Source.objects.filter(guide=check.guide_id, repo=check.repo, path=check.path, commit=check.commit).update(**new)
    check.state, check.path, check.commit, check.new_path, check.diff = SourceCheck.State.SAME, new.get(
        "path", check.path), check.head, "", ""
    check.save()
    return changed
