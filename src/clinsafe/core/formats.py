"""How people and dates are written wherever a person reads them: one form each."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import User
from django.utils import timezone

from clinsafe.core.wording import long_day


def long_date(value: date | datetime | str | None) -> str:
    """``2 December 2026``: a time as the day it fell on here, an ISO string read first."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)  # a date alone reads as its midnight
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return long_day(value)


def long_datetime(value: datetime | str | None) -> str:
    """``2 December 2026, 14:05``, in local time: a signature's moment."""
    if value is None or value == "":
        return ""
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{long_date(local)}, {local:%H:%M}"


def person_name(user: User | None) -> str:
    """A person by name; the username only for an account that has no name."""
    return (user.get_full_name() or user.get_username()) if user else ""
