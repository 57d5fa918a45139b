"""The hazard log as a spreadsheet (XLSX with a Controls sheet, or CSV) and as JSON.

Columns follow the NHS hazard log template people know, one row per hazard; controls and
estimates are readable in their cells. Text Excel would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from clinsafe.reports.log_file import (
    CONTINUED,
    CONTINUED_HEADERS,
    CONTINUED_SHEET,
    EXCEL_CELL_LIMIT,
    FORMULA_STARTS,
    control_line,
)
from clinsafe.reports.records import ControlRow, Estimate, HazardRow, LogRecords
from clinsafe.risk import NHS_EXAMPLE_SCHEME, Likelihood, Severity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
JSON = "application/json"

HAZARD_COLUMNS = (
    "Hazard No.", "File Reference", "Date Added", "Hazard Name", "Hazard Description",
    "Effect", "Harm", "Possible Causes", "Clinical Context", "Initial Severity",
    "Initial Likelihood", "Initial Risk", "Initial Justification", "Initial Rating Flag",
    "Controls", "Residual Severity", "Residual Likelihood", "Residual Risk",
    "Residual Justification", "Residual Rating Flag", "Owner", "Status", "Status Reason",
    "Acceptance",
)  # fmt: skip
CONTROL_COLUMNS = ("Control No.", "File Reference", "Hazard No.", "Control Type", "Origin",
                   "Description", "Status", "Evidence", "Evidence Link", "Owner")  # fmt: skip
RATED_COLUMNS = frozenset({"Initial Risk", "Residual Risk"})
# Columns of long text are wide; the rest fit a reference, a word or a date.
WIDE_COLUMNS = frozenset({
    "Hazard Description", "Effect", "Harm", "Possible Causes", "Clinical Context",
    "Initial Justification", "Controls", "Residual Justification", "Status Reason",
    "Acceptance", "Description", "Evidence", "Initial Rating Flag", "Residual Rating Flag",
})  # fmt: skip
# The NHS hazard log template's colours for each rating (its Risk Matrix sheet).
RATING_FILLS = {1: "9EFEB5", 2: "FFFF66", 3: "FABF8F", 4: "D99594", 5: "E36C0A"}
MATRIX_SHEET = "Risk Matrix"

Cell = str | int | date
Row = list[Cell]
Rows = Sequence[Sequence[Cell]]  # what a caller gives: rows of text alone will do


def neutralise(text: str) -> str:
    """Text as a spreadsheet shows it, never runs it: a leading apostrophe before =, +, -,
    @, tab or carriage return (OWASP's advice for CSV injection)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _estimate(estimate: Estimate | None) -> Row:
    if estimate is None:
        return ["", "", "", "", ""]
    return [estimate.severity.label, estimate.likelihood.label, estimate.rating,
            estimate.rationale, estimate.flag]  # fmt: skip


def hazard_row(hazard: HazardRow) -> Row:
    initial, residual = _estimate(hazard.initial), _estimate(hazard.residual)
    return [
        hazard.reference,
        hazard.file_reference,
        hazard.raised_on.date(),
        hazard.title,
        hazard.description,
        "\n\n".join(hazard.effects),
        hazard.harm,
        "\n\n".join(hazard.causes),
        hazard.clinical_context,
        *initial,
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
        *residual,
        hazard.owner,
        hazard.status_label,
        hazard.status_reason,
        hazard.acceptance.words if hazard.acceptance else "",
    ]


def control_row(control: ControlRow) -> Row:
    return [control.reference, control.file_reference, ", ".join(control.hazards),
            control.kind_label, control.origin, control.description, control.status,
            control.verification_evidence, control.verification_link, control.owner]  # fmt: skip


def to_xlsx(records: LogRecords) -> bytes:
    """The hazard log as Excel users expect it: ratings as numbers coloured as the NHS
    template colours them, dates as dates, the header frozen and filtered, a Controls sheet
    whose hazard numbers link to their rows, and the risk matrix the ratings come from."""
    hazards = [hazard_row(h) for h in records.hazards]
    row_of = {h.reference: number for number, h in enumerate(records.hazards, start=2)}
    links = {
        (number, CONTROL_COLUMNS.index("Hazard No.") + 1): f"'Hazard Log'!A{row_of[c.hazards[0]]}"
        for number, c in enumerate(records.controls, start=2)
        if c.hazards and c.hazards[0] in row_of
    }
    return workbook(
        ("Hazard Log", HAZARD_COLUMNS, hazards),
        ("Controls", CONTROL_COLUMNS, [control_row(c) for c in records.controls]),
        links={"Controls": links},
        matrix=True,
    )


Sheet = tuple[str, tuple[str, ...], Rows]  # title, headers, rows


def workbook(
    *sheets: Sheet, links: dict[str, dict[tuple[int, int], str]] | None = None,
    matrix: bool = False,
) -> bytes:  # fmt: skip
    """An XLSX file, one sheet per (title, headers, rows): text as text (never a formula),
    numbers and dates as themselves. A text longer than Excel holds in a cell ends there
    with a note and goes on over the Continued sheet. ``links`` are hyperlinks within the
    workbook by sheet and (row, column); ``matrix`` adds the Risk Matrix sheet."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    continued: list[Row] = []
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title)
        _fill(sheet, headers, _cut_long(title, rows, continued))
        for (row, column), target in (links or {}).get(title, {}).items():
            cell = sheet.cell(row, column)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=target)
            cell.font = Font(color="005EB8", underline="single")
    if continued:
        _fill(book.create_sheet(CONTINUED_SHEET), CONTINUED_HEADERS, continued)
    if matrix:
        _risk_matrix(book.create_sheet(MATRIX_SHEET))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cut_long(title: str, rows: Rows, continued: list[Row]) -> list[Row]:
    """The rows with every text Excel cannot hold in one cell cut, its rest added to
    ``continued`` as (sheet, cell, part, text) rows."""
    out = []
    for number, row in enumerate(rows, start=2):
        cells: Row = []
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(neutralise(value)) > EXCEL_CELL_LIMIT:
                head, *rest = _pieces(value, EXCEL_CELL_LIMIT - len(CONTINUED))
                address = f"{get_column_letter(column)}{number}"
                continued += [[title, address, str(i), p] for i, p in enumerate(rest, 2)]
                value = head + CONTINUED
            cells.append(value)
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


HEADER_FILL = PatternFill("solid", fgColor="005EB8")
WRAP = Alignment(wrap_text=True, vertical="top")


def _fill(sheet: Any, headers: tuple[str, ...], rows: Rows) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    rated = {i for i, h in enumerate(headers, start=1) if h in RATED_COLUMNS}
    for values in rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment = WRAP
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, so nothing is read as a number or formula
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            elif cell.column in rated and cell.value in RATING_FILLS:
                cell.fill = PatternFill("solid", fgColor=RATING_FILLS[cell.value])
                cell.alignment = Alignment(horizontal="center", vertical="top")
    for column, header in enumerate(headers, start=1):
        width = 45 if header in WIDE_COLUMNS else 30 if header == "Hazard Name" else 14
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions


def _risk_matrix(sheet: Any) -> None:
    """The matrix every rating of the log is computed on, coloured as the NHS template
    colours it, with what each rating means."""
    sheet.append(["Likelihood \\ Severity", *(s.label for s in Severity)])
    for likelihood in sorted(Likelihood, reverse=True):
        sheet.append([likelihood.label,
                      *(NHS_EXAMPLE_SCHEME.rating(s, likelihood) for s in Severity)])  # fmt: skip
    sheet.append([])
    sheet.append(["Rating", "Acceptability", "Meaning"])
    for rating in NHS_EXAMPLE_SCHEME.ratings:
        meaning = NHS_EXAMPLE_SCHEME.acceptability(rating)
        sheet.append([rating, meaning.word, meaning.meaning])
    for row in sheet.iter_rows():
        for cell in row:
            if cell.row in (1, 8) or (cell.column == 1 and cell.row <= 6):
                cell.font = Font(bold=True)
            if (
                isinstance(cell.value, int)
                and cell.value in RATING_FILLS
                and (cell.row <= 6 or cell.column == 1)
            ):
                cell.fill = PatternFill("solid", fgColor=RATING_FILLS[cell.value])
                cell.alignment = Alignment(horizontal="center")
    sheet.column_dimensions["A"].width = 22
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 16


def to_csv(records: LogRecords) -> bytes:
    return csv_table(HAZARD_COLUMNS, [hazard_row(h) for h in records.hazards])


def csv_table(headers: tuple[str, ...], rows: Rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else str(v) for v in row])
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
