"""Backup and restore of the whole database as one bundle: a zip holding every record as
Django serialised JSON and a manifest with its SHA-256 and record counts.

The audit key is not in the bundle: restore on a server configured with the same
CLINSAFE_AUDIT_KEY, and the restored chain verifies."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from clinsafe import __version__
from clinsafe.audit.services import verify_audit_trail

FORMAT = "clinsafe-backup/1"
# People and groups, and every model of every clinsafe app, so an app added later is backed
# up without anyone remembering to list it. Not Django's own bookkeeping: content types and
# permissions are remade by migrate, sessions are disposable.
ACCOUNTS = ("auth.user", "auth.group")


class BackupError(Exception):
    pass


# The task queue is not in a bundle (its rows are the worker's, not records): each app that
# leaves work on it registers a step that puts its unfinished work back once restored.
RESTORE_STEPS: list[Callable[[], None]] = []


def after_restore(step: Callable[[], None]) -> Callable[[], None]:
    RESTORE_STEPS.append(step)
    return step


def models_in_bundle() -> list[Any]:
    chosen = [apps.get_model(label) for label in ACCOUNTS]
    for config in apps.get_app_configs():
        if config.name.startswith("clinsafe."):
            chosen.extend(config.get_models())
    return chosen


def export_bundle(path: Path) -> dict[str, Any]:
    """Write every record to ``path``; return the manifest."""
    with transaction.atomic():  # one consistent snapshot
        objects = [
            obj for model in models_in_bundle() for obj in model._default_manager.order_by("pk")
        ]
        # Django's JSON serializer rounds times to milliseconds, which would break the audit
        # chain's hashes; the python serializer keeps them whole.
        records = serializers.serialize("python", objects)
        data = json.dumps(records, default=_as_text, ensure_ascii=False).encode()
    manifest = {
        "format": FORMAT,
        "clinsafe": __version__,
        "created_at": timezone.now().isoformat(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "counts": dict(Counter(obj._meta.label_lower for obj in objects)),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.json", json.dumps(manifest, indent=2))
        bundle.writestr("data.json", data)
    return manifest


def restore_bundle(path: Path) -> dict[str, Any]:
    """Load a bundle into an empty database, all or nothing, and check the audit chain."""
    try:
        with zipfile.ZipFile(path) as bundle:
            manifest = json.loads(bundle.read("manifest.json"))
            data = bundle.read("data.json")
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as error:
        raise BackupError(f"{path} is not a clinsafe backup bundle: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has format {manifest.get('format')!r}, not {FORMAT!r}.")
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        raise BackupError(f"{path} is damaged: its data does not match its SHA-256.")
    if any(m._default_manager.exists() for m in models_in_bundle() if m is not _chain_head()):
        raise BackupError("The database is not empty: restore only into a new, migrated one.")
    with transaction.atomic():
        for restored in serializers.deserialize("python", json.loads(data)):
            restored.save()
        verification = verify_audit_trail()
        if not verification.ok:
            raise BackupError(
                f"The restored audit trail does not verify ({verification.problem}); nothing "
                "was restored. Is CLINSAFE_AUDIT_KEY the key of the server backed up?"
            )
        _reset_sequences()
        for step in RESTORE_STEPS:
            transaction.on_commit(step)
    return manifest


def _as_text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # Decimal, UUID


def _chain_head() -> Any:
    return apps.get_model("audit", "ChainHead")


def _reset_sequences() -> None:
    """After loading rows with their ids, PostgreSQL's id sequences must move past them."""
    for sql in connection.ops.sequence_reset_sql(no_style(), models_in_bundle()):
        with connection.cursor() as cursor:
            cursor.execute(sql)
