"""Go-live through the same gate as a release, with DCB0160's own rules, and what follows:
a newer supplier bundle, in-use reviews, forwarded incidents and decommissioning."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from clinsafe.deployments import in_use
from clinsafe.deployments import services as deploying
from clinsafe.deployments.models import SupplierBundle
from clinsafe.deployments.records import (
    arrival,
    newer_bundle,
    next_review_due,
    transfers,
)
from clinsafe.deployments.records import (
    go_live as went_live,
)
from clinsafe.gate import services as gate
from clinsafe.gate.evaluation import gate_report
from clinsafe.hazards import services as hazards
from clinsafe.incidents.models import Incident
from clinsafe.products.changes import assess_change, propose_change
from clinsafe.reports.bundle import export_bundle
from clinsafe.reports.models import DocumentKind, IssuedDocument
from tests.conftest import PASSWORD
from tests.deployments.conftest import WARD_LISTS, go_live, ready_for_go_live, transferred
from tests.gate.conftest import sign_off
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

DEPLOYMENT_RULES = ["supplier_assurance", "transfers_decided", "deployment_plan",
                    "deployment_risks_accepted"]  # fmt: skip


def outcomes(release):
    return {r["code"]: r["outcome"] for r in gate_report(release)["rules"]}


def pdf_text(issued):
    return " ".join(p.extract_text() for p in PdfReader(BytesIO(bytes(issued.content))).pages)


def test_a_new_deployments_gate_waits_on_each_dcb0160_rule(deployment):
    rules = outcomes(deployment.record.releases.get())
    assert [rules[code] for code in DEPLOYMENT_RULES] == ["pending"] * 4
    assert "compliance" not in rules  # DCB0129 compliance is the supplier's


def test_a_manufacturers_release_has_no_deployment_rules(shipped):
    assert not set(DEPLOYMENT_RULES) & set(outcomes(shipped))


def test_evidence_found_insufficient_blocks_go_live(deployment, rita):
    deploying.review_assurance(actor=rita, deployment=deployment, conclusion="insufficient",
                               comment="No safety case report.")  # fmt: skip
    report_ = gate_report(deployment.record.releases.get())
    rule = next(r for r in report_["rules"] if r["code"] == "supplier_assurance")
    assert (report_["decision"], rule["outcome"]) == ("blocked", "blocked")
    assert "No safety case report." in rule["message"]


def test_go_live_needs_the_local_sign_off_and_the_executives_acceptance(deployment, rita, ed, ren):
    release = ready_for_go_live(deployment, rita, ed, ren)
    rules = outcomes(release)
    assert {c: o for c, o in rules.items() if o != "passed"} == {
        "signed_off": "pending",
        "deployment_risks_accepted": "pending",
    }
    sign_off(rita, release)
    with pytest.raises(ValidationError, match="The gate has not approved"):
        gate.record_released(actor=rita, release=release)
    deploying.accept_deployment_risks(actor=ed, deployment=deployment, password=PASSWORD,
                                      statement="Accepted.")  # fmt: skip
    assert gate_report(release)["decision"] == "approved"


def test_the_local_cso_sign_off_issues_the_deployment_safety_case_report(deployment, rita, ed, ren):
    released = go_live(deployment, rita, ed, ren)
    assert went_live(deployment) == released
    deployment.record.refresh_from_db()
    assert deployment.record.lifecycle_status == "live"
    issued = IssuedDocument.objects.get(
        product=deployment.record, kind=DocumentKind.SAFETY_CASE_REPORT
    )
    assert issued.issued_by == rita
    text = pdf_text(issued)
    assert "under DCB0160" in text and "Supplier assurance" in text
    assert "Controls transferred by the supplier" in text and "Rejected" in text
    assert "DCB0129 compliance assessment" not in text


def test_the_sign_off_covers_the_deployments_decisions(deployment, rita, ed, ren):
    release = ready_for_go_live(deployment, rita, ed, ren)
    sign_off(rita, release)
    deploying.review_assurance(actor=rita, deployment=deployment, conclusion="conditions",
                               comment="Only with pharmacist checks.")  # fmt: skip
    rule = next(r for r in gate_report(release)["rules"] if r["code"] == "signed_off")
    assert rule["outcome"] == "pending" and "stale" in rule["message"]


@pytest.fixture
def newer(shipped, rita, tom, sam, product, elsewhere):
    """Northwind rewords the ward-lists control and ships 2.5.0; the trust receives it."""
    from clinsafe.products.releases import create_release

    control = product.controls.get(description=WARD_LISTS)
    hazards.edit_control(actor=tom, control=control, version=control.version,
                         description=f"{WARD_LISTS}, checked after each ward move")  # fmt: skip
    release = create_release(actor=sam, product=product, version="2.5.0")
    return deploying.import_supplier_bundle(
        actor=rita, organisation=elsewhere, data=export_bundle(release)
    )


def test_a_newer_bundle_shows_the_changes_and_what_to_review_again(deployment, rita, newer):
    reference = transferred(deployment, WARD_LISTS)
    deploying.decide_transfer(actor=rita, deployment=deployment, reference=reference,
                              decision="accepted", implementation="Pharmacy.")  # fmt: skip
    assert newer_bundle(deployment) == newer
    shown = arrival(deployment, newer)
    assert [c["reference"] for c, fields in shown.comparison.controls.changed] == [reference]
    assert shown.review_again[0] == (
        f"Decision on MF:{reference} (accepted and implemented locally): the supplier changed the "
        "control."
    )
    assert shown.review_again[-1] == "The supplier assurance record, for 2.5.0."


def test_adopting_a_newer_bundle_before_go_live_moves_the_go_live_and_reopens_decisions(
    deployment, rita, newer
):
    reference = transferred(deployment, WARD_LISTS)
    deploying.decide_transfer(actor=rita, deployment=deployment, reference=reference,
                              decision="accepted", implementation="Pharmacy.")  # fmt: skip
    deploying.adopt_bundle(actor=rita, deployment=deployment, bundle=newer)
    deployment.refresh_from_db()
    assert deployment.bundle == newer
    assert [r.version for r in deployment.record.releases.all()] == ["2.5.0"]
    state = {t.reference: t.state for t in transfers(deployment)}
    assert state[reference] == "Review again: the supplier changed it"
    rule = next(r for r in gate_report(deployment.record.releases.get())["rules"]
                if r["code"] == "transfers_decided")  # fmt: skip
    assert rule["outcome"] == "pending" and reference in rule["message"]
    deploying.decide_transfer(actor=rita, deployment=deployment, reference=reference,
                              decision="accepted", implementation="Moves too.")  # fmt: skip
    assert next(t for t in transfers(deployment) if t.reference == reference).current


def test_after_go_live_adopting_a_newer_bundle_plans_an_upgrade(deployment, rita, ed, ren, newer):
    go_live(deployment, rita, ed, ren)
    deploying.adopt_bundle(actor=rita, deployment=deployment, bundle=newer)
    upgrade = deployment.record.releases.get(version="2.5.0")
    assert upgrade.summary.startswith("Upgrade to MedsFlow 2.5.0")
    assert gate_report(upgrade)["decision"] == "pending"


def test_only_the_newest_newer_bundle_can_be_adopted(deployment, rita, bundle):
    with pytest.raises(ValidationError, match="Only the newest bundle"):
        deploying.adopt_bundle(actor=rita, deployment=deployment, bundle=bundle)


def test_an_in_use_review_needs_go_live_and_issues_its_report(deployment, rita, ed, ren):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="has not gone live"):
        in_use.record_in_use_review(actor=rita, deployment=deployment, held_on=today,
                                    findings="Fine.", continue_use=True)  # fmt: skip
    go_live(deployment, rita, ed, ren)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        in_use.record_in_use_review(actor=rita, deployment=deployment,
                                    held_on=today + timedelta(days=1), findings="Fine.",
                                    continue_use=True)  # fmt: skip
    review = in_use.record_in_use_review(
        actor=rita, deployment=deployment, held_on=today, findings="No harm in the first month.",
        continue_use=True,
    )  # fmt: skip
    assert "No harm in the first month." in pdf_text(review.report)
    assert review.report.kind == DocumentKind.IN_USE_REVIEW
    due = next_review_due(deployment, went_live(deployment))
    assert (due.year * 12 + due.month) - (today.year * 12 + today.month) == 12


def test_an_incident_at_the_deployment_is_forwarded_to_the_suppliers_log(
    deployment, rita, ren, product
):
    local = report(deployment.record, ren, deployment="Ward 2")
    forwarded = in_use.forward_incident(actor=ren, deployment=deployment, incident=local)
    assert forwarded.product == product
    assert forwarded.release.version == "2.4.0"
    assert forwarded.reporting_organisation == deployment.organisation
    assert f"from its incident {local.reference}" in forwarded.detail
    assert Incident.objects.get(pk=local.pk).forwarded_to == forwarded
    local.refresh_from_db()
    with pytest.raises(ValidationError, match="already forwarded"):
        in_use.forward_incident(actor=ren, deployment=deployment, incident=local)


def test_an_incident_cannot_go_to_a_supplier_that_keeps_its_log_elsewhere(
    deployment, rita, ren, product
):
    # As a bundle from a supplier with no records here is kept: linked to no product.
    SupplierBundle.objects.filter(pk=deployment.bundle_id).update(supplier_product=None)
    deployment.refresh_from_db()
    local = report(deployment.record, ren)
    with pytest.raises(ValidationError, match="does not keep its incident log here"):
        in_use.forward_incident(actor=ren, deployment=deployment, incident=local)


def test_decommissioning_needs_an_assessed_change_then_issues_the_final_report(
    deployment, rita, ed, ren
):
    go_live(deployment, rita, ed, ren)
    fields = {"decommissioned_on": timezone.localdate(), "successor": "CarePoint EPMA",
              "data_migration": "Kept 8 years.", "historic_access": "Archive viewer."}  # fmt: skip
    with pytest.raises(ValidationError, match="decommissioning change naming the hazards of"):
        in_use.decommission_deployment(actor=rita, deployment=deployment, **fields)
    change = propose_change(actor=rita, product=deployment.record, kind="decommissioning",
                            title="Retire MedsFlow")  # fmt: skip
    assess_change(actor=rita, change=change, version=change.version, hazards=[],
                  new_hazards=False, alters_clinical_risk=False, conclusion="Assessed.",
                  decommissioning={})  # fmt: skip
    done = in_use.decommission_deployment(actor=rita, deployment=deployment, **fields)
    assert done.record.lifecycle_status == "decommissioned"
    assert done.record.releases.get().stage == "released"
    text = pdf_text(done.final_report)
    assert "CarePoint EPMA" in text and "Archive viewer." in text
    with pytest.raises(ValidationError, match="is decommissioned"):
        in_use.record_in_use_review(actor=rita, deployment=done, held_on=timezone.localdate(),
                                    findings="x", continue_use=True)  # fmt: skip
