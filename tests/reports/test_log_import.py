"""Importing a spreadsheet hazard log: all or nothing, through the hazard log's services."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from clinsafe.audit.models import AuditEvent
from clinsafe.hazards import services as hazards
from clinsafe.hazards.models import Control, Hazard, RiskEstimate
from clinsafe.products.models import Product
from clinsafe.reports.log_import import ImportOptions, import_hazard_log
from clinsafe.reports.models import HazardLogImport, RatingMismatch
from clinsafe.reports.records import read_log
from clinsafe.reports.spreadsheet import to_csv, to_xlsx
from tests.conftest import assessed_hazard, raise_hazard
from tests.reports.conftest import GP_CONNECT, workbook_bytes

pytestmark = pytest.mark.django_db


def counts():
    return (Hazard.objects.count(), RiskEstimate.objects.count(), Control.objects.count(),
            AuditEvent.objects.count(), HazardLogImport.objects.count())  # fmt: skip


def test_an_untidy_log_is_imported_with_ratings_from_the_matrix(cso, product, untidy_log):
    result = import_hazard_log(actor=cso, product=product, data=untidy_log, filename="log.xlsx")
    assert result.ok, result.problems
    assert [c.reference for c in result.created] == ["H-001", "H-002", "H-003"]
    assert result.controls == 4
    allergy = Hazard.objects.with_current_risk().get(product=product, number=2)
    assert (allergy.initial_rating, allergy.residual_rating) == (4, 2)
    assert allergy.status == "closed" and "Recorded as closed" in allergy.status_reason
    dose = Hazard.objects.get(product=product, number=1)
    assert sorted(dose.controls.values_list("kind", "origin", "status")) == [
        ("design", "additional", "proposed"),
        ("design", "existing", "implemented"),
        ("training", "existing", "implemented"),
    ]
    assert dose.controls.get(kind="training").verification_evidence == "Training log"


def test_a_stated_rating_the_matrix_contradicts_is_kept_and_flagged(cso, product, untidy_log):
    result = import_hazard_log(actor=cso, product=product, data=untidy_log, filename="log.xlsx")
    (mismatch,) = result.mismatches
    assert (mismatch.hazard, mismatch.stage, mismatch.stated, mismatch.computed) == (
        "H-002",
        "initial",
        "5",
        4,
    )
    flagged = RatingMismatch.objects.get()
    assert (flagged.hazard.number, flagged.row, flagged.stated) == (2, 8, "5")
    estimate = RiskEstimate.objects.get(hazard=flagged.hazard, stage="initial")
    assert estimate.rating == 4 and estimate.stated_rating == "5"
    assert estimate.contradicts_stated and flagged.estimate == estimate and flagged.open


def test_the_import_is_audited_as_one_event_besides_each_record(cso, product, untidy_log):
    import_hazard_log(actor=cso, product=product, data=untidy_log, filename="log.xlsx")
    event = AuditEvent.objects.get(event_type="hazard_log.imported")
    assert event.data["hazards"] == ["H-001", "H-002", "H-003"]
    assert AuditEvent.objects.filter(event_type="hazard.raised").count() == 3


def test_a_dry_run_reports_what_an_import_would_do_and_writes_nothing(cso, product, untidy_log):
    before = counts()
    dry = import_hazard_log(
        actor=cso, product=product, data=untidy_log, filename="log.xlsx", dry_run=True
    )
    assert counts() == before
    assert Product.objects.get(pk=product.pk).next_hazard_number == 1
    real = import_hazard_log(actor=cso, product=product, data=untidy_log, filename="log.xlsx")
    assert dry.as_json()["created"] == real.as_json()["created"]
    assert (dry.controls, len(dry.mismatches)) == (real.controls, len(real.mismatches))


def test_a_log_with_one_bad_row_imports_nothing(cso, product):
    data = workbook_bytes([
        {"A": 1, "D": "Dose wrong", "M": "Major", "N": "Low"},
        {"A": 2, "D": "Alert lost", "M": "Major", "N": "Sometimes"},
    ])  # fmt: skip
    before = counts()
    result = import_hazard_log(actor=cso, product=product, data=data, filename="log.xlsx")
    assert not result.ok
    assert [(p.row, p.field) for p in result.problems] == [(6, "initial likelihood")]
    assert counts() == before


def test_a_rule_of_the_hazard_log_refuses_the_whole_import(cso, product):
    # Residual severity above the initial: the hazard log's own rule, reported by row.
    data = workbook_bytes([
        {"A": 1, "D": "Dose wrong", "M": "Minor", "N": "Low"},
        {"A": 2, "D": "Alert lost", "M": "Minor", "N": "Low", "W": "Major", "X": "Low"},
    ])  # fmt: skip
    before = counts()
    result = import_hazard_log(actor=cso, product=product, data=data, filename="log.xlsx")
    assert [(p.row, p.field) for p in result.problems] == [(6, "severity")]
    assert "cannot be above the initial severity" in result.problems[0].message
    assert counts() == before


def test_a_malformed_file_changes_nothing(cso, product):
    before = counts()
    result = import_hazard_log(actor=cso, product=product, data=b"PK\x03\x04broken",
                               filename="log.xlsx")  # fmt: skip
    assert not result.ok and result.problems[0].field == "file"
    assert counts() == before


def test_only_clinicians_may_import(sam, product, untidy_log):
    with pytest.raises(PermissionDenied):
        import_hazard_log(actor=sam, product=product, data=untidy_log, filename="log.xlsx")
    assert Hazard.objects.count() == 0


def test_the_gp_connect_log_imports_every_hazard(cso, product):
    result = import_hazard_log(
        actor=cso, product=product, data=GP_CONNECT.read_bytes(), filename=GP_CONNECT.name
    )
    assert result.ok, result.problems
    assert Hazard.objects.filter(product=product).count() == 53
    assert Control.objects.filter(product=product).count() == 53


@pytest.fixture
def full_log(cso, tom, product):
    """A hazard log with shared controls, evidence, a closed hazard and an injection."""
    dose = assessed_hazard(product, tom, causes=["Bug", "Typo"], effects=["Overdose"], owner=tom)
    formula = raise_hazard(product, tom, title="=HYPERLINK(\"http://evil\",\"x\")",
                           description="+cmd|' /C calc'!A0", harm="-2+3")  # fmt: skip
    hazards.assess_risk(actor=tom, hazard=formula, stage="initial", severity=2, likelihood=5)
    closed = raise_hazard(product, tom, title="Duplicate printout")
    hazards.change_hazard_status(actor=tom, hazard=closed, version=1, status="closed",
                                 reason="Printing removed.")  # fmt: skip
    hazards.add_control(actor=tom, product=product, hazards=[dose, formula],
                        description="@SUM(A1) shared banner", kind="design", status="verified",
                        verification_evidence="Test TR-9", origin="existing")  # fmt: skip
    hazards.add_control(actor=tom, product=product, hazards=[dose], description="Training",
                        kind="transferred")  # fmt: skip
    return read_log(product)


def _same(records):
    return (
        [(h.title, h.description, h.causes, h.effects, h.harm, h.status, h.owner,
          h.initial and (h.initial.severity, h.initial.likelihood, h.initial.rating),
          h.residual and (h.residual.severity, h.residual.likelihood, h.residual.rating),
          sorted(c.description for c in h.controls)) for h in records.hazards],
        [(c.description, c.kind, c.origin, c.status, c.verification_evidence, c.owner,
          [records.hazards[[h.reference for h in records.hazards].index(r)].title
           for r in c.hazards]) for c in records.controls],
    )  # fmt: skip


def test_an_exported_workbook_imports_into_another_organisation_as_the_same_log(
    full_log, charlie, elsewhere
):
    # Charlie's organisation has no Tom: the owners come across as the file names them.
    copy = Product.objects.create(organisation=elsewhere, name="Copy", slug="copy")
    result = import_hazard_log(actor=charlie, product=copy, data=to_xlsx(full_log),
                               filename="log.xlsx",
                               options=ImportOptions(number_by_file=True))  # fmt: skip
    assert result.ok, result.problems
    again = read_log(copy)
    assert _same(again) == _same(full_log)
    assert [h.reference for h in again.hazards] == [h.reference for h in full_log.hazards]
    assert [h.file_reference for h in again.hazards] == ["H-001", "H-002", "H-003"]
    owned = Hazard.objects.get(product=copy, number=1)
    assert owned.owner is None and owned.owner_name == "Tom Okafor"
    # And round again: the references the first file gave are kept, not replaced.
    third = Product.objects.create(organisation=elsewhere, name="Third", slug="third")
    import_hazard_log(actor=charlie, product=third, data=to_xlsx(again), filename="log.xlsx")
    assert [h.file_reference for h in read_log(third).hazards] == ["H-001", "H-002", "H-003"]


def test_an_owner_named_as_the_export_names_them_is_the_member(full_log, cso, northwind):
    copy = Product.objects.create(organisation=northwind, name="Copy", slug="copy")
    import_hazard_log(actor=cso, product=copy, data=to_xlsx(full_log), filename="log.xlsx")
    assert Hazard.objects.get(product=copy, number=1).owner.username == "tom"


def test_a_text_longer_than_an_excel_cell_is_continued_and_imports_back_whole(
    cso, tom, product, northwind
):
    # A hazard description pasted from a long incident review: 80,000 characters.
    long = "=" + " ".join(f"Step {i} of the review names a missed alert." for i in range(1800))
    raise_hazard(product, tom, description=long)
    exported = to_xlsx(read_log(product))
    book = load_workbook(io.BytesIO(exported))
    cells = [str(c.value or "") for sheet in book for row in sheet.iter_rows() for c in row]
    assert max(len(text) for text in cells) <= 32_767
    assert book["Hazard Log"]["E2"].value.endswith("[continues on the Continued sheet]")
    continued = list(book["Continued"].iter_rows(min_row=2, values_only=True))
    assert [(sheet, cell, part) for sheet, cell, part, _ in continued] == [
        ("Hazard Log", "E2", "2"),
        ("Hazard Log", "E2", "3"),
    ]
    copy = Product.objects.create(organisation=northwind, name="Copy", slug="copy")
    result = import_hazard_log(actor=cso, product=copy, data=exported, filename="log.xlsx")
    assert result.ok, result.problems
    assert Hazard.objects.get(product=copy).description == long


def test_an_exported_csv_imports_back_to_the_same_hazards_and_controls(full_log, cso, northwind):
    copy = Product.objects.create(organisation=northwind, name="Copy", slug="copy")
    result = import_hazard_log(actor=cso, product=copy, data=to_csv(full_log),
                               filename="log.csv")  # fmt: skip
    assert result.ok, result.problems
    hazards_then, _ = _same(full_log)
    hazards_now, controls_now = _same(read_log(copy))
    assert hazards_now == hazards_then
    # A control shared by two hazards stays one control.
    assert [c[0] for c in controls_now] == ["@SUM(A1) shared banner", "Training"]


def test_exports_neutralise_text_a_spreadsheet_would_run(full_log):
    sheet = load_workbook(io.BytesIO(to_xlsx(full_log)))["Hazard Log"]
    titles = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil","x")' in titles
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    assert not any(str(c.value).startswith(("=", "+", "-", "@")) for c in cells)
    controls = load_workbook(io.BytesIO(to_xlsx(full_log)))["Controls"]
    assert controls["F2"].value == "'@SUM(A1) shared banner"
    rows = list(csv.reader(io.StringIO(to_csv(full_log).decode("utf-8-sig"))))
    formula = next(r for r in rows if "HYPERLINK" in r[3])
    assert formula[3].startswith("'=") and formula[4].startswith("'+") and formula[6] == "'-2+3"


def test_an_empty_template_imports_nothing_and_leaves_no_record(cso, product):
    from tests.reports.conftest import TEMPLATE

    before = counts()
    result = import_hazard_log(actor=cso, product=product, data=TEMPLATE.read_bytes(),
                               filename=TEMPLATE.name)  # fmt: skip
    assert result.ok and result.created == []
    assert "The log has no hazards below its header: nothing to import." in result.notes
    assert counts() == before


def test_a_preview_only_reads_so_it_holds_no_write_lock(cso, product, untidy_log):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinsafe.reports.log_import import preview_hazard_log

    with CaptureQueriesContext(connection) as queries:
        result = preview_hazard_log(actor=cso, product=product, data=untidy_log,
                                    filename="log.xlsx")  # fmt: skip
    assert [c.reference for c in result.created] == ["H-001", "H-002", "H-003"]
    assert result.controls == 4 and len(result.mismatches) == 1
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
