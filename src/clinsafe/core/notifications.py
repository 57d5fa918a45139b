"""Telling people what they must know: an in-app notification, and an email when mail is
configured (CLINSAFE_EMAIL_HOST)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction

from clinsafe.core.models import Notification


def notify(recipients: Iterable[User], *, subject: str, message: str, link: str = "") -> None:
    """Record a notification for each recipient; mail them once the change has committed, so
    nobody is told about something that was rolled back."""
    recipients = list({user.pk: user for user in recipients}.values())
    Notification.objects.bulk_create(
        Notification(recipient=user, message=message, link=link) for user in recipients
    )
    addresses = [user.email for user in recipients if user.email]
    if settings.EMAIL_ENABLED and addresses:
        body = f"{message}\n\n{settings.SITE_URL}{link}" if link else message
        transaction.on_commit(
            partial(send_mail, subject, body, None, addresses, fail_silently=True)
        )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
