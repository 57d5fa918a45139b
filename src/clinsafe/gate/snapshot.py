"""Canonical snapshots of exactly what is signed, and their SHA-256.

A signature holds the hash of the snapshot it was made over; comparing that hash with
the hash of the records as they stand now says whether the signature is stale.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Prefetch

from clinsafe.audit.chain import canonical_json, plain_data
from clinsafe.hazards.models import Control, Hazard, HazardQuerySet, Stage
from clinsafe.products.models import Release


def digest(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(plain_data(snapshot)).encode()).hexdigest()


def hazards_of(product_id: int) -> list[Hazard]:
    """The product's hazard log as snapshots need it: current risk and live controls."""
    return list(_with_risk_and_controls().filter(product=product_id).in_log().order_by("number"))


def hazard_of(hazard: Hazard) -> Hazard:
    """``hazard`` re-read with what its snapshot needs."""
    return _with_risk_and_controls().select_related("product__organisation").get(pk=hazard.pk)


def _with_risk_and_controls() -> HazardQuerySet:
    live_controls = Control.objects.filter(withdrawn_at__isnull=True).order_by("number")
    return Hazard.objects.with_current_risk().prefetch_related(
        Prefetch("controls", queryset=live_controls)
    )


def hazard_snapshot(hazard: Hazard) -> dict[str, Any]:
    """A hazard as it stands: text, status, current estimates and the controls relied on."""
    return plain_data(
        {
            "reference": hazard.reference,
            "version": hazard.version,
            "title": hazard.title,
            "description": hazard.description,
            "causes": hazard.causes,
            "effects": hazard.effects,
            "harm": hazard.harm,
            "status": hazard.status,
            **{stage: _estimate(hazard, stage) for stage in Stage.values},
            "controls": [
                {"reference": c.reference, "version": c.version, "kind": c.kind, "status": c.status}
                for c in hazard.controls.all()
                if not c.is_withdrawn
            ],
        }
    )


def release_snapshot(release: Release, hazards: list[dict[str, Any]]) -> dict[str, Any]:
    """What a sign-off or override covers: the release and the whole hazard log, given as
    hazard snapshots."""
    return plain_data(
        {
            "product": release.product.slug,
            "release": {
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
            },
            "hazards": hazards,
        }
    )


def _estimate(hazard: Hazard, stage: str) -> dict[str, Any] | None:
    if getattr(hazard, f"{stage}_id") is None:
        return None
    return {
        part: getattr(hazard, f"{stage}_{part}")
        for part in ("id", "severity", "likelihood", "rating")
    }
