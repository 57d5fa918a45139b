"""Throttling guessed passwords, at login and at signing alike: failures are counted per
username and per address, so neither many guesses at one account nor one guess at many
accounts gets far."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from clinsafe.core.models import LoginFailure


def locked_until(username: str, ip_address: str | None) -> datetime | None:
    """When guessing may resume for ``username`` from ``ip_address``, or None if it may now."""
    window = timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    recent = LoginFailure.objects.filter(at__gte=timezone.now() - window)
    counted = [(recent.filter(username__iexact=username), settings.LOGIN_FAILURE_LIMIT)]
    if ip_address:
        counted.append((recent.filter(ip_address=ip_address), settings.LOGIN_FAILURE_ADDRESS_LIMIT))
    for failures, limit in counted:
        times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            return timezone.localtime(times[-1] + window)
    return None


def record_failure(username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip_address=ip_address)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()
