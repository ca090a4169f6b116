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
    """A database that stopped answering gives a friendly 503; the next request connects afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logging.getLogger("troubleshoot").exception("the database did not answer for %s", request.path)
            return HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": "30"})
        return None
