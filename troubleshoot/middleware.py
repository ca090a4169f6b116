"""Requests as operations sees them: one log line each, and a calm 503 when the database is away."""

import json
import logging
import time
from datetime import UTC, datetime

from django.db import InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.http import HttpResponse

log = logging.getLogger("troubleshoot.requests")


class RequestLog:
    """One JSON line per request: time, method, path, status and milliseconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        at, started = datetime.now(UTC), time.perf_counter()
        response = self.get_response(request)
        log.info(json.dumps({
            "time": at.isoformat(timespec="milliseconds"), "method": request.method, "path": request.path[:500],
            "status": response.status_code, "ms": round((time.perf_counter() - started) * 1000, 1),
        }))
        return response


class DatabaseAway:
    """A database that stopped answering gives a friendly 503; the next request connects afresh.

    Logged once a minute per process at most, in the database's own words (a traceback of a refused
    connection tells nothing more), with how many requests got the 503 meanwhile: each request also
    has its own line from RequestLog.
    """

    QUIET_SECONDS = 60.0

    def __init__(self, get_response):
        self.get_response = get_response
        self.logged_at = -self.QUIET_SECONDS  # time.monotonic() of the last line
        self.since_logged = 0

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            self.note(request, exception)
            return HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": "30"})
        return None

    def note(self, request, exception) -> None:
        self.since_logged += 1
        now = time.monotonic()
        if now - self.logged_at < self.QUIET_SECONDS:
            return
        logging.getLogger("troubleshoot").error(
            "the database did not answer (%s: %s): %d requests answered 503 since the last such line, this one %s",
            type(exception).__name__, " ".join(str(exception).split())[:200], self.since_logged, request.path[:200])
        self.logged_at, self.since_logged = now, 0
