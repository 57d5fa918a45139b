"""The hazard log as a spreadsheet (XLSX with a Controls sheet, or CSV) and as JSON.

Columns follow the NHS hazard log template people know, one row per hazard; controls and
estimates are readable in their cells. Text Excel would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from clinsafe.reports.log_file import FORMULA_STARTS, control_line
from clinsafe.reports.records import ControlRow, Estimate, HazardRow, LogRecords

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
JSON = "application/json"

HAZARD_COLUMNS = (
    "Hazard No.", "Date Added", "Hazard Name", "Hazard Description", "Effect", "Harm",
    "Possible Causes", "Clinical Context", "Initial Severity", "Initial Likelihood",
    "Initial Risk", "Initial Justification", "Controls", "Residual Severity",
    "Residual Likelihood", "Residual Risk", "Residual Justification", "Owner", "Status",
    "Status Reason", "Acceptance",
)  # fmt: skip
CONTROL_COLUMNS = ("Control No.", "Hazard No.", "Control Type", "Origin", "Description",
                   "Status", "Evidence", "Evidence Link", "Owner")  # fmt: skip


def neutralise(text: str) -> str:
    """Text as a spreadsheet shows it, never runs it: a leading apostrophe before =, +, -,
    @, tab or carriage return (OWASP's advice for CSV injection)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _estimate(estimate: Estimate | None) -> list[str]:
    if estimate is None:
        return ["", "", "", ""]
    return [estimate.severity.label, estimate.likelihood.label, str(estimate.rating),
            estimate.rationale]  # fmt: skip


def hazard_row(hazard: HazardRow) -> list[str]:
    return [
        hazard.reference,
        hazard.raised_on.date().isoformat(),
        hazard.title,
        hazard.description,
        "\n\n".join(hazard.effects),
        hazard.harm,
        "\n\n".join(hazard.causes),
        hazard.clinical_context,
        *_estimate(hazard.initial),
        "\n".join(
            control_line(
                c.reference,
                c.kind_label,
                c.origin,
                c.status,
                c.verification_evidence or c.verification_link,
                c.description,
            )
            for c in hazard.controls
        ),
        *_estimate(hazard.residual),
        hazard.owner,
        hazard.status_label,
        hazard.status_reason,
        hazard.acceptance.words if hazard.acceptance else "",
    ]


def control_row(control: ControlRow) -> list[str]:
    return [control.reference, ", ".join(control.hazards), control.kind_label, control.origin,
            control.description, control.status, control.verification_evidence,
            control.verification_link, control.owner]  # fmt: skip


def to_xlsx(records: LogRecords) -> bytes:
    return workbook(
        ("Hazard Log", HAZARD_COLUMNS, [hazard_row(h) for h in records.hazards]),
        ("Controls", CONTROL_COLUMNS, [control_row(c) for c in records.controls]),
    )


Sheet = tuple[str, tuple[str, ...], list[list[str]]]  # title, headers, rows


def workbook(*sheets: Sheet) -> bytes:
    """An XLSX file of text cells, one sheet per (title, headers, rows)."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for title, headers, rows in sheets:
        _fill(book.create_sheet(title), headers, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Any, headers: tuple[str, ...], rows: list[list[str]]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="005EB8")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        # Written as text, so nothing is read as a number, date or formula.
        sheet.append([neutralise(value) for value in row])
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = 18 if len(column[0].value or "") < 14 else 28
        for cell in column[1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.data_type = "s"
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions


def to_csv(records: LogRecords) -> bytes:
    return csv_table(HAZARD_COLUMNS, [hazard_row(h) for h in records.hazards])


def csv_table(headers: tuple[str, ...], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    # A byte-order mark, so Excel reads the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode()


def to_json(records: LogRecords) -> bytes:
    return json.dumps(as_data(records), indent=2, ensure_ascii=False).encode()


def as_data(records: LogRecords) -> dict[str, Any]:
    """The hazard log as JSON values: the export, and the supplier bundle's hazard log."""

    def estimate(e: Estimate | None) -> dict[str, Any] | None:
        return None if e is None else {
            "severity": e.severity.label, "likelihood": e.likelihood.label,
            "rating": e.rating, "rationale": e.rationale,
        }  # fmt: skip

    return {
        "product": records.product.slug,
        "hazards": [
            {
                "reference": h.reference,
                "title": h.title,
                "description": h.description,
                "causes": h.causes,
                "effects": h.effects,
                "harm": h.harm,
                "clinical_context": h.clinical_context,
                "status": h.status,
                "status_reason": h.status_reason,
                "owner": h.owner,
                "initial": estimate(h.initial),
                "residual": estimate(h.residual),
                "controls": [c.reference for c in h.controls],
                "acceptance": None
                if h.acceptance is None
                else {
                    "signer": h.acceptance.signer,
                    "role": h.acceptance.role,
                    "signed_at": h.acceptance.signed_at.isoformat(),
                    "rating": h.acceptance.rating,
                    "rationale": h.acceptance.rationale,
                    "current": h.acceptance.current,
                },
            }
            for h in records.hazards
        ],
        "controls": [
            {
                "reference": c.reference,
                "description": c.description,
                "kind": c.kind,
                "origin": c.origin,
                "status": c.status,
                "verification_evidence": c.verification_evidence,
                "verification_link": c.verification_link,
                "owner": c.owner,
                "hazards": c.hazards,
                "transferred_to_deploying_organisation": c.transferred,
            }
            for c in records.controls
        ],
    }
