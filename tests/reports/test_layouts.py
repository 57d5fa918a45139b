"""Hazard logs as NHS programmes and trusts keep them, built cell by cell with openpyxl in
their layouts, and the real published logs: each imported with the right hazards, every
control kept with its type, the file's references kept, residual estimates found, and every
stated rating the matrix contradicts flagged."""

import io

import pytest
from openpyxl import Workbook

from clinsafe.audit.services import verify_audit_trail
from clinsafe.hazards.models import Control, Hazard, RiskEstimate
from clinsafe.reports.log_file import list_items, parse_log, read_tables
from clinsafe.reports.log_import import ImportOptions, import_hazard_log
from clinsafe.reports.models import RatingMismatch
from tests.reports.conftest import GP_CONNECT

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list], merged: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Hazards"
    for row in rows:
        sheet.append(row)
    for cells in merged:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse(data: bytes):
    return parse_log(read_tables(data, "log.xlsx"))


def imported(cso, product, data, **options):
    result = import_hazard_log(actor=cso, product=product, data=data, filename="log.xlsx",
                               options=ImportOptions(**options))  # fmt: skip
    assert result.ok, result.problems
    return result


# --- one row per control, the hazard's number in "Num", its risk on every row -------------

NUM_HEADER = ["Num", "Hazard", "Cause", "Effect", "Severity", "Likelihood", "Risk Rating",
              "Control", "Control Type", "Control Owner", "Action Status", "Status"]  # fmt: skip
NUM_ROWS = [
    ["007", "Wrong patient's record opened", "Similar names", "Wrong patient treated",
     "Major", "Medium", 3, "Two identifiers on every screen", "Design", "Asha Patel",
     "Complete", "Open"],
    ["7", "Wrong patient's record opened", None, None, "Major", "Medium", 3,
     "Staff trained to check two identifiers", "Training", "Ward manager", "In progress",
     "Open"],
    [None, None, None, None, "Major", "Medium", 3, "Wristband scan before prescribing",
     "Business process", None, "Planned", None],
    ["0101", "Dose shown in the wrong unit", "Unit conversion bug", "Overdose",
     "Catastrophic", "Low", 4, "Units beside every dose", "Design", None, "Done", "CLOSED"],
    ["101", "Dose shown in the wrong unit", None, None, "Catastrophic", "Low", 4,
     "Pharmacy check of high-risk doses", "Business Process", None, "In place", "CLOSED"],
    ["12", "Allergy alert not shown", "Alert suppressed", "Anaphylaxis", "Major", "High", 4,
     "Alert cannot be switched off", "test", "Sam Lee", "not started", "closed"],
]  # fmt: skip


def test_a_log_of_one_row_per_control_numbered_in_num_is_read_as_its_hazards():
    parsed = parse(xlsx([NUM_HEADER, *NUM_ROWS]))
    assert parsed.problems == []
    assert [(h.reference, h.rows) for h in parsed.hazards] == [
        ("007", [2, 3, 4]),
        ("0101", [5, 6]),
        ("12", [7]),
    ]
    wrong_patient = parsed.hazards[0]
    assert [(c.kind, c.status, c.owner) for c in wrong_patient.controls] == [
        ("design", "implemented", "Asha Patel"),
        ("training", "proposed", "Ward manager"),
        ("business_process", "proposed", ""),
    ]
    assert [h.status for h in parsed.hazards] == ["open", "closed", "closed"]
    assert parsed.hazards[2].controls[0].kind == "testing"


def test_a_repeated_risk_that_differs_names_both_rows():
    rows = [NUM_HEADER, *NUM_ROWS[:2]]
    rows[2] = [*rows[2][:4], "Minor", "Medium", 2, *rows[2][7:]]
    (problem,) = parse(xlsx(rows)).problems
    assert (problem.row, problem.field) == (3, "initial risk")
    assert "Minor / Medium (rating 2), but row 2 gives it Major / Medium (rating 3)" in (
        problem.message
    )


def test_the_num_log_imports_with_its_references_owners_and_control_types(cso, product):
    result = imported(cso, product, xlsx([NUM_HEADER, *NUM_ROWS]))
    assert [(c.reference, c.file_reference) for c in result.created] == [
        ("H-001", "007"),
        ("H-002", "0101"),
        ("H-003", "12"),
    ]
    wrong_patient = Hazard.objects.get(product=product, number=1)
    assert wrong_patient.file_reference == "007"
    controls = wrong_patient.controls.order_by("number")
    assert [(c.kind, c.status, c.owner_name) for c in controls] == [
        ("design", "implemented", "Asha Patel"),
        ("training", "proposed", "Ward manager"),
        ("business_process", "proposed", ""),
    ]
    assert Control.objects.filter(product=product).count() == 6
    # Bulk-written, yet every record matches its audit events.
    assert verify_audit_trail().ok and verify_audit_trail().records == ()


# --- two estimate groups, controls per type as numbered lists -----------------------------

GROUPS = ["ID", "Hazard", "Causes", "Severity", "Likelihood", "Risk", "Design", "Test",
          "Training", "Business process", "Severity", "Likelihood", "Risk", "Status"]  # fmt: skip
GROUP_ROWS = [
    # Major / High is 4, not the stated 5; the residual Major / Low is 3, as stated.
    ["H01", "Lab results not delivered", "Interface outage", "Major", "High", 5,
     "1. Delivery receipt on every result\n2. Alert when a result is unacknowledged",
     "1. Soak test of the results interface", "Clinicians trained to chase results",
     "1) Daily reconciliation of results\n2) Named owner for failed messages",
     "Major", "Low", 3, "Open"],
    # The residual Considerable / Very low is 2, not the stated 1.
    ["H02", "Results filed to the wrong patient", "Demographics mismatch", "Considerable",
     "Medium", 3, "NHS number match required", None, None, None, "Considerable", "Very low",
     1, "Open"],
    # Catastrophic / Medium is 4, not the stated 3.
    ["NRL03", "Critical result not escalated", "Threshold misconfigured", "Catastrophic",
     "Medium", 3, None, None, "• Escalation drill each quarter", None, "Catastrophic",
     "Very low", 3, "Open"],
]  # fmt: skip


@pytest.mark.parametrize("header", ["unlabelled", "merged residual"])
def test_two_estimate_groups_are_initial_then_residual(header):
    rows = [GROUPS, *GROUP_ROWS]
    merged: tuple[str, ...] = ()
    if header == "merged residual":
        rows = [[None] * 10 + ["Residual", None, None, None], *rows]
        merged = ("K1:M1",)
    parsed = parse(xlsx(rows, merged))
    assert parsed.problems == []
    assert list(parsed.layout.mapping[3:6]) == ["initial.severity", "initial.likelihood",
                                                 "initial.rating"]  # fmt: skip
    assert list(parsed.layout.mapping[10:13]) == ["residual.severity", "residual.likelihood",
                                                   "residual.rating"]  # fmt: skip
    assert all(h.initial and h.residual for h in parsed.hazards)
    flagged = [(h.reference, s) for h in parsed.hazards for s in ("initial", "residual")
               if getattr(h, s).mismatch]  # fmt: skip
    assert flagged == [("H01", "initial"), ("H02", "residual"), ("NRL03", "initial")]


def test_numbered_lists_in_per_type_columns_are_one_control_each_with_its_type():
    lab = parse(xlsx([GROUPS, *GROUP_ROWS])).hazards[0]
    assert [(c.kind, c.description) for c in lab.controls] == [
        ("design", "Delivery receipt on every result"),
        ("design", "Alert when a result is unacknowledged"),
        ("testing", "Soak test of the results interface"),
        ("training", "Clinicians trained to chase results"),
        ("business_process", "Daily reconciliation of results"),
        ("business_process", "Named owner for failed messages"),
    ]


def test_every_contradicting_stated_rating_is_a_flag_on_its_estimate(cso, product):
    result = imported(cso, product, xlsx([GROUPS, *GROUP_ROWS]))
    assert [(m.hazard, m.stage, m.stated, m.computed) for m in result.mismatches] == [
        ("H-001", "initial", "5", 4),
        ("H-002", "residual", "1", 2),
        ("H-003", "initial", "3", 4),
    ]
    flagged = RiskEstimate.objects.filter(mismatch__isnull=False)
    assert sorted((e.hazard.file_reference, e.stage, e.stated_rating) for e in flagged) == [
        ("H01", "initial", "5"),
        ("H02", "residual", "1"),
        ("NRL03", "initial", "3"),
    ]
    assert all(e.contradicts_stated for e in flagged)
    # A stated rating the matrix agrees with is kept too, and not flagged.
    agreed = RiskEstimate.objects.get(hazard__file_reference="H01", stage="residual")
    assert agreed.stated_rating == "3" and not agreed.contradicts_stated
    assert RatingMismatch.objects.filter(decided_at__isnull=True).count() == 3


def test_hazards_may_be_numbered_by_the_files_references(cso, product):
    result = imported(cso, product, xlsx([GROUPS, *GROUP_ROWS]), number_by_file=True)
    assert [(c.reference, c.file_reference) for c in result.created] == [
        ("H-001", "H01"),
        ("H-002", "H02"),
        ("H-003", "NRL03"),
    ]
    product.refresh_from_db()
    assert product.next_hazard_number == 4


def test_numbering_by_the_file_gives_a_clashing_number_the_next_free_one(cso, product):
    rows = [GROUPS, *GROUP_ROWS, ["H03", "Result delayed", *GROUP_ROWS[2][2:]]]
    refused = import_hazard_log(actor=cso, product=product, data=xlsx(rows),
                                filename="log.xlsx",
                                options=ImportOptions(number_by_file=True))  # fmt: skip
    (problem,) = refused.problems
    assert problem.row == 5 and "its number 3 is taken (row 4 has NRL03)" in problem.message
    assert Hazard.objects.count() == 0
    result = imported(cso, product, xlsx(rows), number_by_file=True, import_sound=True)
    assert [c.reference for c in result.created] == ["H-001", "H-002", "H-003", "H-004"]
    assert result.skipped[0].outcome == "the hazard is given the next free number"


def test_importing_the_same_file_again_adds_nothing(cso, product):
    data = xlsx([GROUPS, *GROUP_ROWS])
    imported(cso, product, data)
    again = imported(cso, product, data)
    assert again.created == [] and [said for _, said, _ in again.already] == ["H01", "H02", "NRL03"]
    assert any("are in the log already and are not imported again" in n for n in again.notes)
    assert Hazard.objects.count() == 3 and Control.objects.count() == 8


# --- a file that is itself inconsistent ---------------------------------------------------

BROKEN = [
    ["Hazard ID", "Title", "Severity", "Likelihood", "Risk", "Controls"],
    ["5", "Alert lost", "Major", "Low", 3, "Alert resent until acknowledged"],
    ["005", "Printer jams", "Minor", "Low", 1, "Second printer"],  # one id, two hazards
    ["6", "Observation chart truncated", None, "High", 4, "Chart scrolls"],  # no severity
    ["7", "Clock change doubles a dose", "Major", "Medium", 3, "Doses stored in UTC"],
]


def test_an_inconsistent_file_imports_nothing_by_default(cso, product):
    result = import_hazard_log(actor=cso, product=product, data=xlsx(BROKEN),
                               filename="log.xlsx")  # fmt: skip
    assert [(p.row, p.field) for p in result.problems] == [(3, "id"), (4, "initial severity")]
    assert result.importable_in_part
    assert Hazard.objects.count() == 0


def test_the_cso_may_import_what_is_sound_with_each_row_passed_over_listed(cso, product):
    result = imported(cso, product, xlsx(BROKEN), import_sound=True)
    assert [(c.file_reference, c.title) for c in result.created] == [
        ("5", "Alert lost"),
        ("6", "Observation chart truncated"),
        ("7", "Clock change doubles a dose"),
    ]
    assert [(p.row, p.outcome) for p in result.skipped] == [
        (3, "row 3 is not imported"),
        (4, "the hazard is imported without this row's initial risk"),
    ]
    chart = Hazard.objects.get(file_reference="6")
    assert not chart.estimates.exists() and chart.controls.count() == 1
    assert result.record.summary["skipped"][0]["row"] == 3


def test_a_file_with_no_id_column_never_makes_a_hazard_of_each_repeated_row():
    parsed = parse(xlsx([
        ["Hazard", "Severity", "Likelihood", "Mitigation"],
        ["Alert lost", "Major", "Low", "Alert resent"],
        ["Alert lost", "Major", "Low", "Alert logged"],
        ["Printer jams", "Minor", "Low", "Second printer"],
    ]))  # fmt: skip
    assert [(h.title, len(h.controls)) for h in parsed.hazards] == [
        ("Alert lost", 2),
        ("Printer jams", 1),
    ]
    assert any("No column was recognised as the hazard id" in n for n in parsed.notes)


# --- the real published logs --------------------------------------------------------------


def test_the_gp_connect_log_keeps_its_own_hazard_numbers(cso, product):
    imported(cso, product, GP_CONNECT.read_bytes())
    references = list(Hazard.objects.order_by("number").values_list("file_reference", flat=True))
    assert len(references) == 53 and references[:4] == ["2", "3", "7", "11"]
    assert "61" in references  # written "61\n" in the file


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("1. Check units\n2. Train staff", ["Check units", "Train staff"]),
        ("a) First\n   goes on\nb) Second", ["First\ngoes on", "Second"]),
        ("• One\n• Two", ["One", "Two"]),
        ("Consumers should:\n1. Test\n2. Train", ["Consumers should:\n1. Test\n2. Train"]),
        ("Version 2.1 of the spec", ["Version 2.1 of the spec"]),
    ],
)
def test_a_cells_list_is_split_only_when_it_opens_as_a_list(text, items):
    assert list_items(text) == items


def test_the_export_shows_each_flag_and_is_a_workbook_worth_opening(cso, product):
    from openpyxl import load_workbook

    from clinsafe.reports.records import read_log
    from clinsafe.reports.spreadsheet import HAZARD_COLUMNS, to_xlsx

    imported(cso, product, xlsx([GROUPS, *GROUP_ROWS]))
    book = load_workbook(io.BytesIO(to_xlsx(read_log(product))))
    log = book["Hazard Log"]
    column = {name: i for i, name in enumerate(HAZARD_COLUMNS)}
    first = [c for c in log[2]]
    assert first[column["Initial Rating Flag"]].value == (
        "The file stated 5; the matrix gives 4 (awaiting the CSO's decision)."
    )
    risk = first[column["Initial Risk"]]
    assert risk.value == 4 and risk.data_type == "n" and risk.fill.fgColor.rgb.endswith("D99594")
    assert log.freeze_panes == "B2" and log.auto_filter.ref == log.dimensions
    assert log.column_dimensions["E"].width == 45  # the description
    controls = book["Controls"]
    assert controls["C2"].value == "H-001"
    assert controls["C2"].hyperlink.location == "'Hazard Log'!A2"
    matrix = book["Risk Matrix"]
    assert [c.value for c in matrix[2]] == ["Very high", 3, 4, 4, 5, 5]
    assert matrix["F2"].fill.fgColor.rgb.endswith("E36C0A")


def test_a_reference_the_log_has_for_another_hazard_is_a_problem_not_a_match(cso, product):
    imported(cso, product, xlsx([GROUPS, *GROUP_ROWS]))
    renamed = [GROUPS, ["H01", "Results sent twice", *GROUP_ROWS[0][2:]]]
    result = import_hazard_log(actor=cso, product=product, data=xlsx(renamed),
                               filename="log.xlsx")  # fmt: skip
    (problem,) = result.problems
    assert "The log has H01 already, as H-001 “Lab results not delivered”" in problem.message
    assert Hazard.objects.count() == 3


def test_another_products_export_imports_whole_beside_hazards_typed_in(cso, tom, product):
    from clinsafe.products.models import Product
    from clinsafe.reports.records import read_log
    from clinsafe.reports.spreadsheet import to_xlsx
    from tests.conftest import raise_hazard

    imported(cso, product, xlsx([GROUPS, *GROUP_ROWS]))
    other = Product.objects.create(organisation=product.organisation, name="B", slug="b")
    raise_hazard(other, tom, title="Typed in first")  # H-001 of the other product
    result = imported(cso, other, to_xlsx(read_log(product)))
    assert [(c.reference, c.file_reference) for c in result.created] == [
        ("H-002", "H01"),
        ("H-003", "H02"),
        ("H-004", "NRL03"),
    ]
