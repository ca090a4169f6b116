"""What users did: one run per walk, known to the browser by a signed cookie.

Each step notes the run's new state with the run writer, which writes it within
RUN_WRITE_SECONDS (run_writer.py); the step never waits for the database.
"""

import base64
import functools
import logging
import secrets
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .engine import Walk
from .limits import allow
from .matching import clean
from .models import Run
from .run_writer import writer

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


def reference_for(key: str) -> str:
    """A short code to quote to support: derived from the secret run key, so unguessable and not sequential."""
    code = base64.b32encode(salted_hmac("troubleshoot.run-reference", key, algorithm="sha256").digest()).decode()[:10]
    return f"{code[:5]}-{code[5:]}"


def outcome_of(current: Walk) -> str:
    if current.fixed:
        return Run.Outcome.FIXED
    if current.node.kind == "escalation":
        return Run.Outcome.ESCALATED
    if "not-fixed" in current.answers:
        return Run.Outcome.NOT_FIXED
    return Run.Outcome.LEFT


def last_solution(current: Walk) -> str:
    shown = [a.node.slug for a in current.trail if a.node.kind == "solution"]
    if current.node.kind == "solution":
        shown.append(current.node.slug)
    return shown[-1] if shown else ""


class Recorder:
    """The run of this request's walk; `reference` is known before the step renders, `save` notes it after.

    The cookie holds the run's key (which begins with the walk's start) and its guide version, so
    any step can write the whole run: the process that saw the first step may not have written it yet.
    """

    def __init__(self, request, guide_slug: str, version: int):
        self.request = request
        # Staff and agents open guides to test them or to help someone; their visits are not users' runs.
        # Only a browser with a session can be signed in: without one, nobody need be looked up.
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
        self.active = not (signed_in and is_agent(request.user))
        key, _, rest = read_cookie(request).partition(":")
        self.same_walk = rest == f"{guide_slug}:{version}"
        self.key = key if self.same_walk else new_key(timezone.now())
        self.started_at = started_at_of(self.key)
        self.guide_slug, self.version = guide_slug, version

    @property
    def reference(self) -> str:
        return reference_for(self.key)

    def save(self, response, current: Walk, platform: str, guide_id: int) -> None:
        if not self.active or not (self.same_walk or allow(self.request, "run")):
            return  # an agent; or a flood of new walks: show the steps, keep the table bounded
        escalated = current.node.kind == "escalation"
        row = {
            "key": self.key, "guide_id": guide_id, "version": self.version, "platform": platform,
            "answers": "/".join(current.answers)[:ANSWERS_LIMIT], "node": current.node.slug,
            "solution": last_solution(current), "outcome": outcome_of(current),
            "reference": self.reference if escalated else None, "feedback": "",
            "started_at": self.started_at, "updated_at": timezone.now(),
        }
        try:
            writer.add(row)
        except DatabaseError:  # only when runs are written in the request (RUN_WRITE_SECONDS = 0)
            log.exception("could not record a step of run %s", self.key[:8])
            return
        if not self.same_walk:
            response.set_cookie(
                COOKIE, cookie_signer().sign(f"{self.key}:{self.guide_slug}:{self.version}"),
                max_age=MAX_AGE, httponly=True, samesite="Lax", secure=self.request.is_secure(),
            )


def add_feedback(request, text: str) -> bool:
    """Attach the user's words to the run of this browser's walk; False when there is none."""
    key = read_cookie(request).partition(":")[0]
    if not key:
        return False
    text = clean(text).strip()[: Run.FEEDBACK_LIMIT]
    writer.flush()  # this process may still hold the walk's newest step
    # Another process may too: give it one round of writing. The note leaves updated_at alone, which
    # orders the steps, so a step written after the note still lands.
    waits = (0, settings.RUN_WRITE_SECONDS + 0.2) if settings.RUN_WRITE_SECONDS > 0 else (0,)
    for wait in waits:
        time.sleep(wait)
        if Run.objects.filter(key=key).update(feedback=text):
            return True
    return False
