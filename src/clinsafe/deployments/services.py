"""Receiving a supplier's bundle, and what changed since the one before."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.models import Organisation
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.deployments.models import SupplierBundle
from clinsafe.reports.bundle import BundleError, read_bundle


def import_supplier_bundle(
    *, actor: Actor, organisation: Organisation, data: bytes
) -> SupplierBundle:
    """Keep a supplier's bundle as its read-only record of that product version. Refused,
    with every reason, if it fails the schema or its manifest."""
    user = require(actor, Action.IMPORT_SUPPLIER_BUNDLE, organisation)
    try:
        bundle = read_bundle(data)
    except BundleError as error:
        raise ValidationError({"file": error.reasons}) from None
    sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        if SupplierBundle.objects.filter(organisation=organisation, sha256=sha256).exists():
            raise ValidationError({"file": "This bundle has already been imported."})
        previous = (
            SupplierBundle.objects.select_for_update()
            .filter(
                organisation=organisation,
                supplier_slug=bundle["supplier"]["slug"],
                product_slug=bundle["product"]["slug"],
            )
            .first()
        )
        record = SupplierBundle.objects.create(
            organisation=organisation,
            supplier_name=bundle["supplier"]["name"],
            supplier_slug=bundle["supplier"]["slug"],
            product_name=bundle["product"]["name"],
            product_slug=bundle["product"]["slug"],
            release_version=bundle["release"]["version"],
            content=bundle,
            sha256=sha256,
            previous=previous,
            imported_by=user,
        )
        changes = compare(previous.content if previous else None, bundle)
        record_event(
            EventType.SUPPLIER_BUNDLE_IMPORTED,
            actor=user,
            subject=record,
            organisation=organisation,
            data={
                "supplier": record.supplier_name,
                "product": record.product_name,
                "version": record.release_version,
                "sha256": sha256,
                "since_previous": changes.counts if previous else None,
            },
        )
    return record


@dataclass
class Changes:
    """What the supplier added, changed and removed, by hazard or control reference."""

    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed),
                "removed": len(self.removed)}  # fmt: skip


@dataclass
class Comparison:
    hazards: Changes
    controls: Changes

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return {"hazards": self.hazards.counts, "controls": self.controls.counts}

    @property
    def any(self) -> bool:
        return any(sum(c.values()) for c in self.counts.values())


def compare(before: dict[str, Any] | None, after: dict[str, Any]) -> Comparison:
    def changes(kind: str) -> Changes:
        old = {i["reference"]: i for i in (before or {}).get("hazard_log", {}).get(kind, [])}
        new = {i["reference"]: i for i in after["hazard_log"][kind]}
        result = Changes()
        for reference, item in new.items():
            if reference not in old:
                result.added.append(item)
            elif item != old[reference]:
                fields = sorted(k for k in item if item.get(k) != old[reference].get(k))
                result.changed.append((item, fields))
        result.removed = [item for reference, item in old.items() if reference not in new]
        return result

    return Comparison(changes("hazards"), changes("controls"))
