"""The documents pages, used as people would: Priya the CSO, Tom a clinical reviewer, Sam an
engineer, Alex a viewer, Charlie from another organisation."""

import base64
import io
import re

import pytest
from pypdf import PdfReader

from clinsafe.deployments.models import SupplierBundle
from clinsafe.hazards.models import Hazard
from clinsafe.reports.bundle import export_bundle
from clinsafe.reports.log_file import find_layout, read_tables
from clinsafe.reports.models import ComplianceAssessment, ImportJob, ImportState, PlanApproval
from tests.conftest import PASSWORD, compliance_answers, logged_in, make_person
from tests.gate.conftest import assessed
from tests.reports.conftest import workbook_bytes

pytestmark = pytest.mark.django_db
DOCS = "/products/medsflow/documents/"
IMPORT = "/products/medsflow/hazard-log/import/"


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_the_documents_page_offers_every_document_in_every_format(cso, alex, release):
    page = logged_in(alex).get(DOCS).text
    for link in ("hazard-log.pdf", "hazard-log.docx", "hazard-log.xlsx", "hazard-log.csv",
                 "plan.pdf", "dtac.docx", "releases/2.4.0/safety-case-report.pdf",
                 "releases/2.4.0/safety-case-report.docx", "releases/2.4.0/compliance/",
                 "releases/2.4.0/supplier-bundle.json"):  # fmt: skip
        assert link in page, link


@pytest.mark.parametrize(
    ("path", "content_type", "opens"),
    [
        ("documents/hazard-log.pdf", "application/pdf", b"%PDF"),
        (
            "documents/plan.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            b"PK",
        ),
        ("documents/dtac.pdf", "application/pdf", b"%PDF"),
        (
            "documents/hazard-log.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            b"PK",
        ),
        ("releases/2.4.0/safety-case-report.pdf", "application/pdf", b"%PDF"),
        ("releases/2.4.0/supplier-bundle.json", "application/json", b"{"),
    ],
)
def test_each_download_is_the_file_it_says(cso, alex, release, path, content_type, opens):
    response = logged_in(alex).get(f"/products/medsflow/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(opens)
    assert response["Content-Disposition"].startswith("attachment; filename=")


def test_the_report_page_shows_the_document_and_its_downloads(cso, alex, release, product):
    assessed(product, cso, initial=(4, 3), residual=(4, 2), title="Allergy <i>alert</i> lost")
    page = logged_in(alex).get("/products/medsflow/releases/2.4.0/safety-case-report.html").text
    assert '<h1 class="document-title">Clinical Safety Case Report</h1>' in page
    assert "Allergy &lt;i&gt;alert&lt;/i&gt; lost" in page
    assert 'href="#s-7"' in page  # the contents link to each section


def test_another_organisations_documents_are_not_found(charlie, release):
    assert logged_in(charlie).get(DOCS).status_code == 404
    assert logged_in(charlie).get("/products/medsflow/documents/hazard-log.pdf").status_code == 404


def test_an_unknown_format_is_not_found(alex, product):
    assert logged_in(alex).get("/products/medsflow/documents/plan.exe").status_code == 404


def _columns(data, name):
    """The mapping the page offers for ``data``, as its form posts it."""
    _, layout = find_layout(read_tables(data, name))
    return {f"column_{i}": key for i, key in enumerate(layout.mapping)}


def _uploaded(client, data, name):
    response = client.post(IMPORT, {"file": _file(data, name)})
    assert response.status_code == 302, response.text
    return response["Location"]


def test_a_spreadsheet_is_checked_then_imported_in_the_background(
    cso, tom, product, untidy_log, worker, django_capture_on_commit_callbacks
):
    client = logged_in(tom)
    job_page = _uploaded(client, untidy_log, "log.xlsx")
    page = client.get(job_page).text
    assert (
        "Importing would create <strong>3 hazards</strong> and <strong>4 controls</strong>" in page
    )
    assert "Stated ratings that disagree with the matrix" in page
    assert Hazard.objects.count() == 0
    columns = _columns(untidy_log, "log.xlsx")
    assert f'<option value="{columns["column_3"]}" selected>' in page  # the guess is offered

    with django_capture_on_commit_callbacks() as queued_work:
        queued = client.post(job_page, {"action": "import", **columns})
    assert queued.status_code == 302 and queued["Location"] == job_page
    assert "Waiting for the import to start." in client.get(job_page).text
    assert client.get(f"{job_page}progress/").json() == {"state": "queued", "done": 0, "total": 0}
    assert Hazard.objects.count() == 0

    worker(queued_work)
    done = client.get(job_page).text
    assert "3 hazards and 4 controls from log.xlsx" in done
    assert ImportJob.objects.get().state == ImportState.IMPORTED
    assert Hazard.objects.filter(product=product).count() == 3
    hazard_page = client.get("/products/medsflow/hazards/H-002/").text
    assert "the file states the initial rating as 5; the matrix gives 4" in hazard_page
    again = client.post(job_page, {"action": "import", **columns})
    assert "Imported" in client.get(job_page).text and again.status_code == 200
    assert Hazard.objects.filter(product=product).count() == 3


def test_changing_what_a_column_holds_changes_what_is_imported(
    cso, tom, product, worker, django_capture_on_commit_callbacks
):
    data = b"Hazard ID,Title,Notes\n1,Wrong unit,Seen on ward 4\n"
    client = logged_in(tom)
    job_page = _uploaded(client, data, "log.csv")
    form = {"column_0": "id", "column_1": "title", "column_2": "description"}
    checked = client.post(job_page, {**form, "action": "check"}).text
    assert "Importing would create <strong>1 hazard</strong>" in checked
    with django_capture_on_commit_callbacks() as queued_work:
        client.post(job_page, {**form, "action": "import"})
    worker(queued_work)
    assert Hazard.objects.get().description == "Seen on ward 4"


def test_a_row_the_hazard_log_refuses_leaves_nothing_and_is_named_by_row(
    cso, tom, product, worker, django_capture_on_commit_callbacks
):
    # Row 3's residual severity is above its initial one: the file reads, the log refuses it.
    data = (b"Hazard ID,Title,Initial severity,Initial likelihood,Residual severity,"
            b"Residual likelihood\n1,Wrong unit,Major,Medium,Major,Low\n"
            b"2,Lost alert,Minor,Low,Catastrophic,Low\n")  # fmt: skip
    client = logged_in(tom)
    job_page = _uploaded(client, data, "log.csv")
    columns = _columns(data, "log.csv")
    with django_capture_on_commit_callbacks() as queued_work:
        client.post(job_page, {"action": "import", **columns})
    worker(queued_work)
    page = client.get(job_page).text
    assert "Nothing was imported" in page and "1 row could not be imported" in page
    assert "<td>3</td><td>severity</td><td>Residual severity (Catastrophic) cannot be" in page
    assert ImportJob.objects.get().state == ImportState.REFUSED
    assert Hazard.objects.count() == 0


def test_a_file_with_problems_is_shown_with_them_and_cannot_be_imported(cso, tom, product):
    data = workbook_bytes([{"A": 1, "D": "Dose wrong", "M": "Huge", "N": "Low"}])
    client = logged_in(tom)
    page = client.get(_uploaded(client, data, "log.xlsx")).text
    assert "1 problem in the file" in page
    assert "&#x27;Huge&#x27; is not a severity" in page
    assert 'value="import"' not in page


def test_the_cso_may_import_what_is_sound_from_the_page_numbered_by_the_file(
    cso, tom, product, worker, django_capture_on_commit_callbacks
):
    data = workbook_bytes([
        {"A": "NRL07", "D": "Dose wrong", "M": "Major", "N": "Low", "O": 5},
        {"A": "NRL09", "D": "Alert lost", "M": "Huge", "N": "Low"},
    ])  # fmt: skip
    client = logged_in(tom)
    job_page = _uploaded(client, data, "log.xlsx")
    page = client.get(job_page).text
    assert "choose to import what can be read" in page and 'value="import"' not in page
    options = {**_columns(data, "log.xlsx"), "import_sound": "on", "number_by_file": "on"}
    page = client.post(job_page, {"action": "check", **options}).text
    assert "passing over <strong>1 problem</strong>" in page
    assert "<td>6</td><td>initial severity</td>" in page
    assert "The hazard is imported without this row&#x27;s initial risk" in page
    assert '<td class="clinsafe-nowrap">H-007</td><td class="clinsafe-nowrap">NRL07</td>' in page
    with django_capture_on_commit_callbacks() as queued_work:
        client.post(job_page, {"action": "import", **options})
    worker(queued_work)
    page = client.get(job_page).text
    assert "Rows passed over, and what was done about each" in page
    assert sorted(Hazard.objects.values_list("number", "file_reference")) == [
        (7, "NRL07"),
        (9, "NRL09"),
    ]
    # The hazard log shows and finds each hazard by the file's reference too.
    log = client.get("/products/medsflow/?q=nrl07").text
    assert "H-007" in log and "NRL07" in log and "H-009" not in log


def test_the_cso_decides_on_a_contradicted_rating_and_the_flag_closes(
    cso, tom, product, untidy_log
):
    from clinsafe.reports.log_import import import_hazard_log
    from clinsafe.reports.models import RatingMismatch

    import_hazard_log(actor=cso, product=product, data=untidy_log, filename="log.xlsx")
    hazard_page = "/products/medsflow/hazards/H-002/"
    flag = RatingMismatch.objects.get()
    decide = f"/products/medsflow/hazard-log/rating-flags/{flag.pk}/decide/"
    assert "Awaiting the CSO's decision." in logged_in(cso).get(hazard_page).text
    assert decide not in logged_in(tom).get(hazard_page).text
    assert logged_in(tom).post(decide, {"decision": "Fine"}).status_code == 403
    refused = logged_in(cso).post(decide, {"decision": " "})
    assert "Your decision: This field is required." in refused.text
    assert RatingMismatch.objects.get().open
    response = logged_in(cso).post(
        decide, {"decision": "Catastrophic / Low is 4; the file's 5 was a typo."}
    )
    assert response.status_code == 302 and response["Location"] == hazard_page
    page = logged_in(cso).get(hazard_page).text
    assert "Priya" in page and "the file&#x27;s 5 was a typo." in page
    flag.refresh_from_db()
    assert not flag.open and flag.decided_by == cso
    from clinsafe.audit.models import AuditEvent

    event = AuditEvent.objects.get(event_type="hazard_log.rating_mismatch_decided")
    assert event.data["hazard"] == "H-002" and event.data["stated"] == "5"


def test_a_file_that_cannot_be_read_is_refused_on_the_page_with_the_reason(cso, tom, product):
    for content, name, reason in (
        (b"PK\x03\x04 a damaged workbook", "log.xlsx", "log.xlsx is not an XLSX workbook"),
        (b"Name,Date\nAlice,2026-01-01\n", "people.csv", "No sheet has a hazard log header"),
    ):
        response = logged_in(tom).post(IMPORT, {"file": _file(content, name)})
        assert response.status_code == 200, name
        assert f'<a href="#id_file">Hazard log spreadsheet: {reason}' in response.text, name
    assert Hazard.objects.count() == 0 and ImportJob.objects.count() == 0


def test_only_the_uploader_imports_and_others_cannot_see_the_file(
    cso, tom, product, untidy_log, charlie
):
    job_page = _uploaded(logged_in(tom), untidy_log, "log.xlsx")
    columns = _columns(untidy_log, "log.xlsx")
    refused = logged_in(cso).post(job_page, {"action": "import", **columns})
    assert "Only the person who uploaded a file imports it." in refused.text
    assert logged_in(charlie).get(job_page).status_code == 404
    assert ImportJob.objects.get().state == ImportState.UPLOADED


def test_engineers_and_viewers_may_not_import(sam, alex, product, untidy_log):
    for person in (sam, alex):
        assert logged_in(person).get(IMPORT).status_code == 403
        response = logged_in(person).post(IMPORT, {"file": _file(untidy_log, "log.xlsx")})
        assert response.status_code == 403
    assert Hazard.objects.count() == 0 and ImportJob.objects.count() == 0


def test_the_cso_answers_and_signs_the_compliance_assessment(cso, release):
    client = logged_in(cso)
    url = "/products/medsflow/releases/2.4.0/compliance/"
    form = {}
    for clause, answer in compliance_answers().items():
        form[f"status_{clause}"] = answer["status"]
        form[f"evidence_{clause}"] = answer["evidence"]
    form["evidence_3.1.1"] = ""
    refused = client.post(url, form)
    assert refused.status_code == 200 and "give the evidence" in refused.text
    form["evidence_3.1.1"] = "Hazard log"
    assert client.post(url, form).status_code == 302
    assert ComplianceAssessment.objects.get().answers["3.1.1"]["evidence"] == "Hazard log"
    signed = client.post(f"{url}sign/", {"statement": "Assessed.", "password": PASSWORD})
    assert signed.status_code == 302
    assert "signed by Priya Shah" in client.get(url).text


def test_a_viewer_reads_the_assessment_but_cannot_answer_it(cso, alex, release):
    client = logged_in(alex)
    url = "/products/medsflow/releases/2.4.0/compliance/"
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403


def test_the_cso_approves_the_plan_with_their_password(cso, product):
    client = logged_in(cso)
    url = "/products/medsflow/documents/plan/approve/"
    wrong = client.post(url, {"statement": "Approved.", "password": "nope"})
    assert "The password is not correct" in wrong.text
    assert client.post(url, {"statement": "Approved.", "password": PASSWORD}).status_code == 302
    assert PlanApproval.objects.get().plan_version == 1


def test_a_deploying_organisation_imports_a_bundle_and_reads_it(cso, release, elsewhere):
    rita = make_person("rita", elsewhere, "cso", "Rita Shah")
    client = logged_in(rita)
    url = f"/organisations/{elsewhere.slug}/supplier-bundles/"
    tampered = export_bundle(release).replace(b'"MedsFlow"', b'"MedsFlow Pro"', 1)
    refused = client.post(url, {"file": _file(tampered, "bundle.json")})
    assert refused.status_code == 200 and "Manifest: the product part" in refused.text
    done = client.post(url, {"file": _file(export_bundle(release), "bundle.json")})
    bundle = SupplierBundle.objects.get()
    assert done["Location"] == f"{url}{bundle.pk}/"
    page = client.get(done["Location"]).text
    assert "MedsFlow 2.4.0" in page and "read-only" in page


def test_the_bundle_schema_is_published(client):
    response = client.get("/schemas/supplier-bundle-v1.json")
    assert response.status_code == 200
    assert response.json()["title"] == "clinsafe supplier bundle, version 1"


def test_an_issued_document_downloads_byte_for_byte_with_its_digest(cso, tom, alex, release,
                                                                      product):  # fmt: skip
    from clinsafe.reports.models import IssuedDocument
    from tests.conftest import argue_for
    from tests.gate.conftest import review_all, sign_off

    argue_for(release, cso, tom)
    review_all(cso, release)
    sign_off(cso, release)
    issued = IssuedDocument.objects.get(kind="safety-case-report")
    response = logged_in(alex).get(f"/products/medsflow/documents/issued/{issued.pk}/")
    assert response.content == bytes(issued.content)
    assert (
        response["Digest"] == "sha-256=" + base64.b64encode(bytes.fromhex(issued.sha256)).decode()
    )
    first_page = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Issued, document version 1" in first_page


CRAFTED_NAMES = [
    'evil.html"; filename="evil.html',
    "Two\nlines\r\nand a tab\t",
    "MedsFlow – e-prescribing",  # an en dash
    "../../etc/passwd",
]


@pytest.mark.parametrize("name", CRAFTED_NAMES, ids=range(len(CRAFTED_NAMES)))
@pytest.mark.parametrize("path", ["documents/hazard-log.pdf", "documents/hazard-log.docx",
                                  "releases/2.4.0/safety-case-report.docx"])  # fmt: skip
def test_a_crafted_product_name_downloads_under_a_safe_name(alex, release, product, name, path):
    product.name = name
    product.save()
    response = logged_in(alex).get(f"/products/medsflow/{path}")
    assert response.status_code == 200
    header = response["Content-Disposition"]
    plain = re.fullmatch(r'attachment; filename="([\w.-]+)"(?:; filename\*=UTF-8\'\'([\w.%-]+))?',
                         header)  # fmt: skip
    assert plain, header
    extension = path.rsplit(".", 1)[1]
    assert plain[1].endswith(f".{extension}") and ".." not in plain[1]
    if "–" in name:  # the exact name, dash and all, for clients that read RFC 5987
        assert "-MedsFlow-%E2%80%93-e-prescribing" in plain[2]
