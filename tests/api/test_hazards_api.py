"""The hazard log through the REST API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from clinsafe.audit.models import AuditEvent, EventType
from clinsafe.core.services import create_token, revoke_token
from clinsafe.hazards.models import Control, Hazard, RiskEstimate
from clinsafe.hazards.sample import generate_hazards
from tests.conftest import api_as, raise_hazard

pytestmark = pytest.mark.django_db


class TestHazardList:
    def test_it_lists_visible_hazards_with_current_risk(self, hazard, other_product, charlie, alex):
        raise_hazard(other_product, charlie)
        body = api_as(alex).get("/api/hazards/").json()
        assert body["count"] == 1
        [item] = body["results"]
        assert item["reference"] == "H-001" and item["product"] == "medsflow"
        assert item["initial_risk"] == {
            "severity": 4,
            "severity_label": "Major",
            "likelihood": 3,
            "likelihood_label": "Medium",
            "rating": 3,
            "acceptability": "Undesirable",
        }
        assert item["residual_risk"]["rating"] == 2

    def test_it_filters_like_the_hazard_log_page(self, hazard, product, tom):
        raise_hazard(product, tom, title="Allergy alert missing")
        client = api_as(tom)
        assert [h["title"] for h in client.get("/api/hazards/?q=allergy").json()["results"]] == [
            "Allergy alert missing"
        ]
        assert client.get("/api/hazards/?residual_rating=2").json()["count"] == 1
        assert client.get("/api/hazards/?product=medsflow&status=open").json()["count"] == 2

    def test_its_query_count_does_not_grow_with_the_log(self, product, tom):
        client = api_as(tom)

        def queries_for_list():
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/api/hazards/").status_code == 200
            return len(queries)

        generate_hazards(product, 10, author=tom)
        at_10 = queries_for_list()
        generate_hazards(product, 490, author=tom)
        assert queries_for_list() == at_10 == 3  # count, page, controls

    def test_a_personal_token_authenticates_until_revoked(self, hazard, alex):
        token, key = create_token(actor=alex, name="CI")
        client = APIClient()
        assert client.get("/api/hazards/").status_code == 401
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/hazards/").json()["count"] == 1
        revoke_token(actor=alex, token=token)
        response = client.get("/api/hazards/")
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or revoked token."}


class TestHazardWrites:
    def test_tom_raises_a_hazard(self, product, tom, priya):
        response = api_as(tom).post(
            "/api/hazards/",
            {
                "product": "medsflow",
                "title": "Wrong patient",
                "description": "d",
                "causes": ["Two tabs"],
                "owner": "priya",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["reference"] == "H-001"
        assert response.json()["version"] == 1
        assert Hazard.objects.get().owner == priya

    def test_validation_errors_name_each_field(self, product, tom):
        response = api_as(tom).post(
            "/api/hazards/", {"product": "medsflow", "causes": "not a list"}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"title", "description", "causes"}

    def test_a_product_of_another_organisation_is_unknown(self, other_product, tom):
        response = api_as(tom).post(
            "/api/hazards/",
            {"product": "local-pas", "title": "t", "description": "d"},
            format="json",
        )
        assert response.status_code == 400
        assert response.json() == {"product": ["Object with slug=local-pas does not exist."]}

    def test_an_update_needs_the_version_and_a_stale_one_gets_409(self, hazard, tom):
        client = api_as(tom)
        url = f"/api/hazards/{hazard.pk}/"
        missing = client.patch(url, {"title": "New"}, format="json")
        assert missing.status_code == 400 and list(missing.json()) == ["version"]
        ok = client.patch(url, {"title": "New", "version": hazard.version}, format="json")
        assert ok.status_code == 200 and ok.json()["version"] == hazard.version + 1
        stale = client.patch(url, {"title": "Newer", "version": hazard.version}, format="json")
        assert stale.status_code == 409
        assert stale.json()["code"] == "stale_version"
        assert stale.json()["current_version"] == hazard.version + 1
        assert Hazard.objects.get().title == "New"

    def test_a_viewer_is_refused_with_403_naming_the_roles(self, hazard, alex):
        response = api_as(alex).patch(
            f"/api/hazards/{hazard.pk}/", {"title": "x", "version": hazard.version}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["detail"].startswith("You may not edit a hazard in Northwind Health")

    def test_another_organisation_gets_404(self, hazard, charlie):
        assert api_as(charlie).get(f"/api/hazards/{hazard.pk}/").status_code == 404

    def test_hazards_cannot_be_deleted(self, hazard, priya):
        assert api_as(priya).delete(f"/api/hazards/{hazard.pk}/").status_code == 405
        assert Hazard.objects.filter(pk=hazard.pk).exists()

    def test_status_and_withdrawal_are_actions_with_reasons(self, hazard, priya):
        client = api_as(priya)
        refused = client.post(
            f"/api/hazards/{hazard.pk}/status/",
            {"status": "transferred", "version": hazard.version},
        )
        assert refused.status_code == 400
        assert refused.json() == {"reason": ["Say why the hazard is transferred."]}
        done = client.post(
            f"/api/hazards/{hazard.pk}/withdraw/",
            {"reason": "Duplicate", "version": hazard.version},
        )
        assert done.status_code == 200 and done.json()["withdrawn_reason"] == "Duplicate"
        assert client.get("/api/hazards/").json()["count"] == 0
        assert client.get("/api/hazards/?withdrawn=true").json()["count"] == 1


class TestRiskEstimates:
    def test_assessing_adds_an_estimate_with_a_derived_rating(self, hazard, tom):
        response = api_as(tom).post(
            "/api/risk-estimates/",
            {"hazard": hazard.pk, "stage": "residual", "severity": 4, "likelihood": 2, "rating": 1},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["rating"] == 3  # the typed-in rating is ignored
        assert RiskEstimate.objects.filter(hazard=hazard).count() == 3

    def test_a_broken_rule_is_a_400_naming_the_field(self, hazard, tom):
        response = api_as(tom).post(
            "/api/risk-estimates/",
            {
                "hazard": hazard.pk,
                "stage": "residual",
                "severity": 5,
                "likelihood": 1,
                "rationale": "r",
            },
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["severity"][0].startswith("Residual severity (Catastrophic)")

    def test_the_history_is_listed_per_hazard(self, hazard, alex):
        body = api_as(alex).get(f"/api/risk-estimates/?hazard={hazard.pk}").json()
        assert [e["stage"] for e in body["results"]] == ["residual", "initial"]


class TestControls:
    def test_sam_adds_links_and_verifies_a_control(self, hazard, product, tom, sam):
        other = raise_hazard(product, tom, title="Wrong patient")
        client = api_as(sam)
        created = client.post(
            "/api/controls/",
            {
                "product": "medsflow",
                "description": "Banner",
                "kind": "design",
                "hazards": [hazard.pk],
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        control_id = created.json()["id"]
        linked = client.post(f"/api/controls/{control_id}/link/", {"hazard": other.pk})
        assert sorted(linked.json()["hazards"]) == sorted([hazard.pk, other.pk])
        refused = client.patch(
            f"/api/controls/{control_id}/", {"status": "verified", "version": 1}, format="json"
        )
        assert refused.status_code == 400 and list(refused.json()) == ["verification_evidence"]
        verified = client.patch(
            f"/api/controls/{control_id}/",
            {"status": "verified", "verification_link": "https://ci.example/run/7", "version": 1},
            format="json",
        )
        assert verified.status_code == 200 and verified.json()["status"] == "verified"
        assert Control.objects.get().version == 2
        assert AuditEvent.objects.filter(event_type=EventType.CONTROL_LINKED).count() == 3


def test_the_openapi_schema_and_docs_are_served(alex):
    client = api_as(alex)
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/hazards/",
        "/api/hazards/{id}/status/",
        "/api/risk-estimates/",
        "/api/controls/",
    } <= set(paths)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
