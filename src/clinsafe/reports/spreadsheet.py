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
from openpyxl.utils import get_column_letter

from clinsafe.reports.log_file import (
    CONTINUED,
    CONTINUED_HEADERS,
    CONTINUED_SHEET,
    EXCEL_CELL_LIMIT,
    FORMULA_STARTS,
    control_line,
)
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
    """An XLSX file of text cells, one sheet per (title, headers, rows). A text longer than
    Excel holds in a cell ends there with a note and goes on over the Continued sheet."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    continued: list[list[str]] = []
    for title, headers, rows in sheets:
        _fill(book.create_sheet(title), headers, _cut_long(title, rows, continued))
    if continued:
        _fill(book.create_sheet(CONTINUED_SHEET), CONTINUED_HEADERS, continued)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cut_long(title: str, rows: list[list[str]], continued: list[list[str]]) -> list[list[str]]:
    """The rows with every text Excel cannot hold in one cell cut, its rest added to
    ``continued`` as (sheet, cell, part, text) rows."""
    out = []
    for number, row in enumerate(rows, start=2):
        cells = []
        for column, text in enumerate(row, start=1):
            if len(neutralise(text)) > EXCEL_CELL_LIMIT:
                head, *rest = _pieces(text, EXCEL_CELL_LIMIT - len(CONTINUED))
                address = f"{get_column_letter(column)}{number}"
                continued += [[title, address, str(i), p] for i, p in enumerate(rest, 2)]
                text = head + CONTINUED
            cells.append(text)
        out.append(cells)
    return out


def _pieces(text: str, first: int) -> list[str]:
    """``text`` in pieces that fit a cell (the first ``first`` long at most), each cut
    between two characters that are not spaces, as the reader strips every cell."""
    pieces, limit = [], first - 1  # room for neutralise's apostrophe
    while len(text) > limit:
        cut = limit
        while cut > limit // 2 and (text[cut - 1].isspace() or text[cut].isspace()):
            cut -= 1
        pieces.append(text[:cut])
        text, limit = text[cut:], EXCEL_CELL_LIMIT - 1
    return [*pieces, text]


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
