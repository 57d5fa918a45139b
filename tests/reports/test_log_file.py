"""Reading hazard logs from spreadsheets: real published files and untidy ones."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from clinsafe.reports import log_file
from clinsafe.reports.log_file import (
    LogFileError,
    find_layout,
    key_for,
    parse_log,
    read_tables,
)
from clinsafe.risk import Likelihood, Severity
from tests.reports.conftest import GP_CONNECT, TEMPLATE, workbook_bytes


def parse(data: bytes, name: str = "log.xlsx"):
    return parse_log(read_tables(data, name))


def test_the_nhs_template_header_is_found_across_its_four_rows():
    tables = read_tables(TEMPLATE.read_bytes(), TEMPLATE.name)
    table, layout = find_layout(tables)
    keys = dict(zip([c[0] for c in layout.columns], layout.mapping, strict=True))
    assert table.name == "Hazard Log"
    assert layout.header_rows == (2, 4)
    assert keys["D"] == "description" and keys["F"] == "causes" and keys["E"] == "harm"
    assert keys["G"] == "control.design.existing" and keys["H"] == "evidence"
    assert keys["K"] == "control.business_process.existing"
    assert [keys[c] for c in "MNOP"] == [
        "initial.severity",
        "initial.likelihood",
        "initial.rating",
        "initial.rationale",
    ]
    assert [keys[c] for c in "WXYZ"] == [
        "residual.severity",
        "residual.likelihood",
        "residual.rating",
        "residual.rationale",
    ]
    assert keys["AB"] == "status"


def test_the_empty_template_has_no_hazards_and_says_so():
    parsed = parse(TEMPLATE.read_bytes())
    assert parsed.hazards == [] and parsed.problems == []
    assert any("no hazards" in note for note in parsed.notes)


def test_the_gp_connect_log_is_read_whole():
    parsed = parse(GP_CONNECT.read_bytes())
    assert parsed.problems == []
    assert len(parsed.hazards) == 53
    first = parsed.hazards[0]
    assert first.reference == "2" and first.title == "Inconsistencies on the coding of allergies"
    assert first.context == "Structured - Medicines and Allergies"
    assert first.harm.startswith("Patient is prescribed/administered incorrect medication")
    assert first.controls[0].evidence == "Guidance on CodeableConcept"
    # "61\n" is hazard 61; unscored hazards have no estimates.
    assert "61" in [h.reference for h in parsed.hazards]
    assert all(h.initial is None and h.residual is None for h in parsed.hazards)
    # The drop-down list kept below the table is not read as hazards, and the reader says so.
    assert any("Rows 506–517" in note for note in parsed.notes)


def test_a_hazard_over_several_rows_keeps_every_control_and_its_evidence(untidy_log):
    hazard = parse(untidy_log).hazards[0]
    assert hazard.reference == "001" and hazard.rows == [5, 6, 7]
    assert [(c.description, c.kind, c.origin, c.evidence) for c in hazard.controls] == [
        ("Units shown beside every dose", "design", "existing", "Test report TR-1"),
        ("Prescriber training on units", "training", "existing", "Training log"),
        ("Dose range checking", "design", "additional", "Test report TR-2"),
    ]
    assert hazard.effects == ["Dose given ten times too high"]
    assert hazard.description == "Dose shown in the wrong unit"


def test_ratings_are_recomputed_and_a_contradicting_one_is_kept_as_stated(untidy_log):
    allergy = parse(untidy_log).hazards[1]
    assert allergy.initial.severity == Severity.CATASTROPHIC
    assert allergy.initial.likelihood == Likelihood.LOW
    assert allergy.initial.rating == 4 and allergy.initial.stated == "5"
    assert allergy.initial.mismatch
    assert not allergy.residual.mismatch
    assert allergy.residual.severity == Severity.CONSIDERABLE  # changed from the initial


def test_ids_statuses_and_repeated_hazards_are_read_as_people_meant(untidy_log):
    hazards = parse(untidy_log).hazards
    assert [h.reference for h in hazards] == ["001", "2", "3"]
    assert [h.key for h in hazards] == ["1", "2", "3"]
    assert [h.status for h in hazards] == ["open", "closed", "closed"]
    assert hazards[2].rows == [9, 10]
    assert [c.kind for c in hazards[2].controls] == ["business_process"]


def test_every_unreadable_row_is_reported_with_its_row_and_reason():
    rows = [
        {"A": 1, "D": "Dose wrong", "M": "Severe", "N": "Low"},
        {"A": 2, "D": "Alert lost", "M": "Major"},
        {"C": "An effect with no hazard above it"},
    ]
    parsed = parse(workbook_bytes([rows[2], rows[0], rows[1]]))
    problems = {(p.row, p.field) for p in parsed.problems}
    assert (5, "description") in problems
    assert (6, "initial severity") in problems
    assert (7, "initial likelihood") in problems
    severity = next(p for p in parsed.problems if p.row == 6)
    assert (
        "'Severe' is not a severity" in severity.message and "Catastrophic (5)" in severity.message
    )


def test_one_id_with_two_different_hazards_is_a_problem():
    parsed = parse(workbook_bytes([{"A": 4, "D": "Alert lost"}, {"A": "004", "D": "Other"}]))
    assert [(p.row, p.field) for p in parsed.problems] == [(6, "id")]


def test_a_csv_with_semicolons_and_a_byte_order_mark_is_read():
    data = "\ufeffHazard ID;Title;Severity;Likelihood;Risk rating\nH-7;Wrong unit;Major;High;4\n"
    parsed = parse(data.encode(), "log.csv")
    assert parsed.problems == []
    (hazard,) = parsed.hazards
    assert (hazard.reference, hazard.title, hazard.initial.rating) == ("H-7", "Wrong unit", 4)
    assert not hazard.initial.mismatch


def test_a_file_that_is_not_a_spreadsheet_is_refused():
    with pytest.raises(LogFileError, match="not an XLSX workbook or a CSV file"):
        read_tables(b"%PDF-1.7 not a workbook", "log.xlsx")


def test_a_sheet_with_no_hazard_log_header_is_refused():
    with pytest.raises(LogFileError, match="No sheet has a hazard log header"):
        parse(b"Name,Date\nAlice,2026-01-01\n", "people.csv")


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


def test_a_workbook_that_unpacks_beyond_any_hazard_log_is_refused_unread(monkeypatch):
    monkeypatch.setattr(log_file, "MAX_UNPACKED_BYTES", 5_000_000)
    monkeypatch.setattr(log_file, "load_workbook", pytest.fail)  # refused before it is opened
    bomb = _with_member(workbook_bytes([]), "xl/media/padding.bin", bytes(6_000_000))
    assert len(bomb) < 200_000
    with pytest.raises(LogFileError, match=r"unpacks to 6,\d{3},\d{3} bytes"):
        read_tables(bomb, "log.xlsx")


def _sheet(rows: int, *, styled_to: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Hazard ID", "Title", "Severity", "Likelihood"])
    for number in range(1, rows + 1):
        sheet.append([number, f"Hazard {number}", "Major", "Low"])
    for row in range(rows + 2, styled_to + 1):
        sheet.cell(row, 1).font = Font(bold=True)  # formatted, never filled
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_sheet_with_more_rows_than_any_hazard_log_is_refused(monkeypatch):
    monkeypatch.setattr(log_file, "MAX_ROWS", 100)
    assert len(parse(_sheet(99)).hazards) == 99
    with pytest.raises(LogFileError, match="sheet 'Sheet' has more than 100 rows"):
        read_tables(_sheet(100), "log.xlsx")


def test_a_sheet_formatted_far_below_its_log_is_read_as_the_log(monkeypatch):
    monkeypatch.setattr(log_file, "MAX_ROWS", 100)
    data = _sheet(3, styled_to=5000)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 5000  # the workbook does say it is that long
    parsed = parse(data)
    assert [h.title for h in parsed.hazards] == ["Hazard 1", "Hazard 2", "Hazard 3"]
    assert parsed.problems == []


def test_a_csv_cell_longer_than_the_csv_modules_default_limit_is_read_whole():
    description = "The ward view repeats the dose. " * 8000  # 256,000 characters
    data = f"Hazard ID,Title,Description\n1,Dose repeated,{description}\n".encode()
    (table,) = read_tables(data, "log.csv")
    assert table.cell(1, 2) == description.strip()
    assert len(table.cell(1, 2)) > 131_072


def test_a_csv_saved_with_old_mac_line_endings_is_read():
    data = b'Hazard ID,Title\r1,"Wrong\runit"\r2,Late alert\r'
    (table,) = read_tables(data, "log.csv")
    assert [cells for _, cells in table.rows] == [["Hazard ID", "Title"], ["1", "Wrong\runit"],
                                                  ["2", "Late alert"]]  # fmt: skip


def test_a_csv_the_csv_module_cannot_parse_is_refused_with_the_reason():
    with pytest.raises(LogFileError, match=r"log\.csv cannot be read as CSV: field larger"):
        read_tables(b"Hazard ID,Title\n1," + b"x" * 17 * 1024 * 1024 + b"\n", "log.csv")


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        (["Hazard number"], "id"),
        (["No."], "id"),
        (["Hazard name"], "title"),
        (["Potential clinical impact"], "harm"),
        (["Residual Risk Assessment", "Severity"], "residual.severity"),
        (["Post-mitigation likelihood"], "residual.likelihood"),
        (["Initial Risk"], "initial.rating"),
        (["Additional Controls", "User Training", "Description"], "control.training.additional"),
        (["Existing Controls", "Business Process", "Evidence"], "evidence"),
        (["Suggested actions to mitigate hazard"], "control.design.additional"),
        (["Controls"], "controls_text"),
        (["Date Added"], "ignore"),
    ],
)
def test_common_headings_are_recognised(heading, key):
    assert key_for(heading) == key


def test_the_reader_knows_every_kind_of_control_by_its_label():
    from clinsafe.hazards.models import ControlKind
    from clinsafe.reports.log_file import CONTROL_KINDS

    assert dict(ControlKind.choices) == CONTROL_KINDS


@pytest.mark.parametrize("address", ["D5000", "not a cell", "ZZZ1"])
def test_a_continued_sheet_naming_a_cell_without_text_is_refused_by_its_row(address):
    from clinsafe.reports.spreadsheet import workbook

    data = workbook(("Hazard Log", ("Hazard Name", "Hazard Description"), [["Lost", "Alert"]]),
                    ("Continued", ("Sheet", "Cell", "Part", "Text continued"),
                     [["Hazard Log", address, "2", "more"]]))  # fmt: skip
    with pytest.raises(LogFileError, match=r"Sheet 'Continued' row 2"):
        read_tables(data, "log.xlsx")
