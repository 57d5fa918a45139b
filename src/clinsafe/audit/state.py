"""The state of a safety record as its audit events record it.

Each event carries the digest of its subject's row as the change left it; a row whose digest
no longer matches its last event was changed behind the application's back (in SQL, or by
code that skipped the service functions)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection, models

from clinsafe.audit.chain import digest, plain_data

# Columns kept up to date without an audit event: bookkeeping, not safety content.
UNTRACKED: dict[str, frozenset[str]] = {
    "auth.user": frozenset({"last_login", "password"}),
    "core.apitoken": frozenset({"last_used_at"}),
    # Taken by every record numbered in the product (clinsafe.products.services.next_number).
    "products.product": frozenset(
        {"next_hazard_number", "next_control_number", "next_incident_number", "next_change_number"}
    ),
}
# Columns added after rows were first recorded: they count in a row's digest only once they
# hold a value, so the rows recorded before the column existed still match their events.
ADDED_LATER: dict[str, frozenset[str]] = {
    "hazards.hazard": frozenset({"owner_name", "file_reference"}),
    "hazards.control": frozenset({"owner_name", "file_reference"}),
    "products.product": frozenset({"medical_device"}),
}
CHUNK = 2000


@cache
def tracked_fields(model: type[models.Model]) -> list[str]:
    untracked = UNTRACKED.get(model._meta.label_lower, frozenset())
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not getattr(f, "auto_now", False) and f.attname not in untracked
    ]


def _digest(model: type[models.Model], row: dict[str, Any]) -> str:
    later = ADDED_LATER.get(model._meta.label_lower, frozenset())
    return digest(
        plain_data({k: v for k, v in row.items() if v not in ("", None) or k not in later})
    )


def state_of(subject: models.Model) -> str:
    """The digest of ``subject``'s row as stored now ("" if it has none)."""
    model = type(subject)
    sql, compiler, converters = _row_query(model, connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [subject.pk])
        found = cursor.fetchone()
    if found is None:
        return ""
    (values,) = compiler.apply_converters([list(found)], converters)
    return _digest(model, dict(zip(tracked_fields(model), values, strict=True)))


def states_of(model: type[models.Model], pks: Iterable[int]) -> dict[int, str]:
    """`state_of` for many rows of ``model`` at once, by primary key."""
    return dict(_states(model, pks))


@cache
def _row_query(model: type[models.Model], alias: str) -> tuple[str, Any, Any]:
    """The query ``.values(*tracked_fields)`` makes for one row, compiled once per model:
    every event reads its subject back, so an import of thousands would otherwise spend a
    quarter of its time compiling the same query. The converters are the ones `.values()`
    applies, so the digest is the one `_states` computes."""
    rows = model._base_manager.using(alias).filter(pk=0).values(*tracked_fields(model))
    compiler = rows.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    assert list(params) == [0], params  # the one parameter is the primary key's
    expressions = [column for column, _, _ in compiler.select]
    return sql, compiler, compiler.get_converters(expressions)


def changed_records(
    recorded: dict[tuple[str, int], tuple[int, str]],
) -> Iterator[str]:
    """For each record (subject type, id) -> (sequence, digest) of its last event, say which
    rows no longer match, or are gone."""
    by_type: dict[str, dict[int, tuple[int, str]]] = {}
    for (label, pk), last in recorded.items():
        by_type.setdefault(label, {})[pk] = last
    for label, last_events in sorted(by_type.items()):
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue  # a model since removed: nothing to compare with
        now = dict(_states(model, last_events))
        for pk, (sequence, recorded_digest) in sorted(last_events.items()):
            if pk not in now:
                yield (
                    f"{model._meta.verbose_name} #{pk} is gone, but audit event #{sequence} "
                    "recorded it: it was deleted behind the application's back."
                )
            elif now[pk] != recorded_digest:
                yield (
                    f"{model._meta.verbose_name} #{pk} no longer matches audit event "
                    f"#{sequence}, the last recorded change to it: it was changed behind the "
                    "application's back."
                )


def _states(model: type[models.Model], pks: Iterable[int]) -> Iterator[tuple[int, str]]:
    fields = tracked_fields(model)
    pk_name = model._meta.pk.attname
    wanted = sorted(pks)
    for start in range(0, len(wanted), CHUNK):
        rows = model._base_manager.filter(pk__in=wanted[start : start + CHUNK]).values(*fields)
        for row in rows:
            yield row[pk_name], _digest(model, row)
