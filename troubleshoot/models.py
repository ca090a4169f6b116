"""Drafts that admins edit, and the published versions the wizard serves.

Drafts are ordinary rows, nothing more: `drafts.build` turns a guide's rows into its document, and
publishing stores that document, frozen, as the next `Version`. The typed guide is `guide.Guide`.
"""

import hashlib
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .guide import CATEGORIES

SLUG_HELP = "Lower-case letters, digits and dashes; it appears in links, so keep it once published."


class Guide(models.Model):
    slug = models.SlugField(unique=True, help_text=SLUG_HELP)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="What the error means, in a sentence or two.")
    codes = models.CharField(
        max_length=200, blank=True, help_text="Error codes this guide covers, separated by commas (e.g. NS0109)."
    )
    category = models.CharField(
        max_length=20, blank=True, choices=[(k, v) for k, v in CATEGORIES.items()],
        help_text="The kind of error, which the home page lists guides by.",
    )
    error = models.TextField(help_text="The full error message exactly as the app shows it.")
    messages = models.TextField(
        blank=True, help_text="Message texts this guide covers, one per line, without the code or prefix."
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Counts saves, so that a form opened before someone else's save is refused, not applied.
    revision = models.PositiveIntegerField(default=0, editable=False)
    # A retired guide is hidden from the guide list, agents' search and paste matching; its links still open.
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    retired_note = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["slug"]
        permissions = [("publish_guide", "Can publish guides and roll them back")]

    def __str__(self) -> str:
        return self.title

    def natural_key(self):
        return (self.slug,)


class Platform(models.Model):
    """Where the user meets the error: an app, and for some apps web or mobile."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="platforms")
    slug = models.SlugField(help_text=SLUG_HELP)
    name = models.CharField(max_length=100, help_text="As users call it, e.g. 'Expensify on the web'.")
    support = models.CharField(
        max_length=200, help_text="Who to contact when nothing worked, e.g. 'Concierge, Expensify's support team'."
    )
    hint = models.CharField(
        max_length=300, blank=True, help_text="How to tell it from the guide's other platforms, shown when people pick one.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["guide", "slug"], name="platform_slug_unique_in_guide")]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """What the guide was written from: an article at the commit read (checked when it changes), a seed text,
    or a web page read on a date. Nodes name it by `key` (the document's `id`)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="sources")
    key = models.SlugField(max_length=80, blank=True, verbose_name="id",
                           help_text="Short and unique in the guide: nodes name their sources by it.")
    repo = models.CharField(max_length=140, blank=True, default="Expensify/App", help_text="The repository's owner/name.")
    path = models.CharField(max_length=500, blank=True, help_text="The article's path in the repository.")
    commit = models.CharField(max_length=40, blank=True, help_text="The commit that was read (its hexadecimal id).")
    seed = models.CharField(max_length=200, blank=True, help_text="Or a seed text's file name.")
    url = models.URLField(max_length=500, blank=True, help_text="Or a web page's address.")
    title = models.CharField(max_length=300, blank=True, help_text="The web page's title.")
    read = models.DateField(null=True, blank=True, help_text="The date the web page was read.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title or self.seed or self.path.rsplit("/", 1)[-1]

    @property
    def link(self) -> str:
        if self.seed or self.url:
            return self.url
        return f"https://github.com/{self.repo}/blob/{self.commit}/{self.path}"


class Part(models.Model):
    """Instructions that many guides share (sync the Workspace, export again), written once.

    Guides include a part by slug; publishing copies its text into the version, so a published
    version never changes when the part does: republishing the guides that use it does.
    """

    slug = models.SlugField(unique=True, help_text=SLUG_HELP)
    title = models.CharField(max_length=200, help_text="What the instructions do, e.g. 'Sync the Workspace'.")
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug}: {self.title}"


class PartInstruction(models.Model):
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="instructions")
    text = models.TextField(help_text="Markdown.")
    platform = models.SlugField(
        blank=True, help_text="A platform's slug (e.g. expensify-classic): shown on that platform only. Empty: every platform.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Node(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        CHECKLIST = "checklist", "Checklist"
        SOLUTION = "solution", "Solution"
        ESCALATION = "escalation", "Escalation"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="nodes")
    slug = models.SlugField(help_text=SLUG_HELP)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_start = models.BooleanField(default=False, help_text="The first question users see.")
    title = models.CharField(max_length=300, help_text="The question, or the solution's heading.")
    help = models.TextField(
        blank=True, help_text="Why it matters and how to find the answer in NetSuite (Markdown)."
    )
    who = models.CharField(max_length=200, blank=True, help_text="Solutions: who may do the fix.")
    if_not_fixed = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Solutions: where 'No, it did not fix it' leads.",
    )
    if_all_match = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Checklists: where 'everything matches' leads.",
    )
    if_any_differ = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Checklists: the solution for the items that differ.",
    )
    sources = models.CharField(max_length=500, blank=True,
                               help_text="The ids of the guide's sources this node rests on, separated by commas.")
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["guide", "slug"], name="node_slug_unique_in_guide")]

    def __str__(self) -> str:
        return f"{self.slug}: {self.title}"


class Choice(models.Model):
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="choices")
    slug = models.SlugField(help_text=SLUG_HELP)
    label = models.CharField(max_length=300)
    next = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class Instruction(models.Model):
    """One numbered line of a solution; with a platform it shows on that platform only."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="instructions")
    text = models.TextField(blank=True, help_text="Markdown. Leave empty when the line includes a part.")
    platform = models.ForeignKey(
        Platform, null=True, blank=True, on_delete=models.CASCADE, help_text="Empty: the instruction is for every platform."
    )
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.PROTECT, related_name="uses",
        help_text="Include a shared part's instructions here instead of writing text.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text[:60] if not self.part_id else f"Part: {self.part.slug}"


class CheckItem(models.Model):
    """One line of a checklist: a setting and the value it must have."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="items")
    slug = models.SlugField(help_text=SLUG_HELP)
    label = models.CharField(max_length=200)
    expected = models.CharField(max_length=100, help_text="The value it must have, e.g. 'Full'.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.expected}"


class Newest(NamedTuple):
    """A published guide's newest version number, and whether (and why) the guide is retired."""

    slug: str
    number: int
    retired: bool
    note: str


class VersionQuerySet(models.QuerySet):
    def newest_number(self, guide_slug: str) -> int | None:
        return self.filter(guide__slug=guide_slug).aggregate(n=models.Max("number"))["n"]

    def newest_numbers(self) -> tuple["Newest", ...]:
        """The newest number of every published guide, and whether it is retired, by slug: one query."""
        rows = (self.values_list("guide__slug", "guide__retired_at", "guide__retired_note")
                .annotate(number=models.Max("number")).order_by("guide__slug"))
        return tuple(Newest(slug, number, at is not None, note) for slug, at, note, number in rows)

    def covered_codes(self) -> dict[str, str]:
        """Each error code a guide's newest version lists (retired guides' not), upper-cased, with that guide's slug."""
        newest = models.Subquery(
            Version.objects.filter(guide=models.OuterRef("guide")).order_by("-number").values("number")[:1])
        rows = (self.filter(number=newest, guide__retired_at__isnull=True).order_by("guide__slug")
                .values_list("guide__slug", "document__codes"))
        return {str(code).upper(): slug for slug, codes in rows for code in (codes or []) if isinstance(codes, list)}


class Version(models.Model):
    """A published guide: its document, frozen. An edit is a new version, never a change to this one."""

    guide = models.ForeignKey(Guide, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    note = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["guide", "-number"]
        constraints = [models.UniqueConstraint(fields=["guide", "number"], name="version_number_unique_in_guide")]

    def __str__(self) -> str:
        return f"{self.guide.slug} v{self.number}"



class MissingPasteQuerySet(models.QuerySet):
    def record(self, text: str, normalised: str, code: str = "", may_add: Callable[[], bool] = lambda: True) -> bool:
        """Count one more paste of this text; the first one's text is kept, capped.

        A text seen before is always counted. A new text gets a row only if `may_add()` says so (the
        limit on new rows); returns whether the paste was counted.
        """
        key = hashlib.sha256(normalised.encode()).hexdigest()
        if self.filter(key=key).update(count=models.F("count") + 1, last_seen=timezone.now()):
            return True
        if not may_add():
            return False
        try:
            with transaction.atomic():
                self.create(key=key, code=code[:20], text=text[: MissingPaste.TEXT_LIMIT])
        except IntegrityError:  # someone recorded the same text at the same moment
            self.filter(key=key).update(count=models.F("count") + 1, last_seen=timezone.now())
        return True

    def by_code(self) -> "MissingPasteQuerySet":
        """One row per error code (its first wording), most pasted first; pastes without a code by wording.

        Each row carries `total` (the pastes of all its wordings), `wordings` (how many) and `seen`
        (the last paste of any of them).
        """
        same_code = MissingPaste.objects.filter(code=models.OuterRef("code")).order_by().values("code")

        def of_code(aggregate, alone):
            return models.Case(models.When(code="", then=alone), default=models.Subquery(
                same_code.annotate(value=aggregate).values("value")[:1]))

        first = same_code.annotate(first=models.Min("id")).values("first")[:1]
        return self.filter(models.Q(code="") | models.Q(id=models.Subquery(first))).annotate(
            total=of_code(models.Sum("count"), models.F("count")),
            wordings=of_code(models.Count("id"), models.Value(1)),
            seen=of_code(models.Max("last_seen"), models.F("last_seen")),
        ).order_by("-total", "-seen", "id")

    def wordings_of(self, paste: "MissingPaste") -> "MissingPasteQuerySet":
        """Every wording pasted with this paste's code, most pasted first (just this one without a code)."""
        same = self.filter(code=paste.code) if paste.code else self.filter(pk=paste.pk)
        return same.order_by("-count", "-last_seen", "id")


class MissingPaste(models.Model):
    """A pasted error that opened no guide, counted by its normalised text: what guide to write next.

    Only the capped text is kept, never who pasted it.
    """

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the normalised text.")
    code = models.CharField(max_length=20, blank=True)
    text = models.TextField(help_text="The first paste of this text, cut to 2,000 characters.")
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    TEXT_LIMIT = 2_000

    objects = MissingPasteQuerySet.as_manager()

    class Meta:
        ordering = ["-count", "-last_seen"]
        indexes = [models.Index(fields=["code"], name="missingpaste_code")]
        verbose_name = "missing guide"
        verbose_name_plural = "missing guides"

    def __str__(self) -> str:
        return self.code or self.text[:60]


class Run(models.Model):
    """One walk through one version of a guide by one browser: what it answered and how it ended.

    The browser knows its run only by a signed cookie, never by anything in a shareable link, so an
    agent opening a customer's link starts a run of their own.
    """

    class Outcome(models.TextChoices):
        LEFT = "left", "Left without saying"
        NOT_FIXED = "not_fixed", "Not fixed"
        FIXED = "fixed", "Fixed"
        ESCALATED = "escalated", "Escalated"

    key = models.CharField(max_length=32, unique=True)
    guide = models.ForeignKey(Guide, on_delete=models.PROTECT, related_name="runs")
    version = models.PositiveIntegerField()
    platform = models.CharField(max_length=50)
    # Bounded so that the analytics index (which holds it) fits any database's index entries.
    answers = models.CharField(max_length=1000, blank=True, help_text="The answers in order, as in the step's URL.")
    node = models.CharField(max_length=50, help_text="The node the run is on now.")
    solution = models.CharField(max_length=50, blank=True, help_text="The last solution it was shown.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.LEFT)
    reference = models.CharField(max_length=11, null=True, blank=True, unique=True)
    feedback = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Where an embedded walk came from: the host app's reference (a ticket id), and whether the host signed it.
    context = models.CharField(max_length=64, blank=True)
    context_verified = models.BooleanField(default=False)

    FEEDBACK_LIMIT = 2_000

    class Meta:
        permissions = [("support_customers", "Can open escalations and send step links")]
        # Analytics group a guide's runs of a period by these, reading the index alone.
        indexes = [models.Index(fields=["guide", "started_at", "version", "outcome", "answers"], name="run_analytics")]

    def __str__(self) -> str:
        return self.reference or self.key[:8]


class DeliveryQuerySet(models.QuerySet):
    def overdue(self, grace: float) -> "DeliveryQuerySet":
        """Pending deliveries whose next attempt should have begun more than `grace` seconds ago: their task
        was lost with a worker killed mid-attempt (its lease ran out), so nothing will send them."""
        return self.filter(status=Delivery.Status.PENDING,
                           next_attempt_at__lt=timezone.now() - timedelta(seconds=grace))


class Delivery(models.Model):
    """One escalation's packet for one destination (a webhook, Zendesk), and how sending it has gone.

    Written with the run's reference when the walk is handed over, before the reference is shown; the deliveries queue's
    tasks send it (deliveries.py). `key` is the idempotency key every attempt carries, so a
    receiver that saw an attempt whose answer was lost can tell the next one is the same.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    class Destination(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        ZENDESK = "zendesk", "Zendesk"

    key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=11, db_index=True, help_text="The run's reference.")
    destination = models.CharField(max_length=20, choices=Destination.choices)
    packet = models.JSONField(help_text="What is sent: the escalation as the user left it.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="While pending: when it is sent next.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True, help_text="The receiver's last HTTP status.")
    response = models.TextField(blank=True, help_text="The start of the receiver's last answer, or why there was none.")
    ticket = models.CharField(max_length=32, blank=True, help_text="The helpdesk ticket it went to (Zendesk's id).")

    objects = DeliveryQuerySet.as_manager()

    RESPONSE_LIMIT = 2_000

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["reference", "destination"], name="one_delivery_per_destination")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.reference} to {self.destination}"


class DeliveryWorker(models.Model):
    """A thread of `manage.py deliver_escalations` on one queue, and when it last looked for work: the health
    endpoint's answer to "is anything delivering?", and how a task left running by a killed worker is found."""

    name = models.CharField(max_length=64, primary_key=True, help_text="Its worker id: host, process and queue.")
    queue = models.CharField(max_length=64)
    started_at = models.DateTimeField(default=timezone.now)
    polled_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.name


from .source_checks import SourceCheck  # noqa: E402,F401  (a model of this app, kept in its own module)
