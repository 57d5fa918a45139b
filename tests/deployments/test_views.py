"""The deployment pages: what the trust's people see and do, and what others cannot."""

import pytest
from django.utils import timezone

from clinsafe.deployments.models import Deployment
from clinsafe.incidents.models import Incident
from tests.conftest import PASSWORD, logged_in
from tests.deployments.conftest import DOWNTIME, WARD_LISTS, transferred
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db


def url(deployment, rest=""):
    return f"/organisations/{deployment.organisation.slug}/deployments/{deployment.pk}/{rest}"


def test_the_trust_records_a_deployment_from_a_bundle_it_received(rita, bundle):
    page = logged_in(rita).get("/organisations/elsewhere/deployments/new/")
    assert f"bundle:{bundle.pk}" in page.content.decode()
    response = logged_in(rita).post(
        "/organisations/elsewhere/deployments/new/",
        {"version": f"bundle:{bundle.pk}", "site": "Ward 9", "clinical_scope": "Adults.",
         "user_groups": "Nurses.", "operating_environment": "Hosted.",
         "go_live_on": timezone.localdate().isoformat(), "review_interval_months": 6},
    )  # fmt: skip
    deployment = Deployment.objects.get()
    assert response.status_code == 302 and response.url == url(deployment)
    assert deployment.review_interval_months == 6


def test_the_form_names_each_field_left_empty(rita, bundle):
    response = logged_in(rita).post("/organisations/elsewhere/deployments/new/", {"site": ""})
    errors = response.context["form"].errors
    assert {"version", "site", "clinical_scope", "user_groups", "go_live_on"} <= set(errors)
    assert not Deployment.objects.exists()


def test_the_overview_shows_the_deployment_and_escapes_what_people_typed(rita, bundle):
    from tests.deployments.conftest import record

    deployment = record(rita, bundle, site="<script>alert(1)</script> ward")
    body = logged_in(rita).get(url(deployment)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ward" in body and "<script>alert" not in body
    assert "Supplier CSO sign-off present and current" in body
    assert DOWNTIME in body and "To decide" in body


def test_the_supplier_cannot_see_the_trusts_deployment(deployment, priya):
    assert logged_in(priya).get(url(deployment)).status_code == 404


def test_the_local_cso_accepts_and_rejects_transferred_controls(deployment, rita):
    client = logged_in(rita)
    accept = transferred(deployment, WARD_LISTS)
    response = client.post(url(deployment, f"transfers/{accept}/"),
                           {"decision": "accepted", "implementation": "Pharmacy."})  # fmt: skip
    assert response.status_code == 302
    reject = transferred(deployment, DOWNTIME)
    response = client.post(url(deployment, f"transfers/{reject}/"), {"decision": "rejected"})
    assert "Say why the control is rejected." in response.content.decode()
    client.post(url(deployment, f"transfers/{reject}/"),
                {"decision": "rejected", "reasons": "No paper kits here."})  # fmt: skip
    body = client.get(url(deployment, "hazard-log/")).content.decode()
    assert "Supplier control" in body and "Controlled locally as" in body


def test_the_suppliers_hazards_carry_its_mark_and_open_read_only(deployment, ren):
    client = logged_in(ren)
    log = client.get(url(deployment, "hazard-log/")).content.decode()
    assert "MF:H-001</a> Dose in wrong unit" in log  # never taken for a local H-001
    page = client.get(url(deployment, "supplier-hazards/H-001/"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<h1>MF:H-001 Dose in wrong unit</h1>" in body and "read-only" in body
    assert "Initial risk</dt>" in body and "Rated " in body  # the whole hazard, as sent
    assert client.post(url(deployment, "supplier-hazards/H-001/")).status_code == 405
    assert client.get(url(deployment, "supplier-hazards/H-999/")).status_code == 404


def test_a_reviewer_may_not_open_the_decision_form(deployment, ren):
    reference = transferred(deployment, WARD_LISTS)
    assert logged_in(ren).get(url(deployment, f"transfers/{reference}/")).status_code == 403


def test_the_executive_signs_the_residual_risks_with_a_password(deployment, ed):
    client = logged_in(ed)
    page = client.get(url(deployment, "accept-risks/")).content.decode()
    assert "H-002" in page
    response = client.post(url(deployment, "accept-risks/"),
                           {"statement": "Accepted.", "password": "wrong"})  # fmt: skip
    assert "The password is not correct" in response.content.decode()
    response = client.post(url(deployment, "accept-risks/"),
                           {"statement": "Accepted.", "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302
    assert "Ed Stone on" in client.get(url(deployment)).content.decode()


def test_an_incident_at_the_deployment_is_forwarded_from_its_page(deployment, ren, product):
    local = report(deployment.record, ren)
    response = logged_in(ren).post(url(deployment, f"incidents/{local.number}/forward/"))
    assert response.status_code == 302
    forwarded = Incident.objects.get(product=product)
    page = logged_in(ren).get(url(deployment)).content.decode()
    assert f"Forwarded as {forwarded.reference} in MedsFlow" in page


def test_the_deployment_list_shows_each_deployment_and_its_gate(deployment, rita):
    body = logged_in(rita).get("/organisations/elsewhere/deployments/").content.decode()
    assert "MedsFlow at Elsewhere General" in body and "Go-live planned" in body


def test_the_api_lists_the_deployments_state_for_its_organisation_only(deployment, rita, ed, priya):
    from tests.conftest import api_as
    from tests.deployments.conftest import decide_both

    decide_both(deployment, rita)
    body = api_as(ed).get("/api/deployments/?organisation=elsewhere").json()
    (row,) = body["results"]
    assert row["state"] == "planning go-live" and row["record"] == deployment.record.slug
    assert row["supplier_version"]["version"] == "2.4.0"
    assert row["gate"]["release"] == "2.4.0" and row["gate"]["decision"] == "pending"
    assert {t["decision"] for t in row["transfers"]} == {"accepted", "rejected"}
    assert row["residual_risks"]["acceptance_current"] is False
    assert api_as(priya).get("/api/deployments/").json()["results"] == []
    assert api_as(priya).get(f"/api/deployments/{deployment.pk}/").status_code == 404


def test_the_local_records_point_back_to_the_deployment(deployment, rita, ren):
    from clinsafe.deployments import in_use

    client = logged_in(rita)
    log = client.get(f"/products/{deployment.record.slug}/").content.decode()
    assert "The local hazard log of a deployment" in log and url(deployment, "hazard-log/") in log
    local = report(deployment.record, ren)
    forwarded = in_use.forward_incident(actor=ren, deployment=deployment, incident=local)
    page = client.get(f"/products/{deployment.record.slug}/incidents/{local.reference}/")
    assert f"As {forwarded.reference} in MedsFlow" in page.content.decode()
