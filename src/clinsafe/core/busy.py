"""A database busy with another writer answers 503, saying so, instead of a 500.

On SQLite one writer holds the database at a time and others wait up to its busy timeout;
on PostgreSQL a writer waits up to `lock_timeout` for a row another holds (a product whose
hazard log is being imported, say). Past that wait nothing was written, and trying again
in a moment succeeds."""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

RETRY_AFTER_SECONDS = 30
SAYS_BUSY = ("database is locked", "lock timeout", "canceling statement due to lock timeout")
MESSAGE = (
    "clinsafe is busy writing other work (a large hazard log import, say), so your change "
    "was not saved. Nothing was half-written: try again in a minute."
)


def is_busy(error: Exception) -> bool:
    return isinstance(error, OperationalError) and any(s in str(error) for s in SAYS_BUSY)


class BusyDatabaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": MESSAGE, "code": "busy"}, status=503)
        else:
            response = render(request, "503.html", {"message": MESSAGE}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
