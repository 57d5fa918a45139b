"""The safety incident log as a spreadsheet: XLSX with an Actions sheet, or CSV."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from clinsafe.core.formats import person_name
from clinsafe.hazards.models import Control, Hazard
from clinsafe.incidents.models import CorrectiveAction, Incident
from clinsafe.reports.spreadsheet import csv_table, workbook

INCIDENT_COLUMNS = (
    "Incident No.", "Product", "Release", "Title", "What Happened", "Occurred On",
    "Reported On", "Reported By", "Reporting Organisation", "Where", "Patient Affected",
    "Reported Harm", "Actual Harm", "Status", "Finding", "Hazards", "Failed Controls",
    "External Report", "Root Cause", "Contributory Factors", "Findings", "Learning",
    "Closed On",
)  # fmt: skip
ACTION_COLUMNS = ("Incident No.", "Kind", "Action", "Owner", "Due On", "Done On", "Outcome")


def for_export(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    return incidents.select_related("product", "release", "reported_by",
                                    "reporting_organisation").prefetch_related(
        Prefetch("hazards", queryset=Hazard.objects.order_by("number")),
        Prefetch("failed_controls", queryset=Control.objects.order_by("number")),
        Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner")),
    )  # fmt: skip


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "Yes" if value else "No"


def incident_row(i: Incident) -> list[str]:
    external = ""
    if i.external_report_required:
        external = f"{i.get_external_body_display()} {i.external_reference or '(not yet)'}"
    return [
        i.reference, i.product.name, i.release.version if i.release else "", i.title,
        i.description, i.occurred_on.isoformat(), i.reported_on.isoformat(),
        person_name(i.reported_by), i.reporting_organisation.name, i.deployment,
        _yes_no(i.patient_affected), i.get_reported_harm_display(),
        i.get_actual_harm_display() if i.actual_harm else "", i.get_status_display(),
        i.get_finding_display() if i.finding else "",
        ", ".join(h.reference for h in i.hazards.all()),
        ", ".join(c.reference for c in i.failed_controls.all()), external, i.root_cause,
        "\n".join(i.contributory_factors), i.findings, i.learning,
        i.closed_at.date().isoformat() if i.closed_at else "",
    ]  # fmt: skip


def action_rows(incidents: Iterable[Incident]) -> list[list[str]]:
    return [
        [i.reference, a.get_kind_display(), a.description, person_name(a.owner),
         a.due_on.isoformat(), a.done_at.date().isoformat() if a.done_at else "", a.outcome]
        for i in incidents
        for a in i.actions.all()
    ]  # fmt: skip


def to_xlsx(incidents: QuerySet[Incident]) -> bytes:
    rows = list(for_export(incidents))
    return workbook(
        ("Incident Log", INCIDENT_COLUMNS, [incident_row(i) for i in rows]),
        ("Actions", ACTION_COLUMNS, action_rows(rows)),
    )


def to_csv(incidents: QuerySet[Incident]) -> bytes:
    return csv_table(INCIDENT_COLUMNS, [incident_row(i) for i in for_export(incidents)])
