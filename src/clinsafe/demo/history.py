"""Loading demo data as history: records made inside `days_ago(n)` carry times from n days
ago (with the clock running on), so the demo shows a product's life over months, as the CSO
health check reads it. Only for demo data; real records always carry the real time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone


@contextmanager
def days_ago(days: int) -> Iterator[None]:
    real_now = timezone.now
    offset = timedelta(days=days)

    def then() -> datetime:
        return real_now() - offset

    # Every record time, audit event and "today" goes through django.utils.timezone.now.
    with mock.patch("django.utils.timezone.now", then):
        yield
