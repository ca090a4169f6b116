"""The API's answers that no API view makes, as JSON like its own: an unknown path under /api/, a
method a path does not take (405, with `Allow`), and a database that is away (503, with `Retry-After`).

The pages keep their HTML for the same cases (views.not_found, middleware.DatabaseAway); a client
of the API reads `detail` and `links` whatever went wrong. HEAD is answered as GET without a body,
as Django's own views do, so that `curl -I` and link checkers get the GET's status.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.urls import Resolver404, resolve

log = logging.getLogger(__name__)

PREFIX = "/api/"
INDEX = "/api/v1/"
SCHEMA = "/api/v1/openapi.json"  # ninja's view of it takes any method, and the CSRF check refuses a POST as HTML
RETRY_SECONDS = "30"  # as the pages' 503 says it


def problem(detail: str, status: int, links: list[tuple[str, str]] = ()) -> JsonResponse:
    return JsonResponse({"detail": detail, "links": [{"label": label, "url": url} for label, url in links]},
                        status=status)


def under_api(path: str) -> bool:
    return path.startswith(PREFIX) or path == PREFIX.rstrip("/")


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


class ApiErrors:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not under_api(request.path):
            return self.get_response(request)
        head = request.method == "HEAD"
        if request.path == SCHEMA and request.method not in ("GET", "HEAD"):
            response = self.not_allowed(request, "GET")
        else:
            request.method = "GET" if head else request.method
            response = self.get_response(request)
            request.method = "HEAD" if head else request.method
            response = self.as_json(request, response)
        if head and not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    def as_json(self, request, response):
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return self.unknown_path(request)
        if response.status_code == 405:
            return self.not_allowed(request, response.get("Allow", ""))
        return response

    def not_allowed(self, request, allow: str) -> JsonResponse:
        allowed = {method.strip() for method in allow.split(",") if method.strip()}
        if "GET" in allowed:
            allowed.add("HEAD")
        allowed = ", ".join(sorted(allowed))
        answer = problem(f"{request.path} does not take {request.method}; it takes {allowed}.", 405)
        answer["Allow"] = allowed
        return answer

    def unknown_path(self, request) -> JsonResponse:
        links = [("The API's index", INDEX)]
        if request.path.endswith("/") and _resolves(request.path.rstrip("/")):
            links.insert(0, ("The same without the last slash", request.path.rstrip("/")))
        return problem(f"There is nothing at {request.path}.", 404, links)

    def process_exception(self, request, exception):
        if not under_api(request.path) or not isinstance(exception, (DatabaseError, InterfaceError)):
            return None
        if isinstance(exception, (OperationalError, InterfaceError)):
            log.warning("the database did not answer for %s: %s", request.path, exception)
        else:  # not an outage we know: its traceback is what finds the cause
            log.exception("database error for %s", request.path)
        answer = problem("The database is not answering, so nothing was done. Try again in a moment.", 503)
        answer["Retry-After"] = RETRY_SECONDS
        return answer
