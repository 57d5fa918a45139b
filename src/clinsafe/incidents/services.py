"""Use cases of the safety incident log. Each checks permission, validates, writes in one
transaction and records its audit event; the web views, the API and the CLI call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.formats import long_date
from clinsafe.core.models import Membership, Organisation
from clinsafe.core.notifications import notify
from clinsafe.core.permissions import Action, Actor, can, require, visible_organisations
from clinsafe.core.records import apply_changes, lock_for_edit, validate
from clinsafe.core.services import product_appointments
from clinsafe.deployments.models import SupplierBundle
from clinsafe.hazards.models import Control, Hazard
from clinsafe.hazards.services import create_hazard
from clinsafe.incidents.models import (
    CorrectiveAction,
    Finding,
    Harm,
    Incident,
    IncidentHazard,
    IncidentStatus,
)
from clinsafe.products.models import Product, Release
from clinsafe.products.services import next_number

# Harm this grave is always reported beyond the organisation (to LFPSE, and to the MHRA
# where a medical device is involved).
MUST_REPORT_EXTERNALLY = frozenset({Harm.SEVERE, Harm.DEATH})
INVESTIGATION_FIELDS = ("root_cause", "contributory_factors", "findings", "learning")


# --- who may report ----------------------------------------------------------------------


def deploying_organisations(user: Actor, product: Product) -> QuerySet[Organisation]:
    """``user``'s organisations that deploy ``product``: they hold a bundle it issued."""
    bundles = SupplierBundle.objects.filter(supplier_product=product)
    return visible_organisations(user).filter(pk__in=bundles.values("organisation"))


def reporting_organisation(user: Actor, product: Product) -> Organisation | None:
    """Where ``user`` reports an incident in ``product`` from: its maker, or a deployer."""
    if can(user, Action.REPORT_INCIDENT, product.organisation):
        return product.organisation
    return deploying_organisations(user, product).first()


def reportable_products(user: Actor) -> QuerySet[Product]:
    """Products ``user`` may report incidents in: their organisations' and those deployed."""
    organisations = visible_organisations(user)
    deployed = SupplierBundle.objects.filter(organisation__in=organisations)
    return Product.objects.filter(
        Q(organisation__in=organisations) | Q(pk__in=deployed.values("supplier_product"))
    ).select_related("organisation")


def reportable_releases(user: Actor, product: Product) -> QuerySet[Release]:
    """The releases of ``product`` that ``user`` may name in a report: all of them to its
    maker; to a deploying organisation only the versions it received, so a version the
    supplier holds pending or blocked stays the supplier's."""
    organisations = visible_organisations(user)
    if organisations.filter(pk=product.organisation_id).exists():
        return product.releases.all()
    received = SupplierBundle.objects.filter(
        supplier_product=product, organisation__in=organisations
    )
    return product.releases.filter(version__in=received.values("release_version"))


# --- reporting ---------------------------------------------------------------------------


def report_incident(
    *,
    actor: Actor,
    product: Product,
    title: str,
    description: str,
    occurred_on: date,
    patient_affected: bool,
    reported_harm: str,
    reported_on: date | None = None,
    release: Release | None = None,
    deployment: str = "",
    detail: str = "",
) -> Incident:
    """Record an incident in ``product``'s log (reference I-nnn) and tell its CSOs."""
    organisation = reporting_organisation(actor, product)
    if organisation is None:
        require(actor, Action.REPORT_INCIDENT, product.organisation)  # raises, naming roles
    assert isinstance(actor, User) and organisation is not None
    incident = Incident(
        product=product,
        number=0,
        release=release,
        deployment=deployment.strip(),
        title=title.strip(),
        description=description.strip(),
        detail=detail.strip(),
        occurred_on=occurred_on,
        reported_on=reported_on or timezone.localdate(),
        reported_by=actor,
        reporting_organisation=organisation,
        patient_affected=patient_affected,
        reported_harm=reported_harm,
    )
    errors = _dates_and_harm(incident)
    if release is not None and release.product_id != product.pk:
        errors["release"] = f"{release.version} is a release of another product."
    elif release is not None and not reportable_releases(actor, product).filter(pk=release.pk):
        errors["release"] = (
            f"{organisation.name} has not received {product.name} {release.version} from "
            f"{product.organisation.name}: name a version you deploy, or leave it not known."
        )
    validate(incident, errors, exclude=["number"])
    with transaction.atomic():
        incident.number = next_number(product, "next_incident_number")
        incident.save()
        record_event(
            EventType.INCIDENT_REPORTED,
            actor=actor,
            subject=incident,
            organisation=product.organisation,
            data={
                "reference": incident.reference,
                "title": incident.title,
                "reported_harm": incident.reported_harm,
                "patient_affected": patient_affected,
                "release": release.version if release else None,
                "reporting_organisation": organisation.name,
            },
        )
        notify(
            [a.user for a in product_appointments(product)],
            subject=f"Safety incident {incident.reference} reported in {product.name}",
            message=f"{organisation.name} reported {incident} ({incident.get_harm_display()}"
            f"). It waits for triage.",
            link=incident_link(incident),
        )
    return incident


def _dates_and_harm(incident: Incident) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    today = timezone.localdate()
    if incident.occurred_on and incident.occurred_on > today:
        errors["occurred_on"] = "The date it happened cannot be in the future."
    if incident.reported_on and incident.reported_on > today:
        errors["reported_on"] = "The date it was reported cannot be in the future."
    elif (
        incident.occurred_on
        and incident.reported_on
        and (incident.reported_on < incident.occurred_on)
    ):
        errors["reported_on"] = "It cannot have been reported before it happened."
    if not incident.patient_affected and incident.reported_harm not in ("", Harm.NONE):
        errors["reported_harm"] = (
            "Harm to a patient means a patient was affected: record the harm as no harm, or "
            "say a patient was affected."
        )
    return errors


# --- triage ------------------------------------------------------------------------------


def triage_incident(
    *,
    actor: Actor,
    incident: Incident,
    version: int | None,
    actual_harm: str,
    finding: str,
    hazards: Iterable[Hazard] = (),
    failed_controls: Iterable[Control] = (),
    new_hazard: dict[str, Any] | None = None,
    reassessment_required: bool = True,
    external_report_required: bool = False,
    external_body: str = "",
    triage_notes: str = "",
) -> Incident:
    """Judge an incident against the hazard log.

    A realised hazard names the hazards; a failed control names the controls (their hazards
    are linked too) and always needs the hazards re-assessed, since their likelihood relied
    on it; a new hazard is raised in the log from the incident. Severe harm and death are
    always reported externally. The linked hazards need review at the gate until they are
    re-assessed, when re-assessment is required.
    """
    product = incident.product
    actor = require(actor, Action.TRIAGE_INCIDENT, product.organisation)
    hazards, failed_controls = list(hazards), list(failed_controls)
    errors: dict[str, Any] = {}
    if actual_harm not in Harm.values:
        errors["actual_harm"] = f"Choose the actual harm: one of {', '.join(Harm.labels)}."
    if finding not in Finding.values:
        errors["finding"] = "Say whether a hazard was realised, a control failed or a new one."
    if finding in (Finding.HAZARD_REALISED, Finding.CONTROL_FAILED) and not (
        hazards or failed_controls
    ):
        errors["hazards"] = "Name the hazards the incident realised."
    if finding == Finding.CONTROL_FAILED:
        if not failed_controls:
            errors["failed_controls"] = "Name the controls that failed."
        if not reassessment_required:
            errors["reassessment_required"] = (
                "A failed control means the risk it reduced was under-estimated: the "
                "hazards must be re-assessed."
            )
    if finding == Finding.NEW_HAZARD and not (new_hazard or {}).get("title"):
        errors["new_hazard_title"] = "Name the new hazard the incident revealed."
    if finding == Finding.NOT_A_HAZARD and (hazards or failed_controls):
        errors["finding"] = "Hazards or controls are named: choose what they show instead."
    if actual_harm in MUST_REPORT_EXTERNALLY and not external_report_required:
        errors["external_report_required"] = (
            f"{Harm(actual_harm).label} must be reported externally (e.g. to LFPSE, and the "
            "MHRA where a medical device is involved)."
        )
    if external_report_required and not external_body:
        errors["external_body"] = "Say where it must be reported."
    named: list[tuple[str, Hazard | Control]] = [
        *(("hazards", h) for h in hazards),
        *(("failed_controls", c) for c in failed_controls),
    ]
    for field, record in named:
        if record.product_id != product.pk or record.is_withdrawn:
            errors[field] = f"{record.reference} is not in {product.name}'s log."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = lock_for_edit(incident, version)
        if incident.status != IncidentStatus.REPORTED:
            raise ValidationError({"__all__": f"{incident.reference} is already triaged."})
        if finding == Finding.NEW_HAZARD:
            assert new_hazard is not None
            hazards.append(create_hazard(actor=actor, product=product, **new_hazard))
        linked = {h.pk: h for h in [*hazards, *_hazards_of(failed_controls)]}
        now = timezone.now()
        IncidentHazard.objects.bulk_create(
            IncidentHazard(
                incident=incident,
                hazard=hazard,
                reassessment_required=reassessment_required or finding == Finding.NEW_HAZARD,
                linked_at=now,
            )
            for hazard in linked.values()
        )
        incident.failed_controls.set(failed_controls)
        incident.actual_harm, incident.finding = actual_harm, finding
        incident.external_report_required = external_report_required
        incident.external_body = external_body if external_report_required else ""
        incident.triage_notes = triage_notes.strip()
        incident.triaged_by, incident.triaged_at = actor, now
        incident.status = IncidentStatus.INVESTIGATING
        incident.version += 1
        incident.save()
        refs = sorted(h.reference for h in linked.values())
        record_event(
            EventType.INCIDENT_TRIAGED,
            actor=actor,
            subject=incident,
            organisation=product.organisation,
            data={
                "actual_harm": actual_harm,
                "finding": finding,
                "hazards": refs,
                "failed_controls": [c.reference for c in failed_controls],
                "reassessment_required": reassessment_required,
                "external_report_required": external_report_required,
            },
            reason=incident.triage_notes,
        )
        # Each hazard's own history shows the incident that realised it.
        for hazard in linked.values():
            record_event(
                EventType.INCIDENT_TRIAGED,
                actor=actor,
                subject=hazard,
                organisation=product.organisation,
                data={"incident": incident.reference, "hazard": hazard.reference},
            )
    return incident


def new_hazard(title: str, description: str) -> dict[str, str] | None:
    """The new hazard triage raises, from its title and (optional) description."""
    title = title.strip()
    return {"title": title, "description": description.strip() or title} if title else None


def _hazards_of(controls: list[Control]) -> list[Hazard]:
    return list(Hazard.objects.filter(controls__in=controls).in_log().distinct())


def record_external_report(
    *,
    actor: Actor,
    incident: Incident,
    version: int | None,
    external_reference: str,
    externally_reported_on: date,
) -> Incident:
    """Record the reference the external body gave the report."""
    actor = require(actor, Action.TRIAGE_INCIDENT, incident.product.organisation)
    external_reference = external_reference.strip()
    errors: dict[str, Any] = {}
    if not external_reference:
        errors["external_reference"] = "Give the reference the external body gave the report."
    if externally_reported_on > timezone.localdate():
        errors["externally_reported_on"] = "The date it was reported cannot be in the future."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = lock_for_edit(incident, version)
        if not incident.external_report_required:
            raise ValidationError(
                {"__all__": f"Triage did not find that {incident.reference} must be reported."}
            )
        incident.external_reference = external_reference
        incident.externally_reported_on = externally_reported_on
        incident.version += 1
        incident.save()
        record_event(
            EventType.INCIDENT_REPORTED_EXTERNALLY,
            actor=actor,
            subject=incident,
            organisation=incident.product.organisation,
            data={
                "body": incident.external_body,
                "reference": external_reference,
                "reported_on": externally_reported_on,
            },
        )
    return incident


# --- investigation and actions -----------------------------------------------------------


def record_investigation(
    *, actor: Actor, incident: Incident, version: int | None, **changes: Any
) -> Incident:
    """Record the root cause, contributory factors, findings and learning so far."""
    actor = require(actor, Action.INVESTIGATE_INCIDENT, incident.product.organisation)
    unknown = set(changes) - set(INVESTIGATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown investigation fields: {sorted(unknown)}.")
    with transaction.atomic():
        incident = lock_for_edit(incident, version)
        _refuse_unless_investigating(incident)
        diff = apply_changes(incident, changes)
        if not diff:
            return incident
        incident.version += 1
        incident.save()
        record_event(
            EventType.INCIDENT_INVESTIGATED,
            actor=actor,
            subject=incident,
            organisation=incident.product.organisation,
            data={"changes": diff},
        )
    return incident


def add_action(
    *,
    actor: Actor,
    incident: Incident,
    kind: str,
    description: str,
    owner: User,
    due_on: date,
) -> CorrectiveAction:
    """Give a corrective or preventive action to an owner, due on a date."""
    product = incident.product
    actor = require(actor, Action.INVESTIGATE_INCIDENT, product.organisation)
    action = CorrectiveAction(
        incident=incident, kind=kind, description=description.strip(), owner=owner, due_on=due_on
    )
    errors: dict[str, Any] = {}
    if due_on < timezone.localdate():
        errors["due_on"] = "The due date cannot be in the past."
    if not Membership.objects.filter(user=owner, organisation=product.organisation_id).exists():
        errors["owner"] = f"The owner must be a member of {product.organisation.name}."
    validate(action, errors)
    with transaction.atomic():
        _refuse_unless_investigating(Incident.objects.select_for_update().get(pk=incident.pk))
        action.save()
        record_event(
            EventType.INCIDENT_ACTION_ADDED,
            actor=actor,
            subject=incident,
            organisation=product.organisation,
            data={
                "action": action.pk,
                "kind": kind,
                "description": action.description,
                "owner": owner.get_username(),
                "due_on": due_on,
            },
        )
        notify(
            [owner],
            subject=f"An action on incident {incident.reference} is yours",
            message=f"{action.get_kind_display()} action on {incident}, due {long_date(due_on)}: "
            f"{action.description}",
            link=incident_link(incident),
        )
    return action


def complete_action(*, actor: Actor, action: CorrectiveAction, outcome: str) -> CorrectiveAction:
    """Record an action done, with what was done."""
    incident = action.incident
    actor = require(actor, Action.INVESTIGATE_INCIDENT, incident.product.organisation)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": "Say what was done."})
    with transaction.atomic():
        action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
        if action.done_at is not None:
            raise ValidationError({"__all__": "This action is already done."})
        action.done_at, action.done_by, action.outcome = timezone.now(), actor, outcome
        action.save()
        record_event(
            EventType.INCIDENT_ACTION_DONE,
            actor=actor,
            subject=incident,
            organisation=incident.product.organisation,
            data={"action": action.pk, "description": action.description},
            reason=outcome,
        )
    return action


def close_incident(*, actor: Actor, incident: Incident, version: int | None) -> Incident:
    """Close an investigated incident: it needs its findings and learning, and the external
    reference if it had to be reported."""
    actor = require(actor, Action.CLOSE_INCIDENT, incident.product.organisation)
    with transaction.atomic():
        incident = lock_for_edit(incident, version)
        _refuse_unless_investigating(incident)
        errors = {
            field: f"Record the {label} before closing the incident."
            for field, label in (("findings", "findings"), ("learning", "learning"))
            if not getattr(incident, field).strip()
        }
        if incident.external_report_required and not incident.external_reference:
            errors["external_reference"] = (
                "It must be reported externally: record the external reference first."
            )
        if errors:
            raise ValidationError(errors)
        incident.status = IncidentStatus.CLOSED
        incident.closed_by, incident.closed_at = actor, timezone.now()
        incident.version += 1
        incident.save()
        record_event(
            EventType.INCIDENT_CLOSED,
            actor=actor,
            subject=incident,
            organisation=incident.product.organisation,
            data={"findings": incident.findings, "learning": incident.learning},
        )
    return incident


# --- reading -----------------------------------------------------------------------------


def overdue_actions(products: QuerySet[Product]) -> QuerySet[CorrectiveAction]:
    return (
        CorrectiveAction.objects.filter(
            incident__product__in=products, done_at__isnull=True, due_on__lt=timezone.localdate()
        )
        .select_related("incident__product", "owner")
        .order_by("due_on", "id")
    )


def incident_link(incident: Incident) -> str:
    return reverse("incident-detail", args=[incident.product.slug, incident.number])


def _refuse_unless_investigating(incident: Incident) -> None:
    if incident.status == IncidentStatus.REPORTED:
        raise ValidationError({"__all__": f"Triage {incident.reference} first."})
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError({"__all__": f"{incident.reference} is closed."})
