"""The releases API and the gate endpoint, as people and pipelines use them."""

import pytest

from clinsafe.audit.models import AuditEvent
from clinsafe.gate import services as gate
from tests.conftest import PASSWORD, api_as, argue_for, raise_hazard
from tests.gate.conftest import assessed, review_all, sign_off

pytestmark = pytest.mark.django_db

RELEASES = "/api/products/medsflow/releases/"


def test_a_pipeline_plans_a_release_with_its_configuration(sam, product):
    hazard = raise_hazard(product, sam)
    response = api_as(sam).post(
        RELEASES,
        {
            "version": "3.0.0",
            "summary": "New dose calculator",
            "build_identifier": "ci-1234",
            "components": {"web": "3.0.0", "dictionary": "2026.11"},
            "safety_settings": {"dose_alerts": "on"},
            "hazards": [{"hazard": hazard.reference, "change": "adds"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["hazards"] == [{"hazard": "H-001", "change": "adds"}]
    assert response.data["status"] == "planning"
    assert response.data["components"] == {"web": "3.0.0", "dictionary": "2026.11"}
    assert AuditEvent.objects.filter(event_type="release.planned").count() == 1


def test_it_lists_a_products_releases_by_version(sam, release):
    response = api_as(sam).get(RELEASES)
    assert response.status_code == 200
    assert [r["version"] for r in response.data["results"]] == ["2.4.0"]


def test_it_refuses_bad_input_naming_the_field(sam, product, release):
    client = api_as(sam)
    duplicate = client.post(RELEASES, {"version": "2.4.0"}, format="json")
    assert duplicate.status_code == 400
    assert "already has a release with this version" in str(duplicate.data)
    unknown = client.post(
        RELEASES, {"version": "3.0", "hazards": [{"hazard": "H-999", "change": "adds"}]},
        format="json",
    )  # fmt: skip
    assert unknown.status_code == 400
    assert unknown.data == {"hazards": ["MedsFlow has no hazard H-999."]}
    nested = client.post(
        RELEASES, {"version": "3.1", "components": {"web": {"v": 1}}}, format="json"
    )
    assert nested.status_code == 400
    assert "components" in nested.data
    bad_version = client.post(RELEASES, {"version": "../etc"}, format="json")
    assert bad_version.status_code == 400
    assert "version" in bad_version.data


def test_configuration_updates_need_the_current_revision(sam, release):
    client = api_as(sam)
    url = f"{RELEASES}2.4.0/"
    response = client.patch(url, {"build_identifier": "ci-2", "revision": 1}, format="json")
    assert response.status_code == 200
    assert response.data["revision"] == 2
    stale = client.patch(url, {"build_identifier": "ci-3", "revision": 1}, format="json")
    assert stale.status_code == 409
    assert stale.data["code"] == "stale_version"


def test_a_viewer_may_read_but_not_plan(alex, release):
    client = api_as(alex)
    assert client.get(f"{RELEASES}2.4.0/").status_code == 200
    assert client.post(RELEASES, {"version": "9.0"}, format="json").status_code == 403


def test_another_organisation_sees_nothing(charlie, release):
    assert api_as(charlie).get(RELEASES).status_code == 404
    assert api_as(charlie).get(f"{RELEASES}2.4.0/gate/").status_code == 404


def test_the_gate_endpoint_gives_the_decision_rules_and_sign_off(cso, sam, tom, release, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    argue_for(release, cso, tom)
    signature = sign_off(cso, release)
    response = api_as(sam).get(f"{RELEASES}2.4.0/gate/")
    assert response.status_code == 200
    body = response.data
    assert body["decision"] == "approved"
    assert {r["code"] for r in body["rules"]} >= {
        "cso", "residual_assessed", "unacceptable_risk", "risk_accepted", "controls_in_place",
        "hazards_reviewed", "no_open_block", "signed_off", "argument",
    }  # fmt: skip
    assert body["sign_off"]["snapshot_hash"] == signature.snapshot_hash
    assert body["sign_off"]["stale"] is False
    assert body["blocks"] == [] and body["overrides"] == []


def test_the_gate_endpoint_shows_blocks_and_overrides(cso, helen, sam, release):
    from tests.gate.test_services import JUSTIFICATION

    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Not tested.")
    gate.override_release(
        actor=helen, release=release, password=PASSWORD, justification=JUSTIFICATION
    )
    body = api_as(sam).get(f"{RELEASES}2.4.0/gate/").data
    assert body["approved_by_override"] is True
    assert body["blocks"][0]["statement"] == "Not tested."
    assert body["overrides"][0]["statement"] == JUSTIFICATION
    assert body["overrides"][0]["overridden"]["decision"] == "blocked"


def test_the_gate_query_count_does_not_grow_with_the_hazard_log(cso, sam, release, product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinsafe.hazards.sample import generate_hazards

    client = api_as(sam)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{RELEASES}2.4.0/gate/").status_code == 200
        return len(captured)

    generate_hazards(product, 5, author=cso)
    at_5 = queries()
    generate_hazards(product, 95, author=cso, seed=2)
    assert queries() == at_5


def test_a_release_list_reads_the_hazard_log_once_not_per_release(cso, sam, release, product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinsafe.products.releases import create_release

    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    client = api_as(sam)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(RELEASES).status_code == 200
        return len(captured)

    with_one = queries()
    for version in ("2.5.0", "2.6.0", "2.7.0"):
        create_release(actor=sam, product=product, version=version)
    # Each further release costs only its own records (links, signatures, previous release,
    # the argument put forward for it, its compliance assessment and that one's signature,
    # its changes).
    assert queries() - with_one <= 3 * 9
