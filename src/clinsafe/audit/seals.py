"""Seals on signed records: an HMAC under the audit key over the record as it stands (its
snapshot hash, signer, time, meaning and target), so a signature, review or block written or
rewritten in SQL no longer counts, and `verify-audit` names it.

The snapshot itself is left out of the seal (it can be megabytes); its hash is in, and
`Sealed.problem` checks the snapshot still hashes to it."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import migrations, models

from clinsafe.audit.chain import canonical_json, plain_data, sign

UNSEALED = frozenset({"id", "seal", "snapshot"})


def sealed_content(record: models.Model) -> dict[str, Any]:
    content = {}
    for field in record._meta.concrete_fields:
        if field.attname not in UNSEALED:
            value = getattr(record, field.attname)
            if isinstance(value, datetime):  # as the database gives it back
                value = value.astimezone(UTC)
            content[field.attname] = value
    return plain_data(content)


def seal_of(record: models.Model) -> str:
    message = f"{record._meta.label_lower}:{canonical_json(sealed_content(record))}"
    return sign(settings.AUDIT_KEY, message)


class Sealed(models.Model):
    """A record whose every save is sealed; one changed any other way shows as unsealed."""

    seal = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.seal = seal_of(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "seal"}
        super().save(*args, **kwargs)

    @property
    def is_sealed(self) -> bool:
        return not self.problem()

    def problem(self) -> str:
        """Why this record cannot be trusted, or "" when its seal holds."""
        if not hmac.compare_digest(seal_of(self), self.seal):
            return "its seal does not match: it was written or changed without the audit key"
        return ""


def sealed_models() -> list[type[Sealed]]:
    return [m for m in apps.get_models() if issubclass(m, Sealed)]


def sealing(app_label: str, *model_names: str) -> migrations.RunPython:
    """The migration step that seals the records made before their model was sealed."""

    def seal_existing(apps: Any, schema_editor: Any) -> None:
        for name in model_names:
            model = apps.get_model(app_label, name)
            for record in model.objects.iterator():
                model.objects.filter(pk=record.pk).update(seal=seal_of(record))

    return migrations.RunPython(seal_existing, migrations.RunPython.noop)
