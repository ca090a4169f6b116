"""Where an embedded walk came from: the host app's context (a ticket id), and whether the host signed it.

A host that wants an escalation written into its helpdesk signs the context it passes, as Intercom's
identity verification and Zendesk's messaging JWT do: a JSON Web Token (HS256) under
EMBED_CONTEXT_SECRET, a secret the helpdesk admin gives both the host and the wizard, with the
context, optionally the customer's email and name, and an expiry of minutes. An unsigned context is
shown to the person and sent as "not verified"; it never names a ticket to write into.

The frame then carries what the wizard learned in its own signed token (`Frame`), in every URL of the
frame: the context, whether it was signed, the customer, and the run's key. A cross-site frame
may get no cookies at all (browsers block third-party cookies), so the walk's URL is the one thing
every step of it is sure to have.
"""

import re
import time
from dataclasses import dataclass, replace

import jwt
from django.conf import settings
from django.core import signing

PLAIN = re.compile(r"[A-Za-z0-9._-]{1,64}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}")
LONGEST_LIFE = 15 * 60  # a host token valid for longer than this is refused: they are made per page view
VERIFIED_FOR = 24 * 60 * 60  # a signed context names its ticket for a hand-off within a day of opening
FRAME_SALT = "troubleshoot.frame.1"


@dataclass(frozen=True, slots=True)
class Context:
    """The host's reference and what we know of it; `problem` says why a given token was not taken."""

    reference: str = ""
    verified: bool = False
    email: str = ""
    name: str = ""
    problem: str = ""


def from_host(plain: str, token: str, now: float | None = None) -> Context:
    """The context a host passed: `token` (signed) wins over `plain`; a bad token leaves it unverified."""
    plain = plain if PLAIN.fullmatch(plain or "") else ""
    if not token:
        return Context(plain)
    secret = settings.EMBED_CONTEXT_SECRET
    if not secret:
        return Context(plain, problem="no secret is set to check the host's signature")
    now = time.time() if now is None else now
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "context"]},
                            leeway=30)
    except jwt.ExpiredSignatureError:
        return Context(plain, problem="the host's signature has expired")
    except jwt.InvalidTokenError:
        return Context(plain, problem="the host's signature does not match")
    reference = claims.get("context")
    if not isinstance(reference, str) or not PLAIN.fullmatch(reference):
        return Context(plain, problem="the signed context is not a reference the wizard can use")
    if not isinstance(claims["exp"], int | float) or claims["exp"] - now > LONGEST_LIFE:
        return Context(plain, problem="the host's signature is valid for too long")
    email, name = claims.get("email"), claims.get("name")
    email = email if isinstance(email, str) and EMAIL.fullmatch(email) else ""
    name = " ".join(name.split())[:100] if isinstance(name, str) else ""
    return Context(reference, verified=True, email=email, name=name)


@dataclass(frozen=True, slots=True)
class Frame:
    """One embedded walk: its context, its run's key, and the guide it is a walk of."""

    context: Context
    run_key: str
    guide: str
    opened_at: float

    def token(self) -> str:
        c = self.context
        data = {"c": c.reference, "r": self.run_key, "g": self.guide, "t": int(self.opened_at)}
        if c.verified:
            data |= {"v": 1, "e": c.email, "n": c.name}
        return _signer().sign_object(data)

    def for_guide(self, guide: str, run_key: str) -> "Frame":
        return replace(self, guide=guide, run_key=run_key)

    def at_hand_off(self, now: float | None = None) -> Context:
        """The context as a hand-off may use it: a signature older than VERIFIED_FOR no longer names a ticket."""
        now = time.time() if now is None else now
        if self.context.verified and now - self.opened_at > VERIFIED_FOR:
            return Context(self.context.reference, problem="the host's signature was made more than a day ago")
        return self.context


def _signer() -> signing.Signer:
    # "." keeps the token to the characters a URL path segment carries as they are.
    return signing.Signer(salt=FRAME_SALT, sep=".")


def read_frame(segment: str) -> Frame | None:
    """The frame a URL segment carries, or None when it is not a token of ours (a plain context, say)."""
    if "." not in segment or len(segment) < 40:
        return None
    try:
        data = _signer().unsign_object(segment)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("c", "r", "g")):
        return None
    verified = data.get("v") == 1
    context = Context(data["c"], verified, data.get("e", "") if verified else "", data.get("n", "") if verified else "")
    return Frame(context, data["r"], data["g"], float(data.get("t", 0)))
