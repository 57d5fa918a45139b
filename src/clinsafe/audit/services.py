"""The one audit writer: every service function that changes a safety record calls it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.utils import timezone

from clinsafe.audit.chain import (
    Verification,
    content_hash,
    head_message,
    plain_data,
    sign,
    verify_chain,
)
from clinsafe.audit.checkpoint import CheckpointError, advance_checkpoint, read_checkpoint
from clinsafe.audit.models import AuditEvent, ChainHead, EventType
from clinsafe.audit.seals import sealed_models
from clinsafe.audit.state import changed_records, state_of
from clinsafe.core.formats import person_name
from clinsafe.core.models import Organisation

KNOWN_TYPES = frozenset(EventType.values)  # read once: the enum builds the list on each access

# Events recorded within `appended_at_end`, waiting to be chained (None outside it).
_waiting: ContextVar[list[AuditEvent] | None] = ContextVar("waiting_events", default=None)


def record_event(
    event_type: EventType,
    *,
    actor: User,
    subject: models.Model,
    organisation: Organisation | None,
    data: dict[str, Any] | None = None,
    reason: str = "",
    state: str | None = None,
) -> None:
    """Append an event to the chain; an unknown type is a programming error and raises.
    ``state`` is the subject's row digest when the caller has read it already (`states_of`,
    for thousands of records written at once); otherwise the row is read here."""
    if event_type not in KNOWN_TYPES:
        raise ValueError(f"Unknown audit event type {event_type!r}.")
    event = AuditEvent(
        event_type=event_type,
        actor=actor,
        actor_name=person_name(actor),
        organisation=organisation,
        organisation_name=organisation.name if organisation else "",
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        subject_label=str(subject),
        data=plain_data(data or {}),
        reason=reason,
        subject_state=state_of(subject) if state is None else state,  # the row as left
    )
    waiting = _waiting.get()
    if waiting is None:
        _chain([event])
    else:
        waiting.append(event)


@contextmanager
def appended_at_end() -> Iterator[None]:
    """Within a transaction that records thousands of events (an import), keep them and
    chain them in one go as it ends: the chain head, which every writer's events queue on,
    is then held for moments rather than for the whole transaction. If the block raises,
    nothing is chained (and its transaction rolls back), nor if it marks the transaction
    for rollback."""
    if not connection.in_atomic_block:
        raise RuntimeError("appended_at_end must run inside transaction.atomic().")
    waiting: list[AuditEvent] = []
    token = _waiting.set(waiting)
    try:
        yield
    finally:
        _waiting.reset(token)
    if not transaction.get_rollback():
        _chain(waiting)


def _chain(events: list[AuditEvent]) -> None:
    """Give ``events`` the next sequence numbers, link and sign them, and move the head."""
    if not events:
        return
    with transaction.atomic():
        # The head row is the chain's lock: writers queue on it, so the chain never forks.
        head = ChainHead.objects.select_for_update().get(pk=1)  # made by migration 0002
        for event in events:
            event.sequence, event.previous_hash = head.last_sequence + 1, head.last_hash
            event.occurred_at = timezone.now()
            event.content_hash = content_hash(event)
            event.signature = sign(settings.AUDIT_KEY, event.content_hash)
            head.last_sequence, head.last_hash = event.sequence, event.content_hash
        _insert(events)
        head.signature = sign(settings.AUDIT_KEY, head_message(head.last_sequence, head.last_hash))
        head.save()
        if not any(entry[1] is _checkpoint for entry in connection.run_on_commit):
            transaction.on_commit(_checkpoint, robust=True)


def _insert(events: list[AuditEvent]) -> None:
    """Insert the rows with one prepared statement. bulk_create prepares every value through
    its field, which for an import's ten thousand events took longer than hashing them (on
    SQLite twice as long as this); text and numbers go to the database as they are, so only
    the others (the time, the JSON data) are prepared by their fields."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # Names from the model, values as parameters: nothing from a user is in the text.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[_db_value(f, getattr(e, f.attname)) for f in fields] for e in events]
        )


def _db_value(field: models.Field[Any, Any], value: Any) -> Any:
    plain = value is None or type(value) in (str, int)
    return value if plain else field.get_db_prep_save(value, connection)


def _checkpoint(path: Path | None = None) -> None:
    """Move the checkpoint outside the database to the chain's head (once per commit)."""
    head = ChainHead.objects.get(pk=1)
    advance_checkpoint(path or settings.AUDIT_CHECKPOINT, head.last_sequence, head.last_hash)


def history_of(subject: models.Model) -> models.QuerySet[AuditEvent]:
    """Events about ``subject``, newest first."""
    return AuditEvent.objects.filter(
        subject_type=subject._meta.label_lower, subject_id=subject.pk
    ).order_by("-sequence")


def verify_audit_trail(checkpoint: Path | None = None) -> Verification:
    """The chain and its head; every sealed record's seal; every safety record against its
    last event; and, given a ``checkpoint`` file, that the chain reaches as far."""
    states: dict[tuple[str, int], tuple[int, str]] = {}
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    head = ChainHead.objects.filter(pk=1).first()
    verification = verify_chain(_noting_states(events, states), head, settings.AUDIT_KEY)
    if verification.ok and checkpoint is not None:
        verification = _against_checkpoint(verification, checkpoint)
    # Records are compared with the chain only where the chain holds: events after a break
    # were not read.
    changed = changed_records(states) if verification.ok else ()
    return dataclasses.replace(verification, records=(*_unsealed_records(), *changed))


def _noting_states(
    events: Iterable[AuditEvent], states: dict[tuple[str, int], tuple[int, str]]
) -> Iterator[AuditEvent]:
    for event in events:
        if event.subject_state:
            states[event.subject_type, event.subject_id] = (event.sequence, event.subject_state)
        yield event


def _unsealed_records() -> Iterator[str]:
    for model in sealed_models():
        for record in model._base_manager.order_by("pk").iterator(chunk_size=2000):
            if problem := record.problem():
                yield f"{model._meta.verbose_name} #{record.pk} ({record}): {problem}."


def _against_checkpoint(verification: Verification, path: Path) -> Verification:
    try:
        seen = read_checkpoint(path)
    except CheckpointError as error:
        return dataclasses.replace(verification, problem=str(error))
    if seen is None:
        return dataclasses.replace(verification, problem=f"there is no checkpoint at {path}.")
    if seen.sequence > verification.count:
        return dataclasses.replace(
            verification,
            first_bad_sequence=verification.count + 1,
            problem=(
                f"the checkpoint of {seen.written_at} saw the chain reach #{seen.sequence}, but "
                f"it ends at #{verification.count}: events were cut off, or an older database "
                "was put back."
            ),
        )
    if seen.sequence:
        at = AuditEvent.objects.filter(sequence=seen.sequence).values_list("content_hash")
        if at.first() != (seen.last_hash,):
            return dataclasses.replace(
                verification,
                first_bad_sequence=seen.sequence,
                problem=(
                    f"event #{seen.sequence} is not the event the checkpoint of "
                    f"{seen.written_at} saw: the chain was rewritten from there."
                ),
            )
    _checkpoint(path)
    return verification
