"""The one audit writer: every service function that changes a safety record calls it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import models

from clinsafe.audit.models import AuditEvent, EventType
from clinsafe.core.models import Organisation


def display_name(user: User) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    username = user.get_username()
    return f"{full} ({username})" if full else username


def record_event(
    event_type: EventType,
    *,
    actor: User,
    subject: models.Model,
    organisation: Organisation,
    data: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append an event; an unknown type is a programming error and raises."""
    if event_type not in EventType.values:
        raise ValueError(f"Unknown audit event type {event_type!r}.")
    return AuditEvent.objects.create(
        event_type=event_type,
        actor=actor,
        actor_name=display_name(actor),
        organisation=organisation,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        subject_label=str(subject),
        data=data or {},
        reason=reason,
    )


def history_of(subject: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(subject_type=subject._meta.label_lower, subject_id=subject.pk)
