"""Limits on what anonymous clients may write: a flood is slowed, and the rows it can store are bounded.

Who is limited: the client's address, and nothing finer. Pastes come from the home page, which is
cached and sets no cookie, and a client that floods does not keep cookies anyway, so the address is
the only thing that tells a flood apart. A whole office behind one address shares it, so each
budget (`WRITES_PER_MINUTE` in the settings) is sized for an office of 200 people, not one person:

- paste: 300 a minute. A person pastes a few times an hour, so 200 people paste about 10 to 20
  times a minute, and even all 200 pasting in the same minute (an outage that hits everyone at
  9 a.m.) fit. A script pasting thousands a minute is held to 5 a second, and the rest get a 429
  page that says to wait a minute.
- refused: 300 a minute of pastes refused by that limit that are still matched and counted in
  missing guides, so a refused paste is not lost; past that a flood is only logged, once a minute.
- record: 60 new missing-guide rows a minute (a paste of text seen before always counts, as one
  more on its row): what a flood of made-up texts can add to the table.
- suggest: 1,200 a minute (typing sends one every 400 ms pause, so a paste costs a few);
  run: 300 new runs a minute, as many as pastes; feedback: 60 notes a minute.

How: a sliding window over the last minute, counted in the cache, per action and address: this
minute's count plus last minute's, weighted by how much of it is still within the last 60 seconds.
Unlike a fixed minute it lets no double burst through at the turn of a minute, and unlike a token
bucket it needs only `add` and `incr`, which are atomic in Redis: with REDIS_URL set every host
shares the counts. Only requests let through are counted, so a client that keeps flooding still
gets its share, and one that stops is served again within a minute.
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

WINDOW = 60  # seconds


def client_of(request) -> str:
    """The client's address; behind PROXY_COUNT trusted proxies, the address they saw."""
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if settings.PROXY_COUNT and len(forwarded) >= settings.PROXY_COUNT:
        return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def allow(request, action: str) -> bool:
    """Count one `action` by this client; False once it has had its share of the last minute."""
    if not settings.RATE_LIMITS:
        return True
    window, into = divmod(time.time(), WINDOW)
    base = f"limit:{action}:{client_of(request)}:"
    this, last = f"{base}{int(window)}", f"{base}{int(window) - 1}"
    try:
        counts = cache.get_many([this, last])
        used = counts.get(this, 0) + math.ceil(counts.get(last, 0) * (1 - into / WINDOW))
        if used >= settings.WRITES_PER_MINUTE[action]:
            return False
        cache.add(this, 0, timeout=2 * WINDOW + 5)
        cache.incr(this)
    except Exception:  # a cache that is away must not stop people from being helped
        log.exception("rate limit cache unavailable")
    return True


def first_this_minute(request, what: str) -> bool:
    """True once a minute per client and `what`: to log what a flood costs without a line per request."""
    try:
        return cache.add(f"once:{what}:{client_of(request)}:{int(time.time() // WINDOW)}", 1, timeout=WINDOW + 5)
    except Exception:
        return True
