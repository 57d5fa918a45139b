"""Shared steps of every edit to a versioned safety record: lock, compare version, diff."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from clinsafe.core.errors import StaleEdit

Record = TypeVar("Record", bound=models.Model)


def lock_for_edit(record: Record, expected_version: int | None, field: str = "version") -> Record:
    """Re-read ``record`` under a row lock and refuse the edit if its version moved on."""
    if expected_version is None:
        raise ValidationError(
            {field: f"Give the {field} you loaded, so a concurrent edit is not overwritten."}
        )
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    current = getattr(locked, field)
    if current != expected_version:
        raise StaleEdit(
            getattr(locked, "reference", None) or str(locked), expected_version, current
        )
    return locked


def apply_changes(record: models.Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``changes`` on ``record``; return {field: [before, after]} for what really changed."""
    diff = {}
    for field, value in changes.items():
        before = getattr(record, field)
        if before != value:
            setattr(record, field, value)
            diff[field] = [_plain(before), _plain(value)]
    return diff


def validate(
    record: models.Model, errors: dict[str, Any], exclude: list[str] | None = None
) -> None:
    """Raise a service's rule ``errors`` together with the model's own field errors, so a
    person sees every problem at once."""
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as error:
        errors = {**error.error_dict, **errors}
    if errors:
        raise ValidationError(errors)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    return value
