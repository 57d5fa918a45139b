"""The one audit writer: every service function that changes a safety record calls it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from clinsafe.audit.chain import (
    Verification,
    content_hash,
    head_message,
    plain_data,
    sign,
    verify_chain,
)
from clinsafe.audit.models import AuditEvent, ChainHead, EventType
from clinsafe.core.models import Organisation


def display_name(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def record_event(
    event_type: EventType,
    *,
    actor: User,
    subject: models.Model,
    organisation: Organisation | None,
    data: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append an event to the chain; an unknown type is a programming error and raises."""
    if event_type not in EventType.values:
        raise ValueError(f"Unknown audit event type {event_type!r}.")
    with transaction.atomic():
        # The head row is the chain's lock: writers queue on it, so the chain never forks.
        head = ChainHead.objects.select_for_update().get(pk=1)  # made by migration 0002
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now(),
            event_type=event_type,
            actor=actor,
            actor_name=display_name(actor),
            organisation=organisation,
            organisation_name=organisation.name if organisation else "",
            subject_type=subject._meta.label_lower,
            subject_id=subject.pk,
            subject_label=str(subject),
            data=plain_data(data or {}),
            reason=reason,
            previous_hash=head.last_hash,
        )
        event.content_hash = content_hash(event)
        event.signature = sign(settings.AUDIT_KEY, event.content_hash)
        event.save()
        head.last_sequence, head.last_hash = event.sequence, event.content_hash
        head.signature = sign(settings.AUDIT_KEY, head_message(event.sequence, event.content_hash))
        head.save()
    return event


def history_of(subject: models.Model) -> models.QuerySet[AuditEvent]:
    """Events about ``subject``, newest first."""
    return AuditEvent.objects.filter(
        subject_type=subject._meta.label_lower, subject_id=subject.pk
    ).order_by("-sequence")


def verify_audit_trail() -> Verification:
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    return verify_chain(events, ChainHead.objects.filter(pk=1).first(), settings.AUDIT_KEY)
