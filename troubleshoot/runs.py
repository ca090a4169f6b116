"""What users did: one run per walk, known to the browser by a signed cookie.

Each step notes the run's new state with the run writer, which writes it within
RUN_WRITE_SECONDS (run_writer.py); such a step never waits for the database. What the user is
promised is written before the response: an escalation's reference (with its deliveries to the
helpdesk, deliveries.py), and a note they send.
"""

import functools
import hashlib
import logging
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import deliveries, destinations
from .engine import Walk
from .guide import NOT_FIXED
from .limits import allow
from .matching import clean
from .models import Run
from .published import GuideVersion
from .run_writer import write, writer

log = logging.getLogger(__name__)
COOKIE = "run"
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
    if current.fixed:
        return Run.Outcome.FIXED
    if current.node.kind == "escalation":
        return Run.Outcome.ESCALATED
    if NOT_FIXED in current.answers:
        return Run.Outcome.NOT_FIXED
    return Run.Outcome.LEFT


class Recorder:
    """This browser's run of its walk of one guide version: noted at each step, its key in a signed cookie.

    The cookie holds the run's key (which begins with the walk's start) and its guide version, so
    any step can write the whole run: the process that saw the first step may not have written it yet.
    Once the walk has ended (fixed, or at the escalation) the cookie also holds where it ended: that
    page, reloaded, is the same run, and any other step of the guide begins a new one, so a second
    walk never changes the first one's outcome, note or reference.
    """

    def __init__(self, request, version: GuideVersion, current: Walk, platform: str, context: str = ""):
        self.request, self.version, self.current, self.platform = request, version, current, platform
        self.context = context  # the host app's reference (a ticket id) when the walk is embedded
        # Staff and agents open guides to test them or to help someone; their visits are not users' runs.
        # Only a browser with a session can be signed in: without one, nobody need be looked up.
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
        self.active = not (signed_in and is_agent(request.user))
        self.received = read_cookie(request)
        key, _, rest = self.received.partition(":")
        this_version = f"{version.guide.slug}:{version.number}"
        self.same_walk = bool(key) and (rest == this_version or (  # under way, or reloaded where it ended
            rest.startswith(this_version + ":") and rest == f"{this_version}:{_ended_at(current.answers)}"))
        self.key = key if self.same_walk else new_key(timezone.now())
        self.cookie = f"{self.key}:{this_version}" + (f":{_ended_at(current.answers)}" if current.ended else "")
        self.noted = False

    def row(self, reference: str | None = None) -> dict:
        current = self.current
        solutions = current.solutions_shown
        return {
            "key": self.key, "guide_id": self.version.guide_id, "version": self.version.number, "platform": self.platform,
            "answers": "/".join(current.answers)[:ANSWERS_LIMIT], "node": current.node.slug,
            "solution": solutions[-1].slug if solutions else "", "outcome": outcome_of(current),
            "reference": reference, "feedback": "", "started_at": started_at_of(self.key), "updated_at": timezone.now(),
        }

    def record(self) -> str:
        """Note this step of the run; return the reference to show, '' when there is none to promise.

        Steps are batched (run_writer.py), but an escalation's reference is in the database before
        the page that tells the user to quote it is sent, with its deliveries to the support team's tools.
        """
        if not self.active or not (self.same_walk or allow(self.request, "run")):
            return ""  # an agent; or a flood of new walks: show the steps, keep the table bounded
        escalated = self.current.node.kind == "escalation"
        reference = reference_for(self.key) if escalated else None
        try:
            if escalated:
                self.write_escalation(reference)
            else:
                writer.add(self.row())
        except DatabaseError:
            log.exception("could not record a step of run %s", self.key[:8])
            return ""
        self.noted = True
        return reference or ""

    def write_escalation(self, reference: str) -> None:
        """The run with its reference and the deliveries queued for it: both written, or neither."""
        if not destinations.configured() or self.cookie == self.received:  # none, or this page reloaded: queued before
            write([self.row(reference)])
            return
        packet = deliveries.packet(self.request, self.version, self.current, self.platform, reference, self.context)
        with transaction.atomic():  # on SQLite this holds the write lock: nothing but writes inside
            write([self.row(reference)])
            deliveries.queue(packet)

    def set_cookie(self, response) -> None:
        """Tell the browser its run when the walk is new, or where it ended once it has."""
        if self.noted and self.cookie != self.received:
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
