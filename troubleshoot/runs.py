"""What users did: one run per walk, known to the browser by a signed cookie.

Each step notes the run's new state with the run writer, which writes it within
RUN_WRITE_SECONDS (run_writer.py); such a step never waits for the database. What the user is
promised is written before the response: the reference a hand-off to support gives (with its
deliveries to the helpdesk, deliveries.py), and a note they send. No GET writes either.
"""

import functools
import hashlib
import logging
import secrets
from datetime import UTC, datetime
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import deliveries, destinations
from .context import Context, Frame
from .engine import Walk
from .guide import NOT_FIXED
from .limits import allow
from .matching import clean
from .models import Run
from .published import GuideVersion
from .run_writer import write, writer

log = logging.getLogger(__name__)
COOKIE = "run"
HANDED_MARK = ":handed"  # ends the cookie of a walk handed to support where it ended
SALT = "troubleshoot.run.2"  # 2: keys begin with their walk's start; cookies from before start a new walk
MAX_AGE = 60 * 60 * 24 * 30
ANSWERS_LIMIT = Run._meta.get_field("answers").max_length


def is_agent(user) -> bool:
    """Support agents and staff: they open guides to help someone or to test, not as users."""
    return user.is_staff or user.has_perm("troubleshoot.support_customers")


@functools.lru_cache(maxsize=2)
def _signer(secret_key: str, fallback_keys: tuple[str, ...]) -> signing.TimestampSigner:
    return signing.get_cookie_signer(salt=COOKIE + SALT)  # what get_signed_cookie() uses


def cookie_signer() -> signing.TimestampSigner:
    """The run cookie's signer, made once per secret key: Django makes one for every signed cookie."""
    return _signer(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def read_cookie(request) -> str:
    """The run cookie's value while its signature holds and it is younger than MAX_AGE; otherwise ''."""
    value = request.COOKIES.get(COOKIE)
    if not value:
        return ""
    try:
        return cookie_signer().unsign(value, max_age=MAX_AGE)
    except signing.BadSignature:
        return ""


def new_key(started_at: datetime) -> str:
    """32 hex digits: the start in milliseconds, then 80 random bits (the cookie is signed besides).

    Keys that grow with time land at the end of the key index, as UUIDv7s do; random keys landed
    all over it, which cost three times as much per write once the table outgrew SQLite's cache.
    """
    return f"{int(started_at.timestamp() * 1000):012x}{secrets.token_hex(10)}"


def started_at_of(key: str) -> datetime:
    return datetime.fromtimestamp(int(key[:12], 16) / 1000, UTC)


# Crockford's base32: digits and letters without I, L, O and U, so a reference read aloud or
# copied by hand has no look-alikes (0/O, 1/I/L) and spells no words by accident.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def reference_for(key: str) -> str:
    """A short code to quote to support: derived from the secret run key, so unguessable and not sequential.

    Ten Crockford base32 characters, shown as XXXXX-XXXXX: the HMAC digest's first 50 bits.
    References made before were RFC 4648 base32 (A-Z, 2-7); the agents' lookup still finds those.
    """
    digest = salted_hmac("troubleshoot.run-reference", key, algorithm="sha256").digest()
    bits = int.from_bytes(digest[:7]) >> 6  # 56 bits, keep the first 50
    code = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(45, -1, -5))
    return f"{code[:5]}-{code[5:]}"


def _ended_at(answers: tuple[str, ...]) -> str:
    """A short mark of the answers a walk ended with: enough to tell that page from any other."""
    return hashlib.blake2s("/".join(answers).encode(), digest_size=6).hexdigest()


def outcome_of(current: Walk) -> str:
    """How a step leaves its run. Reaching an escalation hands nothing over: only its POST does (`hand_off`)."""
    if current.fixed:
        return Run.Outcome.FIXED
    if NOT_FIXED in current.answers:
        return Run.Outcome.NOT_FIXED
    return Run.Outcome.LEFT


class Recorder:
    """This browser's run of its walk of one guide version: noted at each step, its key in a signed cookie.

    The cookie holds the run's key (which begins with the walk's start) and its guide version, so
    any step can write the whole run: the process that saw the first step may not have written it yet.
    Once the walk has ended (fixed, or handed to support) the cookie also holds where it ended: that
    page, reloaded, is the same run, and any other step of the guide begins a new one, so a second
    walk never changes the first one's outcome, note or reference. In another app's frame, which may
    get no cookies, the run's key rides in the frame's URLs instead (`context.Frame`). A hand-off
    names its run itself (`key`), from the token its form carries.
    """

    def __init__(self, request, version: GuideVersion, current: Walk, platform: str, frame: Frame | None = None,
                 key: str = ""):
        self.request, self.version, self.current, self.platform, self.frame = request, version, current, platform, frame
        # Staff and agents open guides to test them or to help someone; their visits are not users' runs.
        # Only a browser with a session can be signed in: without one, nobody need be looked up.
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
        self.active = not (signed_in and is_agent(request.user))
        self.received = "" if frame else read_cookie(request)
        received_key, _, rest = self.received.partition(":")
        marked = rest.endswith(HANDED_MARK)  # this browser handed the run over where it ended
        rest = rest.removesuffix(HANDED_MARK)
        this_version = f"{version.guide.slug}:{version.number}"
        if key or frame:
            self.same_walk = True
            self.key = key or frame.run_key
            # A frame's walk is new at its first page: new walks are what the limit counts.
            self.new = not key and not current.answers
        else:
            self.same_walk = bool(received_key) and (rest == this_version or (  # under way, or reloaded where it ended
                rest.startswith(this_version + ":") and rest == f"{this_version}:{_ended_at(current.answers)}"))
            self.key = received_key if self.same_walk else new_key(timezone.now())
            self.new = not self.same_walk
        self.handed_here = self.same_walk and marked and current.ended
        self.cookie = f"{self.key}:{this_version}" + (f":{_ended_at(current.answers)}" if current.ended else "")
        self.cookie += HANDED_MARK if self.handed_here else ""
        self.noted = False

    def row(self, reference: str | None = None, context: Context = Context()) -> dict:
        current = self.current
        solutions = current.solutions_shown
        return {
            "key": self.key, "guide_id": self.version.guide_id, "version": self.version.number, "platform": self.platform,
            "answers": "/".join(current.answers)[:ANSWERS_LIMIT], "node": current.node.slug,
            "solution": solutions[-1].slug if solutions else "",
            "outcome": Run.Outcome.ESCALATED if reference else outcome_of(current),
            "reference": reference, "feedback": "", "started_at": started_at_of(self.key), "updated_at": timezone.now(),
            "context": context.reference, "context_verified": context.verified,
        }

    def record(self) -> None:
        """Note this step of the run, to be written in a batch (run_writer.py); a GET promises nothing."""
        if not self.active or (self.new and not allow(self.request, "run")):
            return  # an agent; or a flood of new walks: show the steps, keep the table bounded
        try:
            writer.add(self.row(context=self.frame.context if self.frame else Context()))
        except DatabaseError:
            log.exception("could not record a step of run %s", self.key[:8])
            return
        self.noted = True

    def hand_off(self, context: Context, link: str) -> str:
        """Hand this walk to support: its reference, the run marked escalated and one delivery per
        destination, written together before the reference is shown. Once per run: sent again, it
        writes nothing new and gives the same reference."""
        reference = reference_for(self.key)
        handed = Run.objects.filter(key=self.key, reference=reference).exists()
        if not handed:
            packet = deliveries.packet(self.request, self.version, self.current, self.platform, reference, context, link)
            with transaction.atomic():  # on SQLite this holds the write lock: nothing but writes inside
                write([self.row(reference, context)])
                if destinations.configured():
                    deliveries.queue(packet)
        self.noted = True
        self.cookie = self.cookie.removesuffix(HANDED_MARK) + HANDED_MARK
        return reference

    def handed(self) -> str:
        """The reference this run was handed to support under, if it was. The browser's cookie says so
        without a query; a frame, which has no cookie, asks the database (a read, so a GET may)."""
        if not self.active or not self.same_walk:
            return ""
        if not self.frame:
            return reference_for(self.key) if self.handed_here else ""
        try:
            return Run.objects.filter(key=self.key).exclude(reference=None).values_list("reference", flat=True).first() or ""
        except DatabaseError:
            return ""  # the page offers the hand-off again; sending it gives the same reference

    def set_cookie(self, response) -> None:
        """Tell the browser its run when the walk is new, or where it ended once it has (not in a frame: its URLs do)."""
        if self.noted and not self.frame and self.cookie != self.received:
            response.set_cookie(COOKIE, cookie_signer().sign(self.cookie), max_age=MAX_AGE, httponly=True,
                                samesite="Lax", secure=self.request.is_secure())

    @transaction.atomic
    def save_note(self, text: str) -> bool:
        """Attach the user's words to this walk's run, in the database before we say so; False without a run."""
        if not self.same_walk:
            return False
        # The run may not be written yet (its steps are batched, perhaps in another process): write
        # it as this step if it is missing, and leave a newer step's state alone if it is there.
        Run.objects.bulk_create([Run(**self.row())], ignore_conflicts=True)
        return bool(Run.objects.filter(key=self.key).update(feedback=clean(text).strip()[: Run.FEEDBACK_LIMIT]))


# The hand-off form's token, and the note of its reference on the page it leads to (handoff.py)

HAND_OFF_SALT, HANDED_SALT = "troubleshoot.hand-off.1", "troubleshoot.handed.1"
TOKEN_AGE = 7 * 24 * 60 * 60  # an escalation page left open for a week can still be sent


class Token(NamedTuple):
    run_key: str
    step: str


def token_for(run_key: str, step: str) -> str:
    """The hand-off form's token: this run, at this step's URL (a path), signed."""
    return signing.dumps([run_key, step], salt=HAND_OFF_SALT)


def read_token(value: str) -> Token | None:
    try:
        data = signing.loads(value, salt=HAND_OFF_SALT, max_age=TOKEN_AGE)
    except signing.BadSignature:  # altered, made by another secret, or older than TOKEN_AGE
        return None
    if not (isinstance(data, list) and len(data) == 2 and all(isinstance(v, str) for v in data)):
        return None
    return Token(*data)


def handed_note(reference: str, step: str) -> str:
    return signing.dumps([reference, step], salt=HANDED_SALT, compress=False)


def handed_reference(request: HttpRequest, step: str) -> str:
    """The reference a hand-off of this step gave, from the `?handed=` of the page it led to; else ''."""
    value = request.GET.get("handed", "")
    if not value:
        return ""
    try:
        reference, at = signing.loads(value, salt=HANDED_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return ""
    return reference if at == step and isinstance(reference, str) else ""
