"""Every write operation, tried by every role and by someone from another organisation.

The expected table is written out here, not read from the policy, so a change to the
policy that nobody meant shows up as a failing test.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinsafe.argument import services as argue
from clinsafe.core import services as people
from clinsafe.core.models import Role
from clinsafe.deployments.services import import_supplier_bundle
from clinsafe.gate import services as gate
from clinsafe.hazards import services
from clinsafe.health.services import record_process_review
from clinsafe.incidents import services as incidents
from clinsafe.products import changes, releases
from clinsafe.products import services as products
from clinsafe.reports import services as documents
from clinsafe.reports.bundle import export_bundle
from clinsafe.reports.log_import import import_hazard_log
from tests.conftest import PASSWORD, compliance_answers, make_person, raise_hazard
from tests.gate.conftest import assessed, review_all
from tests.incidents.conftest import report as report_incident
from tests.incidents.conftest import triage

pytestmark = pytest.mark.django_db

CSO, DEPUTY, REVIEWER, ENGINEER, EXECUTIVE, VIEWER, ADMIN, OUTSIDER = (
    "cso",
    "deputy_cso",
    "reviewer",
    "engineer",
    "executive",
    "viewer",
    "admin",
    "outsider",
)
EVERYONE = [CSO, DEPUTY, REVIEWER, ENGINEER, EXECUTIVE, VIEWER, ADMIN, OUTSIDER]

ALLOWED = {
    "edit product": {CSO, DEPUTY, ADMIN},
    "raise hazard": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "edit hazard": {CSO, DEPUTY, REVIEWER},
    "change hazard status": {CSO, DEPUTY, REVIEWER},
    "withdraw hazard": {CSO, DEPUTY, REVIEWER},
    "assess risk": {CSO, DEPUTY, REVIEWER},
    "add control": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "edit control": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "link control": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "withdraw control": {CSO, DEPUTY, REVIEWER},
    "grant role": {ADMIN},
    "revoke role": {ADMIN},
    "add person": {ADMIN},
    "appoint CSO": {ADMIN, EXECUTIVE},
    "end appointment": {ADMIN, EXECUTIVE},
    "record someone else's registration": {ADMIN},
    "set acceptance policy": {CSO, EXECUTIVE},
    "record process review": {CSO, DEPUTY},
    "plan release": {CSO, DEPUTY, ENGINEER, ADMIN},
    "edit release": {CSO, DEPUTY, ENGINEER, ADMIN},
    "record released": {CSO, DEPUTY, ENGINEER, ADMIN, EXECUTIVE},
    "review hazard": {CSO, DEPUTY},
    "accept risk as CSO": {CSO, DEPUTY},
    "escalate risk": {CSO, DEPUTY},
    "accept risk as executive": {EXECUTIVE},
    "sign off release": {CSO, DEPUTY},
    "block release": {CSO, DEPUTY},
    "lift block": {CSO, DEPUTY},
    "override release": {EXECUTIVE},
    "edit argument": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "settle doubt": {CSO, DEPUTY, REVIEWER},
    "accept doubt as residual": {CSO, DEPUTY},
    "put argument forward": {CSO, DEPUTY},
    "record artefact": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "add artefact version": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "review artefact": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "assess compliance": {CSO, DEPUTY},
    "sign compliance": {CSO, DEPUTY},
    "approve plan": {CSO, DEPUTY},
    "import hazard log": {CSO, DEPUTY, REVIEWER},
    "import supplier bundle": {CSO, DEPUTY, ADMIN},
    "report incident": set(Role.values),
    "triage incident": {CSO, DEPUTY, REVIEWER},
    "record external report": {CSO, DEPUTY, REVIEWER},
    "record investigation": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "add incident action": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "complete incident action": {CSO, DEPUTY, REVIEWER, ENGINEER},
    "close incident": {CSO, DEPUTY, REVIEWER},
    "propose change": set(Role.values),
    "assess change": {CSO, DEPUTY},
    "record deployment": {CSO, DEPUTY, ADMIN},
    "decide transfer": {CSO, DEPUTY},
    "review assurance": {CSO, DEPUTY},
    "adopt bundle": {CSO, DEPUTY},
    "accept deployment risks": {EXECUTIVE},
    "record in-use review": {CSO, DEPUTY},
    "decommission deployment": {CSO, DEPUTY},
    "forward incident": {CSO, DEPUTY, REVIEWER},
}


@pytest.fixture
def world(northwind, elsewhere, product, priya):
    """One person per role at Northwind, an outsider, and one record of each kind."""
    persons = {
        role: make_person(f"p-{role}", northwind, role, f"Person {role}") for role in Role.values
    }
    persons[OUTSIDER] = make_person("outsider", elsewhere, Role.ADMIN, "Out Sider")
    hazard = raise_hazard(product, priya)
    services.assess_risk(actor=priya, hazard=hazard, stage="initial", severity=4, likelihood=3)
    services.assess_risk(actor=priya, hazard=hazard, stage="residual", severity=4, likelihood=1)
    control = services.add_control(
        actor=priya, product=product, hazards=[hazard], description="Banner", kind="design"
    )
    other = raise_hazard(product, priya, title="Second")
    appointment = people.appoint_cso(
        actor=persons[ADMIN],
        organisation=northwind,
        user=priya,
        protected_hours_per_week=Decimal(8),
    )
    # The gate's actions need a CSO appointment for the product besides the role.
    for role in (CSO, DEPUTY):
        people.appoint_cso(
            actor=persons[ADMIN],
            organisation=northwind,
            user=persons[role],
            role=role,
            product=product,
            protected_hours_per_week=Decimal(8),
            can_block_release=True,
        )
    rated_3 = assessed(product, priya, initial=(4, 3), residual=(4, 2))
    rated_4 = assessed(product, priya, initial=(5, 3), residual=(5, 2))
    gate.escalate_risk(actor=persons[CSO], hazard=rated_4, recommendation="Accept.")
    release = releases.create_release(actor=persons[ADMIN], product=product, version="1.0")
    review_all(persons[CSO], release)
    block = gate.block_release(
        actor=persons[CSO], release=release, password=PASSWORD, reasons="Not yet."
    )
    unblocked = releases.create_release(actor=persons[ADMIN], product=product, version="1.1")
    argue.argue_over_all_hazards(actor=priya, product=product)
    argue.add_node(actor=priya, product=product, revision=argue.argument_of(product).revision,
                   kind="defeater", text="Users may ignore it.", defeater_kind="rebutting",
                   parent="", link="")  # fmt: skip
    report = argue.record_artefact(actor=priya, product=product, title="Tests", kind="ci_run")
    documents.assess_compliance(actor=persons[CSO], release=release, answers=compliance_answers())
    incident = report_incident(product, priya)
    incident = triage(incident, priya, finding="not_a_hazard", actual_harm="none",
                      external_report_required=True, external_body="lfpse")  # fmt: skip
    incident = incidents.record_investigation(
        actor=priya, incident=incident, version=incident.version, findings="Found.",
        learning="Learnt.",
    )  # fmt: skip
    incident = incidents.record_external_report(
        actor=priya, incident=incident, version=incident.version, external_reference="LFPSE-1",
        externally_reported_on=date.today(),
    )  # fmt: skip
    return {
        "incident": incident,
        "untriaged": report_incident(product, priya, title="Second incident"),
        "action": incidents.add_action(
            actor=priya,
            incident=incident,
            kind="corrective",
            description="Fix",
            owner=priya,
            due_on=date.today(),
        ),
        "change": changes.propose_change(
            actor=priya, product=product, kind="configuration", title="Alerts on"
        ),
        "artefact": report,
        "artefact_version": argue.add_artefact_version(actor=priya, artefact=report),
        "rated_3": rated_3,
        "rated_4": rated_4,
        "release": release,
        "block": block,
        "unblocked": unblocked,  # a block stands in the way of signing off
        "persons": persons,
        "product": product,
        "hazard": hazard,
        "control": control,
        "other": other,
        "organisation": northwind,
        "priya": priya,
        "appointment": appointment,
    }


def attempt(operation, actor, w):
    hazard, control, product = w["hazard"], w["control"], w["product"]
    organisation = w["organisation"]
    calls = {
        "edit product": lambda: products.edit_product(
            actor=actor, product=product, version=product.version, name="Renamed"
        ),
        "raise hazard": lambda: raise_hazard(product, actor),
        "edit hazard": lambda: services.edit_hazard(
            actor=actor, hazard=hazard, version=hazard.version, title="Edited"
        ),
        "change hazard status": lambda: services.change_hazard_status(
            actor=actor, hazard=hazard, version=hazard.version, status="controlled"
        ),
        "withdraw hazard": lambda: services.withdraw_hazard(
            actor=actor, hazard=hazard, version=hazard.version, reason="Duplicate"
        ),
        "assess risk": lambda: services.assess_risk(
            actor=actor, hazard=hazard, stage="initial", severity=4, likelihood=4
        ),
        "add control": lambda: services.add_control(
            actor=actor, product=product, description="New", kind="training"
        ),
        "edit control": lambda: services.edit_control(
            actor=actor, control=control, version=control.version, status="implemented"
        ),
        "link control": lambda: services.link_control(
            actor=actor, control=control, hazard=w["other"]
        ),
        "withdraw control": lambda: services.withdraw_control(
            actor=actor, control=control, version=control.version, reason="Duplicate"
        ),
        "grant role": lambda: people.grant_role(
            actor=actor, organisation=organisation, user=w["priya"], role=Role.VIEWER
        ),
        "revoke role": lambda: people.revoke_role(
            actor=actor, membership=w["persons"][VIEWER].memberships.get()
        ),
        "add person": lambda: people.add_person(
            actor=actor,
            organisation=organisation,
            username="newbie",
            first_name="New",
            last_name="Person",
            role=Role.VIEWER,
        ),
        "appoint CSO": lambda: people.appoint_cso(
            actor=actor,
            organisation=organisation,
            user=w["persons"][DEPUTY],
            role="deputy_cso",
            protected_hours_per_week=Decimal(2),
        ),
        "end appointment": lambda: people.end_appointment(
            actor=actor, appointment=w["appointment"], reason="Left the company"
        ),
        "record process review": lambda: record_process_review(
            actor=actor,
            organisation=organisation,
            held_on=date(2026, 11, 2),
            findings="Process followed.",
            next_due_on=date(2027, 11, 2),
        ),
        "set acceptance policy": lambda: people.set_acceptance_policy(
            actor=actor, organisation=organisation, levels={2: "cso"}
        ),
        "plan release": lambda: releases.create_release(
            actor=actor, product=product, version="2.0"
        ),
        "edit release": lambda: releases.edit_release(
            actor=actor, release=w["release"], revision=w["release"].revision, summary="More"
        ),
        # Permission passes before the gate refuses an unapproved release.
        "record released": lambda: _refused_by_the_gate(
            lambda: gate.record_released(actor=actor, release=w["release"])
        ),
        "review hazard": lambda: gate.review_hazard(actor=actor, hazard=hazard),
        "accept risk as CSO": lambda: gate.accept_risk(
            actor=actor, hazard=w["rated_3"], password=PASSWORD, rationale="ALARP."
        ),
        "escalate risk": lambda: gate.escalate_risk(
            actor=actor, hazard=w["rated_4"], recommendation="Accept."
        ),
        "accept risk as executive": lambda: gate.accept_risk(
            actor=actor, hazard=w["rated_4"], password=PASSWORD, rationale="Benefit."
        ),
        "sign off release": lambda: gate.sign_off_release(
            actor=actor, release=w["unblocked"], password=PASSWORD, statement="Safe."
        ),
        "block release": lambda: gate.block_release(
            actor=actor, release=w["release"], password=PASSWORD, reasons="Unsafe."
        ),
        "lift block": lambda: gate.lift_block(actor=actor, block=w["block"], reason="Fixed."),
        "override release": lambda: gate.override_release(
            actor=actor,
            release=w["release"],
            password=PASSWORD,
            justification="The benefit to patients of the new dose checks outweighs the open "
            "issue today. Pharmacy checks every order by hand until the fix ships next week, "
            "as agreed with the medical director.",
        ),
        "record someone else's registration": lambda: people.record_registration(
            actor=actor,
            user=w["priya"],
            regulator="GMC",
            number="1234567",
            profession="Doctor",
            last_confirmed_on=hazard.created_at.date(),
        ),
        "edit argument": lambda: argue.add_node(
            actor=actor, **_argument(w), kind="context", text="Wards only."
        ),
        "settle doubt": lambda: argue.settle_doubt(
            actor=actor, **_argument(w), node_id="D1", status="sustained"
        ),
        "accept doubt as residual": lambda: argue.settle_doubt(
            actor=actor,
            **_argument(w),
            node_id="D1",
            status="accepted as residual",
            rationale="Training covers it.",
        ),
        "put argument forward": lambda: argue.put_forward(actor=actor, release=w["release"]),
        "record artefact": lambda: argue.record_artefact(
            actor=actor, product=product, title="Review", kind="review"
        ),
        "add artefact version": lambda: argue.add_artefact_version(
            actor=actor, artefact=w["artefact"], sha256="a" * 64
        ),
        "review artefact": lambda: argue.review_artefact_version(
            actor=actor, version=w["artefact_version"]
        ),
        "assess compliance": lambda: documents.assess_compliance(
            actor=actor, release=w["release"], answers=compliance_answers("partly")
        ),
        "sign compliance": lambda: documents.sign_compliance(
            actor=actor, release=w["release"], password=PASSWORD
        ),
        "approve plan": lambda: documents.approve_plan(
            actor=actor, product=product, password=PASSWORD, statement="Approved."
        ),
        "import hazard log": lambda: import_hazard_log(
            actor=actor,
            product=product,
            filename="log.csv",
            data=b"Hazard name,Hazard description\nWrong patient,Record opens for another\n",
        ),
        "import supplier bundle": lambda: import_supplier_bundle(
            actor=actor, organisation=organisation, data=export_bundle(w["release"])
        ),
        "report incident": lambda: report_incident(product, actor),
        "triage incident": lambda: triage(w["untriaged"], actor, finding="not_a_hazard"),
        "record external report": lambda: incidents.record_external_report(
            actor=actor,
            incident=w["incident"],
            version=w["incident"].version,
            external_reference="LFPSE-1",
            externally_reported_on=date.today(),
        ),
        "record investigation": lambda: incidents.record_investigation(
            actor=actor,
            incident=w["incident"],
            version=w["incident"].version,
            root_cause="Rounding.",
        ),
        "add incident action": lambda: incidents.add_action(
            actor=actor,
            incident=w["incident"],
            kind="preventive",
            description="Test",
            owner=w["priya"],
            due_on=date.today(),
        ),
        "complete incident action": lambda: incidents.complete_action(
            actor=actor, action=w["action"], outcome="Done."
        ),
        "close incident": lambda: incidents.close_incident(
            actor=actor, incident=w["incident"], version=w["incident"].version
        ),
        "propose change": lambda: changes.propose_change(
            actor=actor, product=product, kind="integration", title="New lab feed"
        ),
        "assess change": lambda: changes.assess_change(
            actor=actor,
            change=w["change"],
            version=w["change"].version,
            hazards=[],
            new_hazards=False,
            alters_clinical_risk=False,
            conclusion="No impact.",
        ),
    }
    if operation in DEPLOYMENT_OPERATIONS:
        return _deployment_operation(operation, actor, w)
    return calls[operation]()


DEPLOYMENT_OPERATIONS = {
    "record deployment", "decide transfer", "review assurance", "adopt bundle",
    "accept deployment risks", "record in-use review", "decommission deployment",
    "forward incident",
}  # fmt: skip


def _deployment_operation(operation, actor, w):
    """Northwind, also a health organisation, deploys its own release 1.0 (with a control
    transferred to itself); its CSO and deputy are appointed for the deployment too."""
    from clinsafe.deployments import in_use
    from clinsafe.deployments import services as deploying

    admin, organisation = w["persons"][ADMIN], w["organisation"]
    organisation.kind = "both"
    organisation.save()
    services.add_control(actor=w["priya"], product=w["product"], hazards=[w["hazard"]],
                         description="Trust trains users", kind="transferred")  # fmt: skip
    bundle = import_supplier_bundle(actor=admin, organisation=organisation,
                                    data=export_bundle(w["release"]))  # fmt: skip
    fields = {"site": "Ward 1", "clinical_scope": "Wards.", "user_groups": "Nurses.",
              "operating_environment": "Hosted.", "go_live_on": date.today()}  # fmt: skip
    if operation == "record deployment":
        return deploying.record_deployment(
            actor=actor, organisation=organisation, bundle=bundle, **fields
        )
    deployment = deploying.record_deployment(
        actor=admin, organisation=organisation, bundle=bundle, **fields
    )
    for role in (CSO, DEPUTY):
        people.appoint_cso(actor=admin, organisation=organisation, user=w["persons"][role],
                           role=role, product=deployment.record,
                           protected_hours_per_week=Decimal(2))  # fmt: skip
    newer = import_supplier_bundle(actor=admin, organisation=organisation,
                                   data=export_bundle(w["release"]))  # fmt: skip
    calls = {
        "decide transfer": lambda: deploying.decide_transfer(
            actor=actor, deployment=deployment, reference="C-002", decision="accepted",
            implementation="Trained at induction.",
        ),
        "review assurance": lambda: deploying.review_assurance(
            actor=actor, deployment=deployment, conclusion="sufficient", comment="Complete."
        ),
        "adopt bundle": lambda: deploying.adopt_bundle(
            actor=actor, deployment=deployment, bundle=newer
        ),
        "accept deployment risks": lambda: deploying.accept_deployment_risks(
            actor=actor, deployment=deployment, password=PASSWORD, statement="Accepted."
        ),
        # Permission passes before the service refuses: the deployment is not live yet.
        "record in-use review": lambda: _refused_because(
            "has not gone live",
            lambda: in_use.record_in_use_review(
                actor=actor, deployment=deployment, held_on=date.today(), findings="Fine.",
                continue_use=True,
            ),
        ),
        "decommission deployment": lambda: _refused_because(
            "decommissioning change",
            lambda: in_use.decommission_deployment(
                actor=actor, deployment=deployment, decommissioned_on=date.today(),
                successor="None.", data_migration="Kept.", historic_access="Archive.",
            ),
        ),
        "forward incident": lambda: in_use.forward_incident(
            actor=actor, deployment=deployment,
            incident=report_incident(deployment.record, admin),
        ),
    }  # fmt: skip
    return calls[operation]()


def _refused_because(reason, call):
    with pytest.raises(ValidationError, match=reason):
        call()


def _argument(w):
    return {"product": w["product"], "revision": argue.argument_of(w["product"]).revision}


def _refused_by_the_gate(call):
    _refused_because("The gate has not approved", call)


def test_the_expected_table_covers_every_action_of_the_policy():
    from clinsafe.core.permissions import Action

    guarded_by = {
        "edit product": Action.EDIT_PRODUCT,
        "raise hazard": Action.CREATE_HAZARD,
        "edit hazard": Action.EDIT_HAZARD,
        "change hazard status": Action.CHANGE_HAZARD_STATUS,
        "withdraw hazard": Action.WITHDRAW_HAZARD,
        "assess risk": Action.ASSESS_RISK,
        "add control": Action.ADD_CONTROL,
        "edit control": Action.EDIT_CONTROL,
        "link control": Action.LINK_CONTROL,
        "withdraw control": Action.WITHDRAW_CONTROL,
        "grant role": Action.MANAGE_MEMBERS,
        "revoke role": Action.MANAGE_MEMBERS,
        "add person": Action.MANAGE_MEMBERS,
        "appoint CSO": Action.APPOINT_CSO,
        "end appointment": Action.APPOINT_CSO,
        "record someone else's registration": Action.RECORD_CREDENTIALS,
        "set acceptance policy": Action.SET_ACCEPTANCE_POLICY,
        "record process review": Action.REVIEW_PROCESS,
        "plan release": Action.EDIT_RELEASE,
        "edit release": Action.EDIT_RELEASE,
        "record released": Action.RECORD_RELEASE,
        "review hazard": Action.REVIEW_HAZARD,
        "accept risk as CSO": Action.ACCEPT_RISK_AS_CSO,
        "escalate risk": Action.ACCEPT_RISK_AS_CSO,
        "accept risk as executive": Action.ACCEPT_RISK_AS_EXECUTIVE,
        "sign off release": Action.SIGN_OFF_RELEASE,
        "block release": Action.BLOCK_RELEASE,
        "lift block": Action.BLOCK_RELEASE,
        "override release": Action.OVERRIDE_RELEASE,
        "edit argument": Action.EDIT_ARGUMENT,
        "settle doubt": Action.SETTLE_DOUBT,
        "accept doubt as residual": Action.SETTLE_DOUBT,
        "put argument forward": Action.PUT_FORWARD_ARGUMENT,
        "record artefact": Action.RECORD_EVIDENCE,
        "add artefact version": Action.RECORD_EVIDENCE,
        "review artefact": Action.REVIEW_EVIDENCE,
        "assess compliance": Action.ASSESS_COMPLIANCE,
        "sign compliance": Action.ASSESS_COMPLIANCE,
        "approve plan": Action.APPROVE_PLAN,
        "import hazard log": Action.IMPORT_HAZARD_LOG,
        "import supplier bundle": Action.IMPORT_SUPPLIER_BUNDLE,
        "report incident": Action.REPORT_INCIDENT,
        "triage incident": Action.TRIAGE_INCIDENT,
        "record external report": Action.TRIAGE_INCIDENT,
        "record investigation": Action.INVESTIGATE_INCIDENT,
        "add incident action": Action.INVESTIGATE_INCIDENT,
        "complete incident action": Action.INVESTIGATE_INCIDENT,
        "close incident": Action.CLOSE_INCIDENT,
        "propose change": Action.PROPOSE_CHANGE,
        "assess change": Action.ASSESS_CHANGE,
        "record deployment": Action.RECORD_DEPLOYMENT,
        "decide transfer": Action.DECIDE_TRANSFER,
        "review assurance": Action.REVIEW_ASSURANCE,
        "adopt bundle": Action.ADOPT_BUNDLE,
        "accept deployment risks": Action.ACCEPT_DEPLOYMENT_RISKS,
        "record in-use review": Action.RECORD_IN_USE_REVIEW,
        "decommission deployment": Action.DECOMMISSION_DEPLOYMENT,
        "forward incident": Action.FORWARD_INCIDENT,
    }
    assert set(guarded_by) == set(ALLOWED)
    assert set(guarded_by.values()) == set(Action)


@pytest.mark.parametrize("operation", sorted(ALLOWED))
@pytest.mark.parametrize("role", EVERYONE)
def test_each_role_may_do_exactly_what_the_table_says(world, operation, role):
    actor = world["persons"][role]
    if role in ALLOWED[operation]:
        attempt(operation, actor, world)
    else:
        with pytest.raises(PermissionDenied):
            attempt(operation, actor, world)


@pytest.mark.parametrize(
    ("role", "status"), [(REVIEWER, 200), (ENGINEER, 403), (VIEWER, 403), (OUTSIDER, 404)]
)
def test_the_api_answers_403_for_a_refused_write_and_404_outside(world, role, status):
    from tests.conftest import api_as

    hazard = world["hazard"]
    response = api_as(world["persons"][role]).patch(
        f"/api/hazards/{hazard.pk}/", {"title": "x", "version": hazard.version}, format="json"
    )
    assert response.status_code == status


def test_the_web_shows_a_clear_page_for_a_refused_write(world):
    from tests.conftest import logged_in

    response = logged_in(world["persons"][VIEWER]).get(
        f"/organisations/{world['organisation'].slug}/people/new/"
    )
    assert response.status_code == 403
    assert "You may not manage members and roles in Northwind Health" in response.content.decode()


# --- separation of duties: who administers, who blocks and who overrides stay apart ---------


def test_an_admin_cannot_grant_itself_executive_to_override_a_block(world):
    admin = world["persons"][ADMIN]
    with pytest.raises(PermissionDenied, match="You cannot grant yourself a role"):
        people.grant_role(
            actor=admin, organisation=world["organisation"], user=admin, role=Role.EXECUTIVE
        )
    assert not admin.memberships.filter(role=Role.EXECUTIVE).exists()


def test_no_one_appoints_themselves(world):
    executive = world["persons"][EXECUTIVE]
    people.grant_role(
        actor=world["persons"][ADMIN],
        organisation=world["organisation"],
        user=executive,
        role=Role.DEPUTY_CSO,
    )
    with pytest.raises(PermissionDenied, match="You cannot appoint yourself"):
        people.appoint_cso(
            actor=executive,
            organisation=world["organisation"],
            user=executive,
            role=DEPUTY,
            product=world["product"],
            can_block_release=True,
        )


def test_an_appointment_cannot_be_made_or_ended_in_the_past(world):
    yesterday = date.today() - timedelta(days=1)
    with pytest.raises(ValidationError) as ended:
        people.end_appointment(
            actor=world["persons"][EXECUTIVE],
            appointment=world["appointment"],
            ends_on=yesterday,
            reason="Left",
        )
    assert ended.value.message_dict == {
        "ends_on": ["An appointment cannot end in the past: end it today or later."]
    }
    with pytest.raises(ValidationError, match="cannot end in the past"):
        people.appoint_cso(
            actor=world["persons"][ADMIN],
            organisation=world["organisation"],
            user=world["persons"][DEPUTY],
            role=DEPUTY,
            ends_on=yesterday,
        )


def test_an_override_is_refused_to_whoever_held_a_cso_appointment_while_the_block_stood(world):
    """The issue's sequence: an executive who is also a deputy CSO blocks, has the appointment
    ended, and tries to override its own block."""
    admin, executive = world["persons"][ADMIN], world["persons"][EXECUTIVE]
    organisation, product = world["organisation"], world["product"]
    release = releases.create_release(actor=admin, product=product, version="2.0")
    people.grant_role(actor=admin, organisation=organisation, user=executive, role=Role.DEPUTY_CSO)
    appointment = people.appoint_cso(
        actor=admin,
        organisation=organisation,
        user=executive,
        role=DEPUTY,
        product=product,
        can_block_release=True,
    )
    gate.block_release(actor=executive, release=release, password=PASSWORD, reasons="Mine.")
    people.end_appointment(actor=admin, appointment=appointment, reason="Stepping back")
    justification = "The block was mine and is no longer needed. " * 5
    with pytest.raises(PermissionDenied, match="held a CSO appointment for this product while"):
        gate.override_release(
            actor=executive, release=release, password=PASSWORD, justification=justification
        )
    # Another executive, never appointed, may.
    other = make_person("exec-two", organisation, Role.EXECUTIVE, "Erin Exec")
    override = gate.override_release(
        actor=other, release=release, password=PASSWORD, justification=justification
    )
    assert override.signer == other


def test_roles_read_once_reads_a_persons_roles_once_within(
    priya, northwind, django_assert_num_queries
):
    from clinsafe.core.permissions import Action, can, roles_read_once

    with roles_read_once(), django_assert_num_queries(1):
        assert all(can(priya, Action.SIGN_OFF_RELEASE, northwind) for _ in range(5))
    with django_assert_num_queries(2):
        can(priya, Action.SIGN_OFF_RELEASE, northwind)
        can(priya, Action.SIGN_OFF_RELEASE, northwind)
