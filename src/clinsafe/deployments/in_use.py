"""A deployment's life after go-live: in-use reviews on a schedule, each with its issued
report; incidents at the deployment forwarded to the supplier's log; decommissioning with
its final report."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.deployments.documents import decommissioning_report, in_use_review_report
from clinsafe.deployments.models import Deployment, InUseReview
from clinsafe.deployments.records import go_live
from clinsafe.deployments.services import local_cso
from clinsafe.incidents.models import Incident
from clinsafe.incidents.services import report_incident, reportable_products
from clinsafe.products.models import LifecycleStatus, decommissioning_gaps
from clinsafe.products.services import edit_product
from clinsafe.reports.issuing import keep_issued
from clinsafe.reports.models import DocumentKind


def record_in_use_review(
    *, actor: Actor, deployment: Deployment, held_on: date | None, findings: str,
    continue_use: bool,
) -> InUseReview:  # fmt: skip
    """The local CSO records a review of the deployment in use; its report is issued."""
    user = local_cso(actor, Action.RECORD_IN_USE_REVIEW, deployment)
    went_live = go_live(deployment)
    errors = {}
    if went_live is None:
        errors["__all__"] = f"{deployment} has not gone live: there is no use to review yet."
    if held_on is None:
        errors["held_on"] = "Give the date the review was held."
    elif held_on > timezone.localdate():
        errors["held_on"] = "The review date cannot be in the future."
    elif went_live and held_on < timezone.localtime(went_live.released_at).date():
        errors["held_on"] = "The review date cannot be before go-live."
    if not findings.strip():
        errors["findings"] = "Write what the review found."
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    with transaction.atomic():
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        report = keep_issued(
            user,
            deployment.record,
            DocumentKind.IN_USE_REVIEW,
            lambda status: in_use_review_report(
                deployment, held_on, findings.strip(), continue_use, status
            ),
            subject=deployment,
        )
        review = InUseReview.objects.create(
            deployment=deployment,
            held_on=held_on,
            findings=findings.strip(),
            continue_use=continue_use,
            report=report,
            recorded_by=user,
        )
        record_event(
            EventType.IN_USE_REVIEWED,
            actor=user,
            subject=deployment,
            organisation=deployment.organisation,
            data={
                "held_on": held_on,
                "findings": review.findings,
                "continue_use": continue_use,
                "report_sha256": report.sha256,
            },
        )
    return review


def forward_incident(*, actor: Actor, deployment: Deployment, incident: Incident) -> Incident:
    """Send an incident at the deployment to the supplier's incident log (where the supplier
    keeps it in clinsafe), linked both ways. Returns the supplier's incident."""
    user = require(actor, Action.FORWARD_INCIDENT, deployment.organisation)
    if incident.product_id != deployment.record_id:
        raise ValidationError(
            {"incident": f"{incident.reference} is not an incident at {deployment}."}
        )
    if incident.forwarded_to_id is not None:
        raise ValidationError({"incident": f"{incident.reference} is already forwarded."})
    bundle = deployment.bundle
    supplier = reportable_products(user).filter(pk__in=[bundle.supplier_product_id]).first()
    if supplier is None:
        raise ValidationError(
            {"incident": f"{bundle.supplier_name} does not keep its incident log here: report "
             f"{incident.reference} to them by the route in their safety case."}
        )  # fmt: skip
    with transaction.atomic():
        forwarded = report_incident(
            actor=user,
            product=supplier,
            release=supplier.releases.filter(version=bundle.release_version).first(),
            title=incident.title,
            description=incident.description,
            detail=f"Forwarded by {deployment.organisation.name} from its incident "
            f"{incident.reference} at {deployment.site}."
            + (f"\n\n{incident.detail}" if incident.detail else ""),
            occurred_on=incident.occurred_on,
            reported_on=timezone.localdate(),
            patient_affected=incident.patient_affected,
            reported_harm=incident.actual_harm or incident.reported_harm,
            deployment=(incident.deployment or deployment.site)[:200],
        )
        Incident.objects.filter(pk=incident.pk).update(forwarded_to=forwarded)
        record_event(
            EventType.INCIDENT_FORWARDED,
            actor=user,
            subject=incident,
            organisation=deployment.organisation,
            data={
                "reference": incident.reference,
                "supplier": bundle.supplier_name,
                "supplier_reference": forwarded.reference,
            },
        )
    return forwarded


def decommission_deployment(
    *, actor: Actor, deployment: Deployment, decommissioned_on: date | None, successor: str,
    data_migration: str, historic_access: str,
) -> Deployment:  # fmt: skip
    """Retire the deployment: the succeeding system, data migration and retention and access
    to historic records are recorded, and the final report issued. The local CSO must first
    have assessed a decommissioning change naming the hazards of each."""
    user = local_cso(actor, Action.DECOMMISSION_DEPLOYMENT, deployment)
    errors = {}
    for field, value, words in (
        ("successor", successor, "the succeeding system, or that there is none"),
        ("data_migration", data_migration, "how data is migrated and retained"),
        ("historic_access", historic_access, "how historic records stay accessible"),
    ):
        if not value.strip():
            errors[field] = f"Say {words}."
    if decommissioned_on is None:
        errors["decommissioned_on"] = "Give the date the deployment is decommissioned."
    gaps = decommissioning_gaps(deployment.record)
    if gaps:
        errors["__all__"] = (
            "First the local CSO assesses a decommissioning change naming the hazards of: "
            + ", ".join(g.lower() for g in gaps)
            + "."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        deployment.decommissioned_on = decommissioned_on
        deployment.successor = successor.strip()
        deployment.data_migration = data_migration.strip()
        deployment.historic_access = historic_access.strip()
        record = deployment.record = edit_product(
            actor=user,
            product=deployment.record,
            version=deployment.record.version,
            lifecycle_status=LifecycleStatus.DECOMMISSIONED,
        )
        deployment.final_report = keep_issued(
            user,
            record,
            DocumentKind.DECOMMISSIONING,
            lambda status: decommissioning_report(deployment, status),
            subject=deployment,
        )
        deployment.version += 1
        deployment.save()
        record_event(
            EventType.DEPLOYMENT_DECOMMISSIONED,
            actor=user,
            subject=deployment,
            organisation=deployment.organisation,
            data={
                "decommissioned_on": decommissioned_on,
                "successor": deployment.successor,
                "data_migration": deployment.data_migration,
                "historic_access": deployment.historic_access,
                "final_report_sha256": deployment.final_report.sha256,
            },
        )
    return deployment
