"""Use cases for changes after go-live: propose one (on the web, or from a tracker or CI
through the API), and the CSO's assessment of its safety impact."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.notifications import notify
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.records import lock_for_edit, validate
from clinsafe.core.services import product_appointments, require_appointment
from clinsafe.hazards.models import Hazard
from clinsafe.hazards.services import create_hazard
from clinsafe.products.models import (
    Change,
    ChangeHazard,
    ChangeKind,
    ChangeSource,
    DecommissioningTopic,
    Product,
    Release,
)
from clinsafe.products.services import next_number

MAX_COMPONENTS, MAX_COMPONENT = 100, 200

# What a decommissioning hazard raised from the assessment says, until the CSO refines it.
DECOMMISSIONING_HAZARDS = {
    DecommissioningTopic.DATA_RETENTION: (
        "Patient records lost or kept wrongly when the product is decommissioned",
        "Records held by the product are not retained for their required period, or are "
        "kept beyond it, once the product is switched off.",
    ),
    DecommissioningTopic.HISTORIC_ACCESS: (
        "Historic records unavailable to clinicians after decommissioning",
        "Clinicians can no longer read past records they need for a patient's care once "
        "the product is switched off.",
    ),
    DecommissioningTopic.SUCCESSOR: (
        "Care disrupted in the transition to the successor product",
        "Data migrated incompletely or wrongly, or work in progress lost, when users move "
        "to the product that replaces this one.",
    ),
}


def propose_change(
    *,
    actor: Actor,
    product: Product,
    kind: str,
    title: str,
    description: str = "",
    link: str = "",
    components: Iterable[str] = (),
    release: Release | None = None,
    built_on: date | None = None,
    source: str = ChangeSource.WEB,
) -> Change:
    """Record a proposed change (reference CH-nnn); it lands in the CSOs' triage queue,
    and they are told at once."""
    actor = require(actor, Action.PROPOSE_CHANGE, product.organisation)
    change = Change(
        product=product,
        number=0,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        link=link.strip(),
        release=release,
        built_on=built_on,
        source=source,
        proposed_by=actor,
    )
    errors: dict[str, Any] = {}
    try:
        change.components = _components(components)
    except ValidationError as error:
        errors["components"] = error
    if release is not None:
        errors.update(_release_errors(release, product))
    validate(change, errors, exclude=["number", "components"])
    with transaction.atomic():
        change.number = next_number(product, "next_change_number")
        change.save()
        record_event(
            EventType.CHANGE_PROPOSED,
            actor=actor,
            subject=change,
            organisation=product.organisation,
            data={
                "reference": change.reference,
                "kind": kind,
                "title": change.title,
                "link": change.link,
                "components": change.components,
                "release": release.version if release else None,
                "source": source,
            },
        )
        notify(
            [a.user for a in product_appointments(product)],
            subject=f"Change {change.reference} in {product.name} needs your safety assessment",
            message=f"{change} ({change.get_kind_display().lower()}) was proposed "
            f"{change.get_source_display().lower().removeprefix('proposed ')}. It waits in "
            "your triage queue.",
            link=change_link(change),
        )
    return change


def assess_change(
    *,
    actor: Actor,
    change: Change,
    version: int | None,
    hazards: Iterable[Hazard],
    new_hazards: bool,
    alters_clinical_risk: bool,
    conclusion: str,
    release: Release | None = None,
    decommissioning: Mapping[str, Hazard | None] | None = None,
) -> Change:
    """The CSO's safety impact assessment of ``change``; assessing again replaces it (the
    audit trail keeps each).

    A change that alters clinical risk touches hazards and needs a new Safety Case Report,
    so it must be carried by a release, whose sign-off issues one. New hazards are raised in
    the log and named. Decommissioning names a hazard for each topic; one not named is
    raised from a standard description for the CSO to assess.
    """
    product = change.product
    actor = require(actor, Action.ASSESS_CHANGE, product.organisation)
    require_appointment(actor, product)
    hazards = list(hazards)
    conclusion = conclusion.strip()
    errors: dict[str, Any] = {}
    if not conclusion:
        errors["conclusion"] = "Give your conclusion on the change's safety impact."
    for hazard in hazards:
        if hazard.product_id != product.pk or hazard.is_withdrawn:
            errors["hazards"] = f"{hazard.reference} is not in {product.name}'s hazard log."
    if alters_clinical_risk and not hazards:
        errors["hazards"] = "A change that alters clinical risk touches hazards: name them."
    if new_hazards and not any(h.created_at >= change.proposed_at for h in hazards):
        errors["hazards"] = (
            "Raise the new hazards in the hazard log, then name them here with the hazards "
            "the change touches."
        )
    release = release or change.release
    if alters_clinical_risk and release is None:
        errors["release"] = (
            "A change that alters clinical risk needs a new Safety Case Report, issued when "
            "a release is signed off: choose the release that carries it (plan one first)."
        )
    if release is not None:
        errors.update(_release_errors(release, product))
    unknown = set(decommissioning or {}) - set(DecommissioningTopic.values)
    if unknown:
        errors["decommissioning"] = (
            f"Unknown topics {sorted(unknown)}; use {DecommissioningTopic.values}."
        )
    topics: dict[str, Hazard | None] = {}
    if change.kind == ChangeKind.DECOMMISSIONING:
        topics = {t.value: (decommissioning or {}).get(t.value) for t in DecommissioningTopic}
        for named in topics.values():
            if named is not None and (named.product_id != product.pk or named.is_withdrawn):
                errors["decommissioning"] = f"{named.reference} is not in the hazard log."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        change = lock_for_edit(change, version)
        for topic, named in topics.items():
            if named is None:
                title, description = DECOMMISSIONING_HAZARDS[DecommissioningTopic(topic)]
                topics[topic] = create_hazard(
                    actor=actor, product=product, title=title, description=description
                )
        change.hazard_links.all().delete()
        ChangeHazard.objects.bulk_create(
            [ChangeHazard(change=change, hazard=h) for h in dict.fromkeys(hazards)]
            + [ChangeHazard(change=change, hazard=h, topic=t) for t, h in topics.items() if h]
        )
        change.new_hazards, change.alters_clinical_risk = new_hazards, alters_clinical_risk
        change.conclusion, change.release = conclusion, release
        change.assessed_by, change.assessed_at = actor, timezone.now()
        change.version += 1
        change.save()
        record_event(
            EventType.CHANGE_ASSESSED,
            actor=actor,
            subject=change,
            organisation=product.organisation,
            data={
                "hazards": [h.reference for h in hazards],
                "new_hazards": new_hazards,
                "alters_clinical_risk": alters_clinical_risk,
                "release": release.version if release else None,
                "decommissioning": {t: h.reference for t, h in topics.items() if h},
            },
            reason=conclusion,
        )
    return change


def engagement(change: Change) -> str:
    """Whether the CSO assessed the change before it was built (early) or after (late)."""
    if change.assessed_at is None or change.built_on is None:
        return ""
    days = (change.built_on - timezone.localdate(change.assessed_at)).days
    if days > 0:
        return f"Assessed {days} day{'s' if days != 1 else ''} before it was built"
    if days == 0:
        return "Assessed the day it was built"
    return f"Assessed {-days} day{'s' if days != -1 else ''} after it was built"


def change_link(change: Change) -> str:
    return reverse("change-detail", args=[change.product.slug, change.number])


def _components(components: Iterable[str]) -> list[str]:
    if isinstance(components, str):
        raise ValidationError("Components are a list of names.")
    names = []
    for name in components:
        if not isinstance(name, str):
            raise ValidationError("Each component is a name.")
        if len(name) > MAX_COMPONENT:
            raise ValidationError(f"A component name may be at most {MAX_COMPONENT} characters.")
        if name.strip() and name.strip() not in names:
            names.append(name.strip())
    if len(names) > MAX_COMPONENTS:
        raise ValidationError(f"At most {MAX_COMPONENTS} components.")
    return names


def _release_errors(release: Release, product: Product) -> dict[str, str]:
    if release.product_id != product.pk:
        return {"release": f"{release.version} is a release of another product."}
    if release.is_closed:
        return {
            "release": f"{release.version} is {release.get_stage_display().lower()}: plan a "
            "new release to carry the change."
        }
    return {}
