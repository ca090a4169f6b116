"""What users did: one run per walk, known to the browser by a signed cookie, one write per step.

The cookie names the run and the guide version it belongs to, so a step of the same walk is a
single UPDATE and a new walk a single INSERT. A failed write is logged; the step still renders.
"""

import base64
import logging
import secrets

from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .engine import Walk
from .limits import allow
from .matching import clean
from .models import Run

log = logging.getLogger(__name__)
COOKIE = "run"
SALT = "troubleshoot.run"
MAX_AGE = 60 * 60 * 24 * 30


def is_agent(user) -> bool:
    """Support agents and staff: they open guides to help someone or to test, not as users."""
    return user.is_staff or user.has_perm("troubleshoot.support_customers")


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
    """The run of this request's walk; `reference` is known before the step renders, `save` writes after."""

    def __init__(self, request, guide_slug: str, version: int):
        self.request = request
        # Staff and agents open guides to test them or to help someone; their visits are not users' runs.
        self.active = not (request.user.is_authenticated and is_agent(request.user))
        state = request.get_signed_cookie(COOKIE, default="", salt=SALT, max_age=MAX_AGE)
        key, _, rest = state.partition(":")
        self.same_walk = bool(key) and rest == f"{guide_slug}:{version}"
        self.key = key if self.same_walk else secrets.token_hex(16)
        self.guide_slug, self.version = guide_slug, version

    @property
    def reference(self) -> str:
        return reference_for(self.key)

    def save(self, response, current: Walk, platform: str, guide_id: int) -> None:
        if not self.active:
            return
        values = {
            "platform": platform,
            "answers": "/".join(current.answers)[: Run._meta.get_field("answers").max_length],
            "node": current.node.slug,
            "solution": last_solution(current),
            "outcome": outcome_of(current),
            "updated_at": timezone.now(),
        }
        if values["outcome"] == Run.Outcome.ESCALATED:
            values["reference"] = self.reference
        try:
            if self.same_walk and _update(self.key, values):
                return
            if not allow(self.request, "run"):
                return  # a flood of new walks: show the steps, keep the table bounded
            _insert(values | {"key": self.key, "guide_id": guide_id, "version": self.version,
                              "started_at": values["updated_at"], "feedback": ""})
        except DatabaseError:
            log.exception("could not record a step of run %s", self.key[:8])
            return
        response.set_signed_cookie(
            COOKIE, f"{self.key}:{self.guide_slug}:{self.version}", salt=SALT, max_age=MAX_AGE,
            httponly=True, samesite="Lax", secure=self.request.is_secure(),
        )


# Every step writes once, so these two statements are written out rather than built by the ORM each
# time (which cost more than the rest of a cached step together). Django's cursor still quotes values.
_TABLE = Run._meta.db_table


def _params(values: dict) -> list:
    # Each value as its field stores it (datetimes especially differ between databases).
    return [Run._meta.get_field(name.removesuffix("_id")).get_db_prep_save(value, connection) for name, value in values.items()]


def _update(key: str, values: dict) -> bool:
    sql = f"UPDATE {_TABLE} SET " + ", ".join(f"{name} = %s" for name in values) + " WHERE key = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(values) + [key])
        return cursor.rowcount > 0


def _insert(values: dict) -> None:
    sql = f"INSERT INTO {_TABLE} ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(values))


def add_feedback(request, text: str) -> bool:
    """Attach the user's words to the run of this browser's walk; False when there is none."""
    state = request.get_signed_cookie(COOKIE, default="", salt=SALT, max_age=MAX_AGE)
    key = state.partition(":")[0]
    if not key:
        return False
    text = clean(text).strip()[: Run.FEEDBACK_LIMIT]
    return bool(Run.objects.filter(key=key).update(feedback=text, updated_at=timezone.now()))
