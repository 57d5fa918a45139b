"""A deployment's documents: its part of the deployment Safety Case Report, the in-use
review report and the final decommissioning report, built from the records."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from clinsafe.core.formats import long_date, person_name
from clinsafe.deployments.models import Deployment
from clinsafe.deployments.records import (
    assurance_checks,
    go_live,
    latest_review,
    residual_risks,
    risk_acceptance,
    transfers,
)
from clinsafe.incidents.models import Incident, IncidentStatus
from clinsafe.products.models import ChangeKind
from clinsafe.reports.document import Document, Paragraph, Section, Table
from clinsafe.reports.models import DocumentKind


def purpose(deployment: Deployment) -> str:
    bundle = deployment.bundle
    return (
        f"This report presents the clinical safety case for the deployment of "
        f"{bundle.product_name} {bundle.release_version}, made by {bundle.supplier_name}, at "
        f"{deployment.site}, made by {deployment.organisation.name} under DCB0160. It rests on "
        "the supplier's safety case and hazard log, reviewed below, and sets out the local "
        "hazards, the decisions on the controls the supplier transferred, and the residual "
        "risks the organisation's accountable executive accepts."
    )


def deployment_sections(deployment: Deployment) -> list[Section]:
    return [
        _deployment_record(deployment),
        _assurance(deployment),
        _transfers(deployment),
        _residual_risks(deployment),
    ]


def _deployment_record(deployment: Deployment) -> Section:
    record, bundle = deployment.record, deployment.bundle
    return Section(
        "The deployment",
        [
            Paragraph(deployment.site, label="Site or service:"),
            Paragraph(record.intended_use, label="Local clinical scope and intended use:"),
            Paragraph(record.intended_users, label="User groups:"),
            Paragraph(deployment.operating_environment, label="Operating environment:"),
            Paragraph(f"{long_date(deployment.go_live_on)}", label="Planned go-live:"),
            Paragraph(
                f"{bundle.supplier_name}'s bundle of {bundle.product_name} "
                f"{bundle.release_version}, received {long_date(bundle.imported_at)}, SHA-256 "
                f"{bundle.sha256}.",
                label="Supplier evidence:",
            ),
        ],
    )


def _assurance(deployment: Deployment) -> Section:
    review = latest_review(deployment)
    return Section(
        "Supplier assurance",
        [
            Table(
                ("Check", "Result", "Detail"),
                tuple(
                    (c.title, "Passed" if c.passed else "Not met", c.detail)
                    for c in assurance_checks(deployment.bundle)
                ),
            ),
            Paragraph(
                f"{review.get_conclusion_display()}. {review.comment} ({review.reviewer_name}, "
                f"{long_date(review.reviewed_at)})"
                if review
                else "The local CSO has not reviewed the supplier's evidence for this version.",
                label="Local CSO's review:",
            ),
        ],
    )


def _transfers(deployment: Deployment) -> Section:
    rows = []
    for t in transfers(deployment):
        d = t.decision
        said = (d.implementation or d.reasons) if d else ""
        local = d.local_hazard.reference if d and d.local_hazard else ""
        rows.append(
            (deployment.bundle.reference(t.reference), t.control["description"], t.state, said,
             local)
        )  # fmt: skip
    return Section(
        "Controls transferred by the supplier",
        [
            Table(
                (
                    "Control",
                    "What the supplier asks",
                    "Decision",
                    "How, or why not",
                    "Local hazard",
                ),
                tuple(rows),
                empty="The supplier transferred no control to the deploying organisation.",
            )
        ],
    )


def _residual_risks(deployment: Deployment) -> Section:
    state = risk_acceptance(deployment)
    if state.acceptance is None:
        accepted = "Not yet accepted by the accountable executive."
    else:
        a = state.acceptance
        accepted = (
            f"{a.statement} ({person_name(a.signer)}, {a.signer_role}, {long_date(a.signed_at)})"
        )
        if not state.current:
            accepted += " This acceptance is stale: the list changed since."
    return Section(
        "Residual risks accepted by the organisation",
        [
            Table(
                ("Source", "Hazard", "Title", "Rating"),
                tuple(
                    (
                        "Local" if r["source"] == "local" else "Supplier",
                        r["reference"]
                        if r["source"] == "local"
                        else deployment.bundle.reference(r["reference"]),
                        r["title"],
                        str(r["rating"] or "Not assessed"),
                    )
                    for r in residual_risks(deployment)
                ),
            ),
            Paragraph(accepted, label="Acceptance:"),
        ],
    )


def in_use_review_report(
    deployment: Deployment, held_on: date, findings: str, continue_use: bool, status: str
) -> Document:
    record = deployment.record
    went_live = go_live(deployment)
    since = went_live.released_at if went_live else None
    incidents = Incident.objects.filter(product=record).order_by("number")
    if since is not None:
        incidents = incidents.filter(reported_on__gte=timezone.localtime(since).date())
    doc = Document(
        kind=DocumentKind.IN_USE_REVIEW,
        title="In-use Safety Review Report",
        product=record.name,
        version=f"{held_on:%Y-%m-%d}",
        date=timezone.localdate(),
        status=status,
    )
    doc.section(
        "Purpose",
        Paragraph(
            f"The scheduled review of {deployment} in use, held on {long_date(held_on)}, under "
            f"DCB0160. Reviews are held every {deployment.review_interval_months} months."
        ),
    )
    doc.sections.append(_deployment_record(deployment))
    doc.section("Findings", Paragraph(findings))
    doc.section(
        "Incidents at the deployment since go-live",
        Table(
            ("Incident", "Title", "Harm", "Status", "Forwarded to the supplier"),
            tuple(
                (
                    i.reference,
                    i.title,
                    i.get_harm_display(),
                    i.get_status_display(),
                    "Yes" if i.forwarded_to_id else "No",
                )
                for i in incidents
            ),
            empty="No incident has been reported at the deployment.",
        ),
    )
    doc.sections.append(_transfers(deployment))
    doc.sections.append(_residual_risks(deployment))
    doc.section(
        "Conclusion",
        Paragraph(
            "The deployment may stay in use."
            if continue_use
            else "The deployment must not stay in use as it is: see the findings."
        ),
    )
    return doc


def decommissioning_report(deployment: Deployment, status: str) -> Document:
    record = deployment.record
    assert deployment.decommissioned_on is not None
    doc = Document(
        kind=DocumentKind.DECOMMISSIONING,
        title="Decommissioning Safety Report",
        product=record.name,
        version="",
        date=timezone.localdate(),
        status=status,
    )
    doc.section(
        "Purpose",
        Paragraph(
            f"The final clinical safety report of {deployment}, decommissioned on "
            f"{long_date(deployment.decommissioned_on)}, under DCB0160."
        ),
    )
    doc.sections.append(_deployment_record(deployment))
    doc.section(
        "Decommissioning",
        Paragraph(deployment.successor, label="Succeeding system:"),
        Paragraph(deployment.data_migration, label="Data migration and retention:"),
        Paragraph(deployment.historic_access, label="Access to historic records:"),
    )
    changes = record.changes.filter(kind=ChangeKind.DECOMMISSIONING, assessed_at__isnull=False)
    doc.section(
        "The CSO's assessment of the decommissioning",
        Table(
            ("Change", "Title", "Conclusion", "Assessed by"),
            tuple(
                (
                    c.reference,
                    c.title,
                    c.conclusion,
                    person_name(c.assessed_by),
                )
                for c in changes.select_related("assessed_by")
            ),
            empty="No decommissioning change is assessed.",
        ),
    )
    doc.section(
        "Incidents still open",
        Table(
            ("Incident", "Title", "Status"),
            tuple(
                (i.reference, i.title, i.get_status_display())
                for i in Incident.objects.filter(product=record).exclude(
                    status=IncidentStatus.CLOSED
                )
            ),
            empty="None: every incident at the deployment is closed.",
        ),
    )
    return doc
