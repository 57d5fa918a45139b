"""Use cases of the CSO health check: a CSO records their time; a CSO records a review of
the clinical risk management process."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.models import Organisation
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.services import active_appointments
from clinsafe.health.models import ProcessReview, TimeRecord


def record_time(
    *, actor: Actor, organisation: Organisation, week_starting: date, hours: Any, note: str = ""
) -> TimeRecord:
    """A (deputy) CSO records the hours they spent on clinical safety in a week (Monday)."""
    if (
        not actor.is_authenticated
        or not active_appointments(organisation=organisation).filter(user=actor.pk).exists()
    ):
        raise PermissionDenied(
            f"Only a Clinical Safety Officer (or deputy) appointed in {organisation.name} "
            "records time here."
        )
    try:
        hours = Decimal(str(hours))
    except InvalidOperation:
        raise ValidationError({"hours": "Give the hours as a number, e.g. 6.5."}) from None
    monday = week_starting - timedelta(days=week_starting.weekday())
    record = TimeRecord(
        user=actor, organisation=organisation, week_starting=monday, hours=hours, note=note.strip()
    )
    record.full_clean()
    with transaction.atomic():
        record.save()
        record_event(
            EventType.TIME_RECORDED,
            actor=actor,  # type: ignore[arg-type]
            subject=record,
            organisation=organisation,
            data={"week_starting": monday, "hours": str(hours), "note": record.note},
        )
    return record


def record_process_review(
    *, actor: Actor, organisation: Organisation, held_on: date, findings: str, next_due_on: date
) -> ProcessReview:
    """Record a review of the clinical risk management process and when the next is due."""
    actor = require(actor, Action.REVIEW_PROCESS, organisation)
    if not findings.strip():
        raise ValidationError({"findings": "Record what the review found and what will change."})
    review = ProcessReview(
        organisation=organisation,
        held_on=held_on,
        findings=findings.strip(),
        next_due_on=next_due_on,
        recorded_by=actor,
    )
    review.full_clean()
    with transaction.atomic():
        review.save()
        record_event(
            EventType.PROCESS_REVIEWED,
            actor=actor,
            subject=review,
            organisation=organisation,
            data={"held_on": held_on, "next_due_on": next_due_on},
            reason=review.findings,
        )
    return review
