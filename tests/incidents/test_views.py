"""The incident log pages and API, used as people would: Priya the CSO, Tom a clinical
reviewer, Sam an engineer, Alex a viewer, Charlie the CSO of a deploying organisation."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from clinsafe.argument.assessment import check_working
from clinsafe.deployments.models import SupplierBundle
from clinsafe.incidents.models import Incident, IncidentStatus
from clinsafe.reports import builders
from tests.conftest import api_as, argue_for, logged_in
from tests.incidents.conftest import report, triage

pytestmark = pytest.mark.django_db
LOG = "/products/medsflow/incidents/"


def _form(**fields):
    today = timezone.localdate()
    return {
        "title": "Dose shown in mg", "description": "Seen on the ward round.",
        "occurred_on": today - timedelta(days=1), "reported_on": today,
        "patient_affected": "True", "reported_harm": "low", **fields,
    }  # fmt: skip


@pytest.fixture
def deployer(charlie, product):
    """Charlie's trust deploys MedsFlow: it holds Northwind's bundle."""
    SupplierBundle.objects.create(
        organisation=charlie.memberships.get().organisation,
        supplier_name="Northwind Health", supplier_slug="northwind", product_name="MedsFlow",
        product_slug="medsflow", release_version="2.4.0", supplier_product=product, content={},
        sha256="1" * 64,
        imported_by=charlie,
    )  # fmt: skip
    return charlie


def test_reporting_is_one_page_and_lands_on_the_incident(product, alex):
    response = logged_in(alex).post(f"{LOG}report/", _form(), follow=True)

    assert response.redirect_chain[-1][0] == f"{LOG}I-001/"
    assert "I-001 reported. The CSO has been told." in response.text
    assert Incident.objects.get().reported_by == alex


def test_a_report_with_errors_names_each_field(product, alex):
    client = logged_in(alex)
    untitled = client.post(f"{LOG}report/", _form(title=""))
    unaffected = client.post(f"{LOG}report/", _form(reported_harm="moderate",
                                                    patient_affected="False"))  # fmt: skip

    assert "This field is required." in untitled.text
    assert "Harm to a patient means a patient was affected" in unaffected.text
    assert not Incident.objects.exists()


def test_a_deploying_organisation_reports_without_seeing_the_suppliers_log(deployer):
    client = logged_in(deployer)
    page = client.get(f"{LOG}report/")
    assert page.status_code == 200
    assert 'href="/products/medsflow/' not in page.text.replace(f"{LOG}report/", "")

    response = client.post(f"{LOG}report/", _form(deployment="Elsewhere ward 3"))

    assert "Charlie Brown, Elsewhere Trust" in response.text
    assert "<strong>I-001</strong>" in response.text
    assert client.get(LOG).status_code == 404
    assert client.get(f"{LOG}I-001/").status_code == 404


def test_triage_takes_references_and_names_what_is_missing(incident, hazard, tom):
    client = logged_in(tom)
    form = {"version": incident.version, "actual_harm": "low", "finding": "hazard_realised",
            "reassessment_required": "True", "external_report_required": "False"}  # fmt: skip
    missing = client.post(f"{LOG}I-001/triage/", form)
    assert "Name the hazards the incident realised." in missing.text
    unknown = client.post(f"{LOG}I-001/triage/", {**form, "hazards": "H-099"})
    assert "This product has no hazard H-099." in unknown.text

    client.post(f"{LOG}I-001/triage/", {**form, "hazards": "h-1"})

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING
    page = client.get(f"{LOG}I-001/").text
    assert "Awaiting re-assessment" in page
    assert client.get(f"{LOG}I-001/triage/").url == f"{LOG}I-001/"  # triaged once
    assert (
        "Re-assess the risk" in client.get(f"/products/medsflow/hazards/{hazard.reference}/").text
    )


def test_a_viewer_may_not_triage(incident, alex):
    assert logged_in(alex).get(f"{LOG}I-001/triage/").status_code == 403


def test_an_incident_is_investigated_and_closed_on_the_pages(incident, tom, sam):
    triage(incident, tom, finding="not_a_hazard", actual_harm="none")
    incident.refresh_from_db()
    logged_in(sam).post(f"{LOG}I-001/investigation/", {
        "version": incident.version, "root_cause": "Rounding", "contributory_factors": "A\nB",
        "findings": "Rounding in the display layer.", "learning": "Test units end to end.",
    })  # fmt: skip
    incident.refresh_from_db()
    assert incident.contributory_factors == ["A", "B"]

    logged_in(tom).post(f"{LOG}I-001/close/", {"version": incident.version})

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_the_log_filters_and_exports_what_it_shows(product, sam, tom, release):
    report(product, sam, title="Low harm on 2.4.0", release=release)
    triage(report(product, sam, title="Severe, triaged", reported_harm="low"), tom,
           finding="not_a_hazard", actual_harm="severe", external_report_required=True,
           external_body="lfpse")  # fmt: skip
    client = logged_in(sam)

    page = client.get(LOG, {"harm": "severe"}).text
    assert "Severe, triaged" in page and "Low harm on 2.4.0" not in page
    assert "Low harm on 2.4.0" in client.get(LOG, {"release": "2.4.0"}).text

    xlsx = client.get(f"{LOG}incident-log.xlsx", {"status": "reported"})
    sheet = load_workbook(io.BytesIO(xlsx.content))["Incident Log"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Incident No.", "Product", "Release", "Title")
    assert [r[3] for r in rows[1:]] == ["Low harm on 2.4.0"]
    csv = client.get(f"{LOG}incident-log.csv").content.decode("utf-8-sig")
    assert "Severe, triaged" in csv and "LFPSE" in csv


def test_user_text_is_escaped_and_formulas_neutralised(product, sam):
    report(product, sam, title="<script>alert(1)</script>", description='=HYPERLINK("x")')
    client = logged_in(sam)

    assert "<script>alert(1)" not in client.get(f"{LOG}I-001/").text
    csv = client.get(f"{LOG}incident-log.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv


def test_the_api_reports_filters_triages_and_closes(product, hazard, sam, tom):
    created = api_as(sam).post("/api/incidents/", {
        "product": "medsflow", "title": "Wrong unit", "description": "Seen.",
        "occurred_on": str(timezone.localdate()), "patient_affected": False,
        "reported_harm": "none",
    }, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["reference"] == "I-001"
    assert len(api_as(sam).get("/api/incidents/", {"status": "reported"}).json()["results"]) == 1
    assert api_as(sam).get("/api/incidents/", {"harm": "death"}).json()["results"] == []

    body = {"version": 1, "actual_harm": "none", "finding": "hazard_realised",
            "hazards": ["H-404"], "reassessment_required": False,
            "external_report_required": False}  # fmt: skip
    bad = api_as(tom).post(f"/api/incidents/{pk}/triage/", body, format="json")
    assert bad.status_code == 400 and "H-404" in str(bad.json())
    refused = api_as(sam).post(f"/api/incidents/{pk}/triage/", {**body, "hazards": ["H-001"]},
                               format="json")  # fmt: skip
    assert refused.status_code == 403

    triaged = api_as(tom).post(f"/api/incidents/{pk}/triage/", {**body, "hazards": ["H-001"]},
                               format="json")  # fmt: skip
    assert triaged.json()["hazards"] == ["H-001"]
    closing = api_as(tom).post(f"/api/incidents/{pk}/close/", {"version": 2}, format="json")
    assert closing.status_code == 400
    assert set(closing.json()) == {"findings", "learning"}


def test_a_deployer_reports_through_the_api_but_cannot_list_the_log(deployer):
    created = api_as(deployer).post("/api/incidents/", {
        "product": "medsflow", "title": "Wrong unit", "description": "Seen.",
        "occurred_on": str(timezone.localdate()), "patient_affected": False,
        "reported_harm": "none", "release": None,
    }, format="json")  # fmt: skip

    assert created.status_code == 201, created.json()
    assert created.json()["reporting_organisation"] == "elsewhere"
    assert api_as(deployer).get("/api/incidents/").json()["results"] == []


def test_a_deployer_sees_and_names_only_the_versions_it_received(deployer, product, cso, sam):
    from clinsafe.products.releases import create_release

    received = create_release(actor=sam, product=product, version="2.4.0")
    pending = create_release(actor=sam, product=product, version="2.5.0-rc1")
    form = logged_in(deployer).get(f"{LOG}report/").text
    assert ">2.4.0<" in form and "2.5.0-rc1" not in form

    named = api_as(deployer).post("/api/incidents/", {
        "product": "medsflow", "title": "Wrong unit", "description": "Seen.",
        "occurred_on": str(timezone.localdate()), "patient_affected": False,
        "reported_harm": "none", "release": pending.version,
    }, format="json")  # fmt: skip
    assert named.status_code == 400
    assert named.json()["release"] == [
        "Elsewhere Trust has not received MedsFlow 2.5.0-rc1 from Northwind Health: name a "
        "version you deploy, or leave it not known."
    ]
    maker = logged_in(cso).get(f"{LOG}report/").text
    assert received.version in maker and pending.version in maker


def test_an_incident_after_the_evidence_was_reviewed_is_a_warning_in_the_argument(
    cso, tom, release, product, hazard, sam
):
    argue_for(release, cso, tom)
    assert "incident-after-review" not in [f.rule for f in check_working(product).report.findings]

    triage(report(product, sam), tom, hazards=[hazard], reassessment_required=False)

    assert "incident-after-review" in [f.rule for f in check_working(product).report.findings]


def test_the_safety_case_report_lists_the_incidents(release, product, sam, tom, hazard):
    triage(report(product, sam), tom, hazards=[hazard])

    document = builders.safety_case_report(release)
    section = next(s for s in document.sections if s.title == "Incidents since the last report")
    table = section.blocks[1]
    assert table.rows[0][0] == "I-001"
    assert table.rows[0][4] == "H-001"
