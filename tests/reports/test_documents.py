"""Documents generated from the records, read back from the PDF (pypdf) and the DOCX
(python-docx) files themselves."""

import hashlib
import io
import re

import pytest
from docx import Document as Docx
from pypdf import PdfReader

from clinsafe.argument.services import add_artefact_version, record_artefact
from clinsafe.hazards import services as hazards
from clinsafe.products.services import edit_product
from clinsafe.reports import builders
from clinsafe.reports.models import IssuedDocument
from clinsafe.reports.render import to_docx, to_pdf
from clinsafe.reports.services import approve_plan, plan_status
from tests.conftest import PASSWORD, argue_for
from tests.gate.conftest import assessed, review_all, sign_off

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    """The PDF and its text, with line breaks and wrapping folded into single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def docx_text(content: bytes) -> str:
    document = Docx(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture
def signed_release(cso, tom, release, product):
    """A release with a rating-3 hazard accepted by the CSO, a transferred control, a
    third-party product, its safety case made and the CSO's sign-off."""
    from clinsafe.gate import services as gate

    serious = assessed(product, cso, initial=(4, 3), residual=(4, 2), title="Allergy alert lost")
    hazards.add_control(actor=tom, product=product, hazards=[serious], kind="transferred",
                        description="Trust keeps the downtime allergy list current")  # fmt: skip
    gate.accept_risk(actor=cso, hazard=serious, password=PASSWORD, rationale="ALARP: no more "
                     "can reasonably be done in the software.")  # fmt: skip
    edit_product(actor=cso, product=product, version=product.version,
                 third_party_products="FDB Multilex")  # fmt: skip
    product.refresh_from_db()
    argue_for(release, cso, tom)
    review_all(cso, release)
    sign_off(cso, release)
    return release


def test_the_safety_case_report_pdf_has_every_section_contents_and_page_numbers(signed_release):
    reader, text = pdf_text(to_pdf(builders.safety_case_report(signed_release)))
    first = " ".join(reader.pages[0].extract_text().split())  # wrapping folded
    for expected in ("Clinical Safety Case Report", "MedsFlow", "2.4.0", "Document status",
                     "Draft: generated live from the records", "Signatures", "Priya Shah",
                     "approved release 2.4.0", "Contents"):  # fmt: skip
        assert expected in first, expected
    for section in builders.safety_case_report(signed_release).sections:
        assert section.title in text, section.title
    assert f"Page 1 of {len(reader.pages)}" in text
    assert "Allergy alert lost" in text and "ALARP: no more" in text
    assert "Trust keeps the downtime allergy list current" in text
    assert "FDB Multilex" in text
    assert "GMC 7654321" in text  # the CSO's credentials
    assert "2.3.2 The Clinical Safety Officer holds current" in text  # compliance, v4.2
    assert "Safe to release." in text  # the CSO's statement


def test_the_report_names_people_and_dates_as_a_reader_writes_them(signed_release):
    from clinsafe.core.formats import long_date

    _, text = pdf_text(to_pdf(builders.safety_case_report(signed_release)))
    assert "Priya Shah Clinical Safety Officer" in text  # the signature, by name and role
    assert long_date(signed_release.sign_offs.get().signed_at) in text  # 4 December 2026
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)  # no ISO dates


def test_the_safety_case_report_docx_reads_back_with_the_same_content(signed_release):
    document = builders.safety_case_report(signed_release)
    content = to_docx(document)
    text = docx_text(content)
    headings = [p.text for p in Docx(io.BytesIO(content)).paragraphs
                if p.style.name.startswith("Heading")]  # fmt: skip
    assert [f"{n} {s.title}" for n, s, _ in document.numbered()] == [
        h for h in headings if h[:1].isdigit() and "." not in h.split()[0]
    ]
    assert "Priya Shah" in text and "Allergy alert lost" in text and "FDB Multilex" in text


def test_a_release_with_nothing_signed_says_so_rather_than_implying_it(cso, release, product):
    _, text = pdf_text(to_pdf(builders.safety_case_report(release)))
    assert "Not signed." in text
    assert "No safety argument has been put forward for this release." in text
    assert "No compliance assessment is recorded for this release." in text
    assert "Third-party products None." in text


def test_the_hazard_log_document_lists_every_hazard_with_its_controls(cso, tom, product):
    dose = assessed(product, tom, initial=(4, 3), residual=(4, 1), title="Dose in wrong unit",
                    causes=["Conversion bug"])  # fmt: skip
    hazards.add_control(actor=tom, product=product, hazards=[dose], kind="design",
                        description="Units shown beside every dose")  # fmt: skip
    assessed(product, tom, initial=(2, 2), residual=(2, 1), title="Slow search")
    document = builders.hazard_log_document(product)
    _, text = pdf_text(to_pdf(document))
    for expected in ("H-001 Dose in wrong unit", "Conversion bug", "Units shown beside every dose",
                     "3 (Major / Medium)", "2 (Major / Very low)", "H-002 Slow search",
                     "Owner:"):  # fmt: skip
        assert expected in text, expected
    assert "H-001 Dose in wrong unit" in docx_text(to_docx(document))


def test_every_page_is_headed_with_the_product_as_written(cso, product):
    product.name = 'Meds "Flow" </style><b>'
    reader, _ = pdf_text(to_pdf(builders.risk_management_plan(product)))
    for page in reader.pages:
        assert 'Clinical Risk Management Plan · Meds "Flow" </style><b>' in page.extract_text()


def test_user_text_is_escaped_in_the_html_and_pdf(cso, tom, product):
    from clinsafe.reports.render import to_html

    assessed(product, tom, initial=(2, 2), residual=(2, 1), title="<script>alert(1)</script>")
    html = to_html(builders.hazard_log_document(product))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_signing_off_issues_the_report_and_log_frozen_with_their_hash(signed_release, cso, tom):
    issued = {d.kind: d for d in IssuedDocument.objects.filter(release=signed_release)}
    assert set(issued) == {"safety-case-report", "hazard-log"}
    report = issued["safety-case-report"]
    content = bytes(report.content)
    assert report.document_version == 1
    assert hashlib.sha256(content).hexdigest() == report.sha256
    _, text = pdf_text(content)
    assert "Issued, document version 1" in text
    # The records change; the issued file does not.
    hazards.edit_hazard(actor=cso, hazard=signed_release.product.hazards.get(number=1),
                        version=1, title="Renamed later")  # fmt: skip
    report.refresh_from_db()
    assert bytes(report.content) == content
    assert "Renamed later" not in pdf_text(bytes(report.content))[1]


def test_the_next_release_issues_the_next_document_version(signed_release, cso, tom, sam, product):
    from clinsafe.products.releases import create_release

    following = create_release(actor=sam, product=product, version="2.5.0")
    argue_for(following, cso, tom)
    review_all(cso, following)
    sign_off(cso, following)
    versions = IssuedDocument.objects.filter(product=product, kind="safety-case-report")
    assert sorted(versions.values_list("release__version", "document_version")) == [
        ("2.4.0", 1),
        ("2.5.0", 2),
    ]


def test_the_plan_goes_out_of_date_when_its_basis_changes_and_a_new_version_is_queued(cso, product):
    assert plan_status(product).summary == "version 1, draft awaiting the CSO's approval"
    approve_plan(actor=cso, product=product, password=PASSWORD, statement="I approve it.")
    assert plan_status(product).current
    edit_product(actor=cso, product=product, version=product.version,
                 intended_use="Now also for outpatients.")  # fmt: skip
    product.refresh_from_db()
    status = plan_status(product)
    assert not status.current and status.version == 2
    assert status.reasons == ["the intended use changed"]
    document = builders.risk_management_plan(product)
    assert document.status.startswith("version 1 is out of date; version 2 is queued")
    assert document.signatures[0].stale
    approve_plan(actor=cso, product=product, password=PASSWORD, statement="Updated.")
    assert plan_status(product).current and plan_status(product).version == 2


def test_a_new_cso_appointment_puts_the_plan_out_of_date(cso, tom, product, morgan):
    from datetime import timedelta

    from django.utils import timezone

    from clinsafe.core.services import appoint_cso, grant_role

    approve_plan(actor=cso, product=product, password=PASSWORD, statement="I approve it.")
    # Priya's appointment ended yesterday (set as history: no one may end one in the past).
    yesterday = timezone.localdate() - timedelta(days=1)
    cso.appointments.update(ends_on=yesterday, ended_reason="Moved on.")
    grant_role(actor=morgan, organisation=product.organisation, user=tom, role="cso")
    appoint_cso(actor=morgan, organisation=product.organisation, user=tom, product=product,
                protected_hours_per_week=8)  # fmt: skip
    assert "the CSO appointment changed" in plan_status(product).reasons


def test_the_plan_document_has_the_matrix_roles_and_activities(cso, product):
    _, text = pdf_text(to_pdf(builders.risk_management_plan(product)))
    for expected in ("Risk matrix and acceptability criteria", "Catastrophic", "Very high",
                     "Roles, people and competence", "Priya Shah", "Activities and when they",
                     "How incidents and changes feed back"):  # fmt: skip
        assert expected in text, expected


def test_the_dtac_answers_follow_dtac_2_0_c1_question_by_question(cso, sam, product):
    artefact = record_artefact(actor=sam, product=product, title="Regression suite",
                               kind="test_report")  # fmt: skip
    add_artefact_version(actor=sam, artefact=artefact, label="2.4 final")
    product = edit_product(actor=cso, product=product, version=product.version,
                           medical_device="standalone")  # fmt: skip

    document = builders.dtac_answers(product, {"plan": "https://x.example/plan.pdf"})

    answers = {row[0]: row[2] for row in document.sections[0].blocks[1].rows}
    assert list(answers) == [
        "C1.1.1", "C1.1.2", "C1.2", "C1.2.1", "C1.2.2", "C1.2.3", "C1.2.4", "C1.2.5"
    ]  # fmt: skip
    assert answers["C1.1.1"] == "Yes: it is a standalone medical device."
    assert answers["C1.1.2"] == "Yes."
    assert answers["C1.2.5"] == "Priya Shah, Doctor, GMC registration 7654321."
    text = docx_text(to_docx(document))
    assert "https://x.example/plan.pdf" in text
    assert "NHS example" in text.split("Risk scheme declared")[1][:80]  # the declared scheme
    assert "AR-001 Regression suite" in text and "2.4 final" in text  # the test summary
    assert "Do you use or connect to any third-party products?" not in text  # DTAC 1.0's


def test_the_dtac_answers_say_when_the_device_status_is_not_yet_decided(cso, product):
    document = builders.dtac_answers(product, {})
    answers = {row[0]: row[2] for row in document.sections[0].blocks[1].rows}
    assert (
        answers["C1.1.1"]
        == answers["C1.1.2"]
        == ("Not yet decided: record it on the product's description.")
    )
