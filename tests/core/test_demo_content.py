"""What the demo shows, loaded once for the module."""

import pytest

from clinsafe.products.models import Product

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_release_in_each_state_of_the_gate(demo_data):
    from clinsafe.gate.evaluation import gate_report

    product = Product.objects.get(slug="demo-eprescribing")
    reports = {r.version: gate_report(r) for r in product.releases.all()}
    assert {v: r["status"] for v, r in reports.items()} == {
        "2.3.0": "released",
        "2.4.0": "approved",
        "2.4.1": "blocked_by_cso",  # Priya's block
        "2.5.0": "rules_not_met",  # its argument has an open doubt; nobody blocked it
        "2.4.2": "planning",
    }
    argument = next(r for r in reports["2.5.0"]["rules"] if r["code"] == "argument")
    assert argument["outcome"] == "blocked"
    # In words: each node with its text, and no check's code.
    assert "Doubt D2 (“The redesigned discharge reconciliation screen" in argument["message"]
    assert "Evidence Sn1 (“System test report ST-24-017" in argument["message"]
    assert "open-doubt" not in argument["message"]
    assert reports["2.3.0"]["approved_by_override"] is True
    assert reports["2.3.0"]["blocks"][0]["open"] is True


def test_the_demo_has_life_after_go_live(demo_data):
    from clinsafe.gate.evaluation import gate_report
    from clinsafe.incidents.models import Finding

    product = Product.objects.get(slug="demo-eprescribing")
    incidents = {i.finding: i for i in product.incidents.all()}
    assert incidents[Finding.NEW_HAZARD].hazards.get().title == (
        "Dose unit missing from printed discharge prescriptions"
    )
    assert incidents[Finding.CONTROL_FAILED].failed_controls.exists()
    assert incidents[Finding.HAZARD_REALISED].reporting_organisation.slug == "riverside-trust"
    through_api = product.changes.filter(source="api")
    assert through_api.filter(assessed_at__isnull=False).exists()
    waiting = through_api.get(assessed_at__isnull=True)
    rule = next(r for r in gate_report(waiting.release)["rules"] if r["code"] == "changes_assessed")
    assert (waiting.release.version, rule["outcome"]) == ("2.4.2", "pending")


def test_the_demo_has_a_trust_deploying_the_product_from_its_suppliers_bundle(demo_data):
    from clinsafe.deployments.models import Deployment
    from clinsafe.deployments.records import arrival, go_live, newer_bundle, transfers
    from clinsafe.gate.evaluation import gate_report

    deployment = Deployment.objects.get(organisation__slug="riverside-trust")
    assert deployment.bundle.release_version == "2.3.0"
    decisions = {t.state for t in transfers(deployment)}
    assert decisions == {"Accepted and implemented locally", "Rejected"}
    rejected = next(t for t in transfers(deployment) if t.rejected)
    local = deployment.record.hazards.all()
    assert len(local) == 3 and rejected.decision.local_hazard in local  # two of its own
    released = go_live(deployment)
    gate = gate_report(released)
    assert (released.version, gate["status"], gate["decision"]) == ("2.3.0", "released", "approved")
    assert deployment.in_use_reviews.count() == 1
    forwarded = deployment.record.incidents.get().forwarded_to
    assert forwarded.product.slug == "demo-eprescribing"
    newer = newer_bundle(deployment)
    assert newer.release_version == "2.4.0"
    shown = arrival(deployment, newer)
    assert shown.comparison.any
    accepted = next(t for t in transfers(deployment) if not t.rejected)
    assert shown.review_again[0].startswith(f"Decision on MF:{accepted.reference} (accepted")
