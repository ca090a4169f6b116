"""Limits on what anonymous clients may write: a flood is slowed, and the rows it can store are bounded.

Counts live in the cache, per client and minute; with REDIS_URL set every host shares them.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def client_of(request) -> str:
    """The client's address; behind PROXY_COUNT trusted proxies, the address they saw."""
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if settings.PROXY_COUNT and len(forwarded) >= settings.PROXY_COUNT:
        return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def allow(request, action: str) -> bool:
    """Count one `action` by this client; False once it has had its share of this minute."""
    if not settings.RATE_LIMITS:
        return True
    key = f"limit:{action}:{client_of(request)}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except Exception:  # a cache that is away must not stop people from being helped
        log.exception("rate limit cache unavailable")
        return True
    return count <= settings.WRITES_PER_MINUTE[action]
