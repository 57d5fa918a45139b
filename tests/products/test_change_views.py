"""Changes on the pages and through the API, as a tracker, Sam the engineer and Priya the
CSO would use them."""

import pytest
from rest_framework.test import APIClient

from clinsafe.core import services as people
from clinsafe.core.models import Notification
from clinsafe.products.models import Change
from tests.conftest import api_as, logged_in

pytestmark = pytest.mark.django_db
CHANGES = "/products/medsflow/changes/"


def test_a_tracker_proposes_a_change_with_a_token_and_it_lands_in_the_queue(cso, sam, release):
    _, key = people.create_token(actor=sam, name="Issue tracker")
    response = APIClient().post(
        "/api/changes/",
        {"product": "medsflow", "kind": "release", "title": "Renal dose alerts",
         "description": "Adds eGFR-based alerts.", "link": "https://tracker.example/MF-1",
         "components": ["alerts"], "release": "2.4.0"},
        format="json", HTTP_AUTHORIZATION=f"Token {key}",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    change = Change.objects.get()
    assert (change.source, change.proposed_by, change.release) == ("api", sam, release)
    assert Notification.objects.filter(recipient=cso, message__contains="CH-001").exists()
    queue = logged_in(cso).get(CHANGES).text
    assert "Renal dose alerts" in queue and "(API)" in queue
    assert "CH-001" in logged_in(cso).get("/products/medsflow/releases/2.4.0/").text


def test_the_cso_assesses_on_the_page_with_errors_named(cso, sam, hazard, release):
    logged_in(sam).post(f"{CHANGES}new/", {"kind": "configuration", "title": "Alerts on"})
    change = Change.objects.get()
    form = {"version": change.version, "new_hazards": "False", "alters_clinical_risk": "True",
            "conclusion": "Alters dosing."}  # fmt: skip

    refused = logged_in(cso).post(f"{CHANGES}CH-001/assess/", form)
    assert "A change that alters clinical risk touches hazards" in refused.text
    assert "choose the release that carries it" in refused.text

    logged_in(cso).post(f"{CHANGES}CH-001/assess/",
                        {**form, "hazards": "H-001", "release": release.pk})  # fmt: skip
    change.refresh_from_db()
    assert change.is_assessed and change.release == release
    assert "Assessed" in logged_in(sam).get(f"{CHANGES}CH-001/").text


def test_a_decommissioning_assessment_asks_for_each_topic(cso, sam):
    logged_in(sam).post(f"{CHANGES}new/", {"kind": "decommissioning", "title": "Retire"})
    page = logged_in(cso).get(f"{CHANGES}CH-001/assess/").text
    for topic in ("data retention", "access to historic records", "transition to a successor"):
        assert f"Hazard for {topic}" in page


def test_only_the_cso_may_assess_through_the_api(cso, sam, hazard):
    api_as(sam).post("/api/changes/", {"product": "medsflow", "kind": "infrastructure",
                                       "title": "New database server"}, format="json")  # fmt: skip
    pk = Change.objects.get().pk
    body = {"version": 1, "hazards": ["H-001"], "new_hazards": False,
            "alters_clinical_risk": False, "conclusion": "No effect."}  # fmt: skip

    assert api_as(sam).post(f"/api/changes/{pk}/assess/", body, format="json").status_code == 403
    unknown = api_as(cso).post(f"/api/changes/{pk}/assess/", {**body, "hazards": ["H-9"]},
                               format="json")  # fmt: skip
    assert unknown.status_code == 400 and "H-009" in str(unknown.json())
    queue = {"product": "medsflow", "assessed": "false"}
    assert len(api_as(cso).get("/api/changes/", queue).json()["results"]) == 1
    assessed = api_as(cso).post(f"/api/changes/{pk}/assess/", body, format="json")
    assert assessed.json()["hazards"] == [{"hazard": "H-001", "topic": ""}]
    assert api_as(cso).get("/api/changes/", queue).json()["results"] == []


def test_the_product_page_refuses_decommissioning_without_its_hazards(cso, product):
    response = logged_in(cso).post("/products/medsflow/edit/", {
        "name": "MedsFlow", "lifecycle_status": "decommissioned", "version": product.version,
    })  # fmt: skip

    assert "the CSO assesses a decommissioning change naming its hazards for: data " in (
        response.text
    )
    product.refresh_from_db()
    assert product.lifecycle_status != "decommissioned"
