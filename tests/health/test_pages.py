"""The health pages, the board report (HTML and PDF, read back) and the API, on the demo:
demo-eprescribing's CSO is real, demo-results-viewer's is hollow."""

import io

import pytest
from pypdf import PdfReader

from clinsafe.core.models import Organisation
from tests.conftest import api_as, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_data, django_user_model):
    return {u.username: u for u in django_user_model.objects.all()}


def test_the_api_says_which_product_has_a_real_cso(demo):
    client = api_as(demo["viewer"])
    real = client.get("/api/products/demo-eprescribing/cso-health/").data
    assert real["status"] == "sound"
    assert set(real["needs"]) == {
        "credentials", "understanding", "time", "process", "authority", "early_engagement",
    }  # fmt: skip
    hollow = client.get("/api/products/demo-results-viewer/cso-health/").data
    assert hollow["status"] == "hollow"
    assert {k: v["status"] for k, v in hollow["needs"].items()} == {
        "credentials": "hollow", "understanding": "at_risk", "time": "hollow",
        "process": "sound", "authority": "hollow", "early_engagement": "hollow",
    }  # fmt: skip
    assert hollow["needs"]["authority"]["summary"] == (
        "Raj Patel cannot stop a release: the role is advisory only."
    )
    assert hollow["needs"]["early_engagement"]["evidence"][0].endswith(
        "CSO first acted 0 days before."
    )
    bad = client.get("/api/products/demo-results-viewer/cso-health/?start=2026-13-01")
    assert bad.status_code == 400


def test_the_product_page_says_plainly_where_the_role_is_hollow(demo):
    page = logged_in(demo["viewer"]).get("/products/demo-results-viewer/cso-health/").text
    assert "Is the CSO role real?" in page
    assert "Raj Patel cannot stop a release: the role is advisory only." in page
    assert "What would make it real:</strong> Grant the appointment authority to block" in page
    assert "overrides_hollow" in page  # the thresholds are shown


def test_a_cso_records_time_from_the_page(demo):
    client = logged_in(demo["cso"])
    page = client.get("/products/demo-eprescribing/cso-health/").text
    assert "Record your time" in page
    client.post(
        "/products/demo-eprescribing/cso-health/time/",
        {"week_starting": "2026-11-16", "hours": "7.5", "note": "Hazard workshop"},
    )
    page = client.get("/products/demo-eprescribing/cso-health/").text
    assert "Week of 16 November 2026: 7.5 h — Hazard workshop" in page
    assert (
        "Record your time"
        not in logged_in(demo["viewer"]).get("/products/demo-eprescribing/cso-health/").text
    )


def test_the_organisation_page_shows_every_product(demo):
    page = logged_in(demo["executive"]).get("/organisations/northwind-health/cso-health/").text
    for name in ("MedsFlow e-Prescribing", "ResultsView", "Clinic Letters", "TriageBot"):
        assert name in page
    assert "Record process review" not in page  # an executive does not hold the review


def test_the_board_report_lists_every_override_in_html_and_pdf(demo):
    client = logged_in(demo["executive"])
    html = client.get("/organisations/northwind-health/board-report/").text
    assert html.count('class="override"') == 2
    assert "MedsFlow e-Prescribing 2.3.0 released over the CSO's block by Helen Ward" in html
    assert "ResultsView 1.4.0 released over the CSO's position by Helen Ward" in html
    response = client.get("/organisations/northwind-health/board-report.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Clinical safety board report" in text
    assert "2.3.0 released over the CSO's block by Helen Ward" in text
    assert "Release 2.3.0 carries the fix for the interaction-warning outage" in text
    assert "Raj Patel cannot stop a release" in text


def test_someone_outside_sees_no_health_or_board_report(demo):
    outsider = demo["riverside-cso"]
    assert logged_in(outsider).get("/products/demo-eprescribing/cso-health/").status_code == 404
    assert (
        logged_in(outsider).get("/organisations/northwind-health/board-report/").status_code == 404
    )
    assert Organisation.objects.filter(slug="northwind-health").exists()


def test_the_board_report_lists_open_incidents_and_overdue_actions(demo):
    html = logged_in(demo["executive"]).get("/organisations/northwind-health/board-report/").text

    assert "MedsFlow e-Prescribing I-002 Dose unit missing on printed discharge" in html
    assert "I-002: preventive action owned by Sam Lee" in html
    assert "The safety incident log is not kept" not in html


def test_the_board_report_of_a_deploying_trust_lists_in_use_reviews_overdue(demo):
    from datetime import timedelta

    from django.utils import timezone

    client = logged_in(demo["riverside-exec"])
    today = timezone.localdate()
    now = client.get("/organisations/riverside-trust/board-report/").text
    assert "In-use review of MedsFlow e-Prescribing at Riverside" not in now
    later = today + timedelta(days=120)  # the demo's review was ten days ago, every 3 months
    html = client.get(
        f"/organisations/riverside-trust/board-report/?start={today}&end={later}"
    ).text
    assert "In-use review of MedsFlow e-Prescribing at Riverside Community Hospital" in html
