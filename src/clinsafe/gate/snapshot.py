"""Canonical snapshots of exactly what is signed, and their SHA-256.

A signature holds the hash of the snapshot it was made over; comparing that hash with
the hash of the records as they stand now says whether the signature is stale. Snapshots
are read as plain values, not model instances: the gate takes one of every hazard in the
log each time it is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from clinsafe.argument.models import ArgumentSnapshot
from clinsafe.audit.chain import plain_data
from clinsafe.hazards.models import Control, Hazard, HazardQuerySet, Stage
from clinsafe.products.models import Release

_RISK_PARTS = ("id", "severity", "likelihood", "rating")
_HAZARD_FIELDS = ("id", "number", "version", "title", "description", "causes", "effects",
                  "harm", "status")  # fmt: skip
# The product's scope: the hazard log was analysed for this use, so a sign-off over it lapses
# when the use changes.
_SCOPE_FIELDS = ("name", "intended_use", "care_settings", "intended_users", "patient_groups",
                 "third_party_products")  # fmt: skip


# Other capabilities add their part of what a release's sign-off covers (a deployment adds the
# supplier evidence and local decisions it rests on); a part that gives None is left out.
SnapshotPart = Callable[[Release], dict[str, Any] | None]
SNAPSHOT_PARTS: dict[str, SnapshotPart] = {}


def add_snapshot_part(name: str) -> Callable[[SnapshotPart], SnapshotPart]:
    def register(part: SnapshotPart) -> SnapshotPart:
        SNAPSHOT_PARTS[name] = part
        return part

    return register


def hazard_snapshots(
    product_id: int, only: Iterable[int] | None = None
) -> dict[int, dict[str, Any]]:
    """Each hazard in the product's log (or just those with ids in ``only``) as it stands:
    text, status, current estimates and the controls relied on, by hazard id, in order."""
    hazards: HazardQuerySet = Hazard.objects.filter(product=product_id)
    hazards = hazards.in_log() if only is None else hazards.filter(pk__in=list(only))
    risk = [f"{stage}_{part}" for stage in Stage.values for part in _RISK_PARTS]
    rows = hazards.with_current_risk().order_by("number").values(*_HAZARD_FIELDS, *risk)
    snapshots = {row["id"]: _hazard(row) for row in rows}
    links = (
        Control.hazards.through.objects.filter(
            hazard_id__in=list(snapshots), control__withdrawn_at__isnull=True
        )
        .order_by("control__number")
        .values_list(
            "hazard_id", "control__number", "control__version", "control__kind", "control__status"
        )
    )
    for hazard_id, number, version, kind, status in links:
        snapshots[hazard_id]["controls"].append(
            {"reference": f"C-{number:03d}", "version": version, "kind": kind, "status": status}
        )
    return snapshots


def hazard_snapshot(hazard: Hazard) -> dict[str, Any]:
    """One hazard's snapshot, e.g. for a review or an acceptance."""
    return hazard_snapshots(hazard.product_id, only=[hazard.pk])[hazard.pk]


def release_snapshot(release: Release, hazards: list[dict[str, Any]]) -> dict[str, Any]:
    """What a sign-off or override covers: the product's intended use and scope, the release,
    the safety argument put forward for it (by digest) and the whole hazard log, given as
    hazard snapshots."""
    argument = ArgumentSnapshot.objects.filter(release=release).values_list("digest", flat=True)
    header = {
        "version": release.version,
        "planned_on": release.planned_on,
        "summary": release.summary,
        "build_identifier": release.build_identifier,
        "components": release.components,
        "safety_settings": release.safety_settings,
        "hazards": [
            [link.hazard.reference, link.change]
            for link in release.hazard_links.select_related("hazard")
        ],
    }
    snapshot = {
        "product": release.product.slug,
        "scope": {field: getattr(release.product, field) for field in _SCOPE_FIELDS},
        "release": plain_data(header),
        "argument": argument.first(),
        "hazards": hazards,
    }
    for name, part in SNAPSHOT_PARTS.items():
        value = part(release)
        if value is not None:
            snapshot[name] = plain_data(value)
    return snapshot


def hazard_of(hazard: Hazard) -> Hazard:
    """``hazard`` re-read with its current risk."""
    return (
        Hazard.objects.with_current_risk().select_related("product__organisation").get(pk=hazard.pk)
    )


def _hazard(row: dict[str, Any]) -> dict[str, Any]:
    snapshot = {
        "reference": f"H-{row['number']:03d}",
        **{field: row[field] for field in _HAZARD_FIELDS if field not in ("id", "number")},
        "controls": [],
    }
    for stage in Stage.values:
        estimate = {part: row[f"{stage}_{part}"] for part in _RISK_PARTS}
        snapshot[stage] = estimate if estimate["id"] is not None else None
    return snapshot
