"""Recording a deployment and the local CSO's and executive's decisions (DCB0160)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinsafe.audit.models import AuditEvent
from clinsafe.core.models import OrganisationKind
from clinsafe.deployments import services as deploying
from clinsafe.deployments.models import SupplierBundle
from clinsafe.deployments.records import (
    assurance_checks,
    residual_risks,
    risk_acceptance,
    transfers,
)
from clinsafe.hazards import services as hazards
from clinsafe.reports.bundle import export_bundle
from tests.conftest import PASSWORD, make_person
from tests.deployments.conftest import DOWNTIME, WARD_LISTS, decide_both, record, transferred

pytestmark = pytest.mark.django_db


def test_a_deployment_gets_its_own_safety_record_with_the_go_live_as_first_release(
    deployment, elsewhere, bundle
):
    record_ = deployment.record
    assert record_.organisation == elsewhere
    assert record_.intended_use == "Adult inpatient prescribing; no chemotherapy."
    assert record_.third_party_products == "MedsFlow 2.4.0, made by Northwind Health"
    (go_live,) = record_.releases.all()
    assert (go_live.version, go_live.planned_on) == ("2.4.0", deployment.go_live_on)
    event = AuditEvent.objects.get(event_type="deployment.recorded")
    assert event.data["bundle_sha256"] == bundle.sha256


def test_a_second_deployment_of_the_same_product_gets_a_free_slug(deployment, rita, bundle):
    second = record(rita, bundle, site="Elsewhere Community Hospital")
    assert second.record.slug == f"{deployment.record.slug}-2"


def test_a_manufacturer_cannot_record_a_deployment(bundle, rita, elsewhere):
    elsewhere.kind = OrganisationKind.MANUFACTURER
    elsewhere.save()
    with pytest.raises(ValidationError, match="registered as a manufacturer"):
        record(rita, bundle)


def test_the_deployment_record_names_each_missing_field(bundle, rita):
    with pytest.raises(ValidationError) as refused:
        record(rita, bundle, site="", clinical_scope=" ", user_groups="", go_live_on=None)
    assert set(refused.value.message_dict) >= {
        "site",
        "clinical_scope",
        "user_groups",
        "go_live_on",
    }


def test_a_bundle_another_organisation_received_cannot_be_deployed(bundle, northwind, priya):
    northwind.kind = OrganisationKind.BOTH
    northwind.save()
    with pytest.raises(ValidationError, match="Choose a bundle your organisation has received"):
        deploying.record_deployment(
            actor=priya, organisation=northwind, bundle=bundle, site="Ward", clinical_scope="x",
            user_groups="x", operating_environment="x", go_live_on=bundle.imported_at.date(),
        )  # fmt: skip


def test_an_organisation_deploys_its_own_release_from_its_own_bundle(shipped, northwind, priya):
    northwind.kind = OrganisationKind.BOTH
    northwind.save()
    bundle = deploying.bundle_of_own_release(actor=priya, organisation=northwind, release=shipped)
    assert (bundle.supplier_slug, bundle.release_version) == ("northwind", "2.4.0")
    again = deploying.bundle_of_own_release(actor=priya, organisation=northwind, release=shipped)
    assert again == bundle and SupplierBundle.objects.count() == 1


def test_accepting_a_transferred_control_needs_how_it_is_implemented(deployment, rita):
    reference = transferred(deployment, WARD_LISTS)
    with pytest.raises(ValidationError, match="how the control is implemented"):
        deploying.decide_transfer(actor=rita, deployment=deployment, reference=reference,
                                  decision="accepted")  # fmt: skip
    decision = deploying.decide_transfer(
        actor=rita, deployment=deployment, reference=reference, decision="accepted",
        implementation="Pharmacy configures them.",
    )  # fmt: skip
    assert decision.local_hazard is None
    state = {t.reference: t.state for t in transfers(deployment)}
    assert state[reference] == "Accepted and implemented locally"


def test_rejecting_a_transferred_control_raises_a_local_hazard_to_control(deployment, rita):
    with pytest.raises(ValidationError, match="why the control is rejected"):
        deploying.decide_transfer(
            actor=rita, deployment=deployment, reference=transferred(deployment, DOWNTIME),
            decision="rejected",
        )  # fmt: skip
    rejection = decide_both(deployment, rita)
    hazard = rejection.local_hazard
    assert hazard.product == deployment.record
    assert DOWNTIME in hazard.description and "downtime viewer" in hazard.description
    assert "Death of one patient." in hazard.harm


def test_a_decision_stands_until_the_supplier_changes_the_control(deployment, rita):
    decide_both(deployment, rita)
    with pytest.raises(ValidationError, match="already decided"):
        deploying.decide_transfer(
            actor=rita, deployment=deployment, reference=transferred(deployment, WARD_LISTS),
            decision="rejected", reasons="Changed our mind.",
        )  # fmt: skip


def test_only_a_control_the_supplier_transferred_can_be_decided(deployment, rita):
    with pytest.raises(ValidationError, match="C-099 is not a control the supplier transferred"):
        deploying.decide_transfer(actor=rita, deployment=deployment, reference="C-099",
                                  decision="accepted", implementation="x")  # fmt: skip


def test_transfer_decisions_need_the_deployments_appointed_cso(deployment, ren, elsewhere):
    unappointed = make_person("una", elsewhere, "cso", "Una Page")
    for actor in (ren, unappointed):
        with pytest.raises(PermissionDenied):
            decide_both(deployment, actor)


def test_the_assurance_checks_read_the_suppliers_evidence(signed_off, rita, elsewhere):
    bundle = deploying.import_supplier_bundle(
        actor=rita, organisation=elsewhere, data=export_bundle(signed_off)
    )
    checks = {c.title: c for c in assurance_checks(bundle)}
    assert checks["Clinical Safety Case Report included"].passed
    assert checks["Schema and manifest"].passed
    assert checks["Supplier CSO sign-off present and current"].passed
    assert "Priya Shah" in checks["Supplier CSO sign-off present and current"].detail
    serious = checks["Hazards rated 3 or above have their residual risk accepted"]
    assert serious.passed and "1 hazards rated 3 or above" in serious.detail


def test_the_assurance_checks_show_unaccepted_serious_hazards_and_altered_parts(bundle):
    bundle.content["hazard_log"]["hazards"][1]["acceptance"] = None
    checks = {c.title: c for c in assurance_checks(bundle)}
    assert not checks["Schema and manifest"].passed
    assert "hazard_log part no longer matches" in checks["Schema and manifest"].detail
    serious = checks["Hazards rated 3 or above have their residual risk accepted"]
    assert not serious.passed and "not accepted: MF:H-002" in serious.detail


def test_a_bundle_without_a_sign_off_or_report_fails_those_checks(bundle):
    checks = {c.title: c for c in assurance_checks(bundle)}
    sign_off = checks["Supplier CSO sign-off present and current"]
    assert not sign_off.passed and "has not signed this version off" in sign_off.detail
    assert not checks["Clinical Safety Case Report included"].passed


def test_the_assurance_review_needs_a_comment_and_a_known_conclusion(deployment, rita):
    with pytest.raises(ValidationError) as refused:
        deploying.review_assurance(actor=rita, deployment=deployment, conclusion="fine",
                                   comment=" ")  # fmt: skip
    assert set(refused.value.message_dict) == {"conclusion", "comment"}


def test_the_residual_risks_list_local_hazards_and_the_suppliers_serious_ones(deployment, rita):
    local = decide_both(deployment, rita).local_hazard
    risks = residual_risks(deployment)
    assert [(r["source"], r["reference"], r["rating"]) for r in risks] == [
        ("local", local.reference, None),
        ("supplier", "H-002", 3),
    ]


def test_only_the_executive_accepts_the_residual_risks_and_only_once_assessed(deployment, rita, ed):
    decide_both(deployment, rita)
    with pytest.raises(PermissionDenied):
        deploying.accept_deployment_risks(actor=rita, deployment=deployment, password=PASSWORD,
                                          statement="Accepted.")  # fmt: skip
    with pytest.raises(ValidationError, match="Assess the risk of H-001"):
        deploying.accept_deployment_risks(actor=ed, deployment=deployment, password=PASSWORD,
                                          statement="Accepted.")  # fmt: skip


def test_the_executives_acceptance_goes_stale_when_the_list_changes(deployment, rita, ed):
    with pytest.raises(ValidationError, match="password is not correct"):
        deploying.accept_deployment_risks(actor=ed, deployment=deployment, password="wrong",
                                          statement="Accepted.")  # fmt: skip
    acceptance = deploying.accept_deployment_risks(
        actor=ed, deployment=deployment, password=PASSWORD, statement="Accepted."
    )
    assert acceptance.signer_role == "Accountable executive"
    assert risk_acceptance(deployment).current
    with pytest.raises(ValidationError, match="already accepted"):
        deploying.accept_deployment_risks(actor=ed, deployment=deployment, password=PASSWORD,
                                          statement="Again.")  # fmt: skip
    hazard = hazards.create_hazard(
        actor=rita, product=deployment.record, title="Local", description="x"
    )
    hazards.assess_risk(actor=rita, hazard=hazard, stage="initial", severity=2, likelihood=2)
    assert not risk_acceptance(deployment).current
