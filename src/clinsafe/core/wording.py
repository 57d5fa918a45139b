"""How dates are written for people, without Django, so the pure core can use it too."""

from __future__ import annotations

from datetime import date


def long_day(day: date) -> str:
    """``2 December 2026``: the one way dates are written for people. A datetime gives the
    day it carries; `clinsafe.core.formats.long_date` first moves it to local time."""
    return f"{day.day} {day:%B %Y}"
