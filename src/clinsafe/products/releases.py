"""Use cases for releases: plan one, record its configuration, put it into safety review,
withdraw it. Signing, blocking and releasing are the gate's (clinsafe.gate.services)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.records import apply_changes, lock_for_edit
from clinsafe.hazards.models import Hazard
from clinsafe.products.models import (
    HazardChange,
    Product,
    Release,
    ReleaseHazard,
    ReleaseStage,
)

RELEASE_FIELDS = (
    "version",
    "planned_on",
    "summary",
    "build_identifier",
    "components",
    "safety_settings",
)
MAX_ENTRIES, MAX_KEY, MAX_VALUE = 200, 100, 500

HazardChanges = Iterable[tuple[Hazard, str]]


def create_release(
    *, actor: Actor, product: Product, hazards: HazardChanges = (), **fields: Any
) -> Release:
    """Plan a release of ``product``, with the hazards it adds, changes or affects."""
    actor = require(actor, Action.EDIT_RELEASE, product.organisation)
    _refuse_unknown(fields)
    release = Release(product=product, created_by=actor, **fields)
    links = _validate(release, hazards)
    with transaction.atomic():
        release.save()
        ReleaseHazard.objects.bulk_create(
            ReleaseHazard(release=release, hazard=h, change=c) for h, c in links
        )
        record_event(
            EventType.RELEASE_PLANNED,
            actor=actor,
            subject=release,
            organisation=product.organisation,
            data={**{f: getattr(release, f) for f in RELEASE_FIELDS}, "hazards": _labels(links)},
        )
    return release


def edit_release(
    *,
    actor: Actor,
    release: Release,
    revision: int | None,
    hazards: HazardChanges | None = None,
    **changes: Any,
) -> Release:
    """Change a release or record its configuration (build, components, settings); refused
    once it is released or withdrawn, and if someone changed it since ``revision``."""
    actor = require(actor, Action.EDIT_RELEASE, release.product.organisation)
    _refuse_unknown(changes)
    with transaction.atomic():
        release = lock_for_edit(release, revision, field="revision")
        _refuse_if_closed(release)
        diff = apply_changes(release, changes)
        current = _current_links(release)
        links = _validate(release, hazards if hazards is not None else current)
        if hazards is not None:
            before, after = _labels(current), _labels(links)
            if before != after:
                diff["hazards"] = [before, after]
                release.hazard_links.all().delete()
                ReleaseHazard.objects.bulk_create(
                    ReleaseHazard(release=release, hazard=h, change=c) for h, c in links
                )
        if not diff:
            return release
        release.revision += 1
        release.save()
        record_event(
            EventType.RELEASE_EDITED,
            actor=actor,
            subject=release,
            organisation=release.product.organisation,
            data={"changes": diff},
        )
    return release


def start_safety_review(*, actor: Actor, release: Release) -> Release:
    """Hand a planned release to the CSO for safety review."""
    actor = require(actor, Action.EDIT_RELEASE, release.product.organisation)
    return _move(actor, release, ReleaseStage.IN_SAFETY_REVIEW, EventType.RELEASE_REVIEW_STARTED)


def withdraw_release(*, actor: Actor, release: Release, reason: str) -> Release:
    """Abandon a release that will not ship. It stays on record with its reason."""
    actor = require(actor, Action.EDIT_RELEASE, release.product.organisation)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the release is withdrawn."})
    return _move(
        actor, release, ReleaseStage.WITHDRAWN, EventType.RELEASE_WITHDRAWN, reason.strip()
    )


def _move(
    actor: Any, release: Release, stage: ReleaseStage, event: EventType, reason: str = ""
) -> Release:
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        _refuse_if_closed(release)
        if release.stage == stage:
            raise ValidationError({"stage": f"The release is already {stage.label.lower()}."})
        before = release.stage
        release.stage, release.withdrawn_reason = stage, reason
        release.revision += 1
        release.save()
        record_event(
            event,
            actor=actor,
            subject=release,
            organisation=release.product.organisation,
            data={"changes": {"stage": [before, stage]}},
            reason=reason,
        )
    return release


def _refuse_if_closed(release: Release) -> None:
    if release.is_closed:
        raise ValidationError(
            {
                "__all__": f"Release {release.version} is {release.get_stage_display().lower()}; "
                "it can no longer be changed. Plan the next release instead."
            }
        )


def _validate(release: Release, hazards: HazardChanges) -> list[tuple[Hazard, str]]:
    errors: dict[str, Any] = {}
    for field in ("components", "safety_settings"):
        message = _mapping_error(getattr(release, field), field.replace("_", " "))
        if message:
            errors[field] = message
    links = list(hazards)
    seen: set[int] = set()
    for hazard, change in links:
        if change not in HazardChange.values:
            errors["hazards"] = f"{change!r} is not a kind of change; use {HazardChange.values}."
        elif hazard.product_id != release.product_id:
            errors["hazards"] = f"{hazard.reference} belongs to another product."
        elif hazard.is_withdrawn:
            errors["hazards"] = f"{hazard.reference} is withdrawn."
        elif hazard.pk in seen:
            errors["hazards"] = f"{hazard.reference} is listed twice."
        seen.add(hazard.pk)
    try:
        release.full_clean(exclude=["hazards", *errors])
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return links


def _mapping_error(value: Any, name: str) -> str:
    """Configuration is a flat map of names to versions or values, all text."""
    if not isinstance(value, dict):
        return f"The {name} must be a map of names to values."
    if len(value) > MAX_ENTRIES:
        return f"The {name} may list at most {MAX_ENTRIES} entries."
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
            return f"Each name in the {name} must be text of 1 to {MAX_KEY} characters."
        if not isinstance(item, str) or len(item) > MAX_VALUE:
            return f"The value of {key!r} in the {name} must be text of at most {MAX_VALUE} chars."
    return ""


def _current_links(release: Release) -> list[tuple[Hazard, str]]:
    return [(link.hazard, link.change) for link in release.hazard_links.select_related("hazard")]


def _labels(links: list[tuple[Hazard, str]]) -> list[list[str]]:
    return sorted([h.reference, c] for h, c in links)


def _refuse_unknown(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(RELEASE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown release fields: {sorted(unknown)}.")
