"""The gate's use cases with named people: Priya the CSO, Helen the accountable executive,
Tom a clinical reviewer, Sam an engineer."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from clinsafe.audit.models import AuditEvent
from clinsafe.audit.services import verify_audit_trail
from clinsafe.core.models import Notification
from clinsafe.gate import services as gate
from clinsafe.gate.evaluation import changes_since_issued, evaluate, gate_report
from clinsafe.hazards import services as hazards
from clinsafe.products import releases
from clinsafe.products import services as products
from clinsafe.products.models import Release
from tests.conftest import PASSWORD, argue_for, make_person, make_real_cso
from tests.gate.conftest import assessed, review_all, sign_off

pytestmark = pytest.mark.django_db

JUSTIFICATION = (
    "The new dose checks prevent far more harm than the open issue could cause. "
    "Pharmacy will double-check every paediatric order until the fix ships next week."
)


def decision(release):
    return gate_report(release)["decision"]


def rule(release, code):
    return next(r for r in gate_report(release)["rules"] if r["code"] == code)


def test_a_clean_release_is_approved_once_reviewed_and_signed_off(cso, tom, release, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    assert decision(release) == "pending"
    with pytest.raises(ValidationError, match="You cannot sign what you have not looked at"):
        sign_off(cso, release)
    review_all(cso, release)
    argue_for(release, cso, tom)
    signature = sign_off(cso, release)
    assert decision(release) == "approved"
    assert signature.meaning == "approved release 2.4.0 as Clinical Safety Officer"
    assert signature.signer_name == "Priya Shah"
    assert len(signature.snapshot_hash) == 64
    event = AuditEvent.objects.get(event_type="release.signed_off")
    assert event.data["snapshot_hash"] == signature.snapshot_hash


def test_signing_needs_the_signers_own_password(cso, release, product):
    with pytest.raises(ValidationError) as refused:
        gate.sign_off_release(actor=cso, release=release, password="guess", statement="OK")
    assert refused.value.message_dict == {
        "password": ["The password is not correct. Signing needs your own password."]
    }
    assert not release.sign_offs.exists()


def test_a_sign_off_turns_stale_when_any_signed_record_changes(cso, release, product, tom):
    hazard = assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    sign_off(cso, release)
    hazards.edit_hazard(actor=tom, hazard=hazard, version=hazard.version, title="Renamed")
    report = gate_report(release)
    assert report["decision"] == "pending"
    assert report["sign_off"]["stale"] is True
    # The edit also lapsed Priya's review: she must look again before signing again.
    assert [h["reference"] for h in report["waiting_review"]] == ["H-001"]


@pytest.mark.parametrize(
    "change",
    [
        lambda r, h, who: hazards.assess_risk(
            actor=who, hazard=h, stage="residual", severity=1, likelihood=2
        ),
        lambda r, h, who: hazards.add_control(
            actor=who, product=h.product, hazards=[h], description="Alert", kind="design"
        ),
        lambda r, h, who: releases.edit_release(
            actor=who, release=r, revision=r.revision, build_identifier="build-99"
        ),
        lambda r, h, who: products.edit_product(
            actor=who,
            product=r.product,
            version=r.product.version,
            intended_use="Prescribing for adults and, from now on, children.",
        ),
    ],
    ids=["re-assessed", "control added", "release configuration", "intended use"],
)
def test_other_changes_also_make_the_sign_off_stale(cso, release, product, change):
    hazard = assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    sign_off(cso, release)
    change(release, hazard, cso)
    release = Release.objects.get(pk=release.pk)
    assert gate_report(release)["sign_off"]["stale"] is True


def test_a_rating_3_is_accepted_by_the_cso_with_an_alarp_rationale(cso, release, product):
    hazard = assessed(product, cso, initial=(4, 3), residual=(4, 2))  # 3, residual Major/Low
    assert rule(release, "risk_accepted")["references"] == ["H-001"]
    with pytest.raises(ValidationError, match="Give the ALARP rationale"):
        gate.accept_risk(actor=cso, hazard=hazard, password=PASSWORD, rationale=" ")
    acceptance = gate.accept_risk(
        actor=cso, hazard=hazard, password=PASSWORD, rationale="Further checks add no benefit."
    )
    assert acceptance.meaning == "accepted residual risk (rating 3) as Clinical Safety Officer"
    assert rule(release, "risk_accepted")["outcome"] == "passed"


def test_a_rating_4_needs_the_csos_escalation_then_an_executive(cso, helen, release, product):
    hazard = assessed(product, cso, initial=(5, 3), residual=(5, 2))  # 4 and 4
    with pytest.raises(PermissionDenied):
        gate.accept_risk(actor=cso, hazard=hazard, password=PASSWORD, rationale="Fine.")
    with pytest.raises(ValidationError, match="needs the CSO's current recommendation first"):
        gate.accept_risk(actor=helen, hazard=hazard, password=PASSWORD, rationale="Benefit.")
    gate.escalate_risk(actor=cso, hazard=hazard, recommendation="Accept: no alternative.")
    assert Notification.objects.get(recipient=helen).link.endswith("/hazards/H-001/")
    acceptance = gate.accept_risk(
        actor=helen, hazard=hazard, password=PASSWORD, rationale="Benefit outweighs risk."
    )
    assert acceptance.recommendation == "Accept: no alternative."
    assert acceptance.meaning == "accepted residual risk (rating 4) as Accountable executive"
    assert rule(release, "risk_accepted")["outcome"] == "passed"


def test_a_rating_5_cannot_be_accepted_by_anyone(cso, helen, release, product):
    hazard = assessed(product, cso, initial=(5, 4), residual=(5, 4))
    for person in (cso, helen):
        with pytest.raises(ValidationError, match="cannot be accepted: add controls"):
            gate.accept_risk(actor=person, hazard=hazard, password=PASSWORD, rationale="x")
    assert decision(release) == "blocked"


def test_an_acceptance_is_stale_once_the_hazard_changes(cso, tom, release, product):
    hazard = assessed(product, cso, initial=(4, 3), residual=(4, 2))
    gate.accept_risk(actor=cso, hazard=hazard, password=PASSWORD, rationale="ALARP.")
    hazards.edit_hazard(actor=tom, hazard=hazard, version=hazard.version, harm="Worse harm.")
    assert rule(release, "risk_accepted")["outcome"] == "pending"


def test_only_a_cso_with_blocking_authority_may_block(
    priya, tom, product, release, morgan, northwind
):
    make_real_cso(priya, product, morgan, can_block=False)
    with pytest.raises(PermissionDenied, match="does not grant authority to block"):
        gate.block_release(actor=priya, release=release, password=PASSWORD, reasons="Unsafe.")
    with pytest.raises(PermissionDenied):
        gate.block_release(actor=tom, release=release, password=PASSWORD, reasons="Unsafe.")


def test_a_block_stands_until_a_cso_lifts_it(cso, release, product, sam):
    block = gate.block_release(
        actor=cso, release=release, password=PASSWORD, reasons="Dose rounding untested."
    )
    assert decision(release) == "blocked"
    assert gate_report(release)["status"] == "blocked_by_cso"
    with pytest.raises(PermissionDenied):
        gate.lift_block(actor=sam, block=block, reason="Tested now.")
    gate.lift_block(actor=cso, block=block, reason="Rounding tests pass.")
    report = gate_report(release)
    assert report["blocks"][0]["lift_reason"] == "Rounding tests pass."
    assert rule(release, "no_open_block")["outcome"] == "passed"


def test_a_cso_cannot_sign_off_over_her_own_standing_block(cso, tom, release, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    block = gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Wait.")
    argue_for(release, cso, tom)
    review_all(cso, release)
    with pytest.raises(ValidationError, match=r"Your block of .* still stands: lift it first"):
        sign_off(cso, release)
    assert not release.sign_offs.exists()
    assert not release.issued_documents.exists()  # nothing issued for a blocked release
    gate.lift_block(actor=cso, block=block, reason="Tested now.")
    sign_off(cso, release)
    assert decision(release) == "approved"


def test_a_cso_cannot_sign_off_over_another_csos_block(cso, tom, release, product, morgan):
    raj = make_person("raj", product.organisation, "deputy_cso", "Raj Patel")
    make_real_cso(raj, product, morgan, role="deputy_cso")
    gate.block_release(actor=raj, release=release, password=PASSWORD, reasons="Untested.")
    argue_for(release, cso, tom)
    review_all(cso, release)
    with pytest.raises(ValidationError, match=r"Raj Patel's block of .* still stands"):
        sign_off(cso, release)


def status(release):
    return gate_report(release)["status"]


def test_each_state_of_a_release_has_a_status_of_its_own(cso, tom, release, product):
    hazard = assessed(product, cso, initial=(2, 2), residual=(2, 1))
    release = releases.start_safety_review(actor=cso, release=release)
    assert status(release) == "rules_not_met"  # no argument, nothing reviewed
    argue_for(release, cso, tom)
    review_all(cso, release)
    assert status(release) == "awaiting_sign_off"
    sign_off(cso, release)
    assert status(release) == "approved"
    hazards.edit_hazard(actor=tom, hazard=hazard, version=hazard.version, title="Renamed")
    assert status(release) == "sign_off_stale"  # signed, then the records changed
    assert gate_report(release)["changed_since_sign_off"] == [
        f"{hazard.reference} Renamed: title from {hazard.title} to Renamed."
    ]
    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Wait.")
    assert status(release) == "blocked_by_cso"


def test_a_released_release_stays_released_whatever_changes_later(cso, tom, release, product):
    hazard = assessed(product, cso, initial=(2, 2), residual=(2, 1))
    argue_for(release, cso, tom)
    review_all(cso, release)
    sign_off(cso, release)
    release = gate.record_released(actor=cso, release=release)
    assert changes_since_issued(release) == []
    hazards.edit_hazard(actor=tom, hazard=hazard, version=hazard.version, title="Renamed")
    assert status(release) == "released"
    assert changes_since_issued(release) == [
        f"{hazard.reference} Renamed: title from {hazard.title} to Renamed."
    ]


@pytest.mark.parametrize("who", ["cso", "tom", "sam"])
def test_the_cso_a_reviewer_or_an_engineer_cannot_override(who, cso, tom, sam, release):
    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Unsafe.")
    person = {"cso": cso, "tom": tom, "sam": sam}[who]
    with pytest.raises(PermissionDenied):
        gate.override_release(
            actor=person, release=release, password=PASSWORD, justification=JUSTIFICATION
        )
    assert not release.overrides.exists()
    assert decision(release) == "blocked"


def test_an_executive_who_is_also_the_cso_cannot_override(cso, release, northwind):
    from clinsafe.core.models import Membership

    Membership.objects.create(user=cso, organisation=northwind, role="executive")
    with pytest.raises(PermissionDenied, match="a CSO cannot override the gate"):
        gate.override_release(
            actor=cso, release=release, password=PASSWORD, justification=JUSTIFICATION
        )


def test_an_override_needs_a_justification_of_a_few_sentences(cso, helen, release):
    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Unsafe.")
    with pytest.raises(ValidationError, match="at least a few sentences"):
        gate.override_release(
            actor=helen, release=release, password=PASSWORD, justification="Ship it."
        )


def test_an_override_is_permanent_visible_and_notifies_the_cso(
    cso, helen, release, sam, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_ENABLED = True
    cso.email = "priya@example.org"
    cso.save()
    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Unsafe rounding.")
    with django_capture_on_commit_callbacks(execute=True):
        override = gate.override_release(
            actor=helen, release=release, password=PASSWORD, justification=JUSTIFICATION
        )
    report = gate_report(release)
    assert report["decision"] == "approved"
    assert report["approved_by_override"] is True
    assert report["message"].startswith(
        "Approved by override: released over the CSO's position by Helen Ward on"
    )
    # The block and the failed rule are still there, and the override names what it overrode.
    assert report["blocks"][0]["open"] is True
    assert rule(release, "no_open_block")["outcome"] == "blocked"
    assert override.overridden["blocks"][0]["statement"] == "Unsafe rounding."
    note = Notification.objects.get(recipient=cso)
    assert "Helen Ward overrode the release gate" in note.message
    assert mail.outbox[0].to == ["priya@example.org"]
    # Released over the block: frozen as issued, override and all.
    gate.record_released(actor=sam, release=release)
    release.refresh_from_db()
    assert gate_report(release)["overrides"][0]["signer"] == "Helen Ward"
    assert gate_report(release)["status"] == "released"
    assert verify_audit_trail().ok


def test_a_release_cannot_be_recorded_released_unless_approved(cso, sam, release, product):
    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    with pytest.raises(ValidationError, match=r"The gate has not approved release 2\.4\.0"):
        gate.record_released(actor=sam, release=release)


def test_a_released_release_is_frozen_as_issued(cso, sam, tom, release, product):
    hazard = assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    argue_for(release, cso, tom)
    sign_off(cso, release)
    gate.record_released(actor=sam, release=release)
    hazards.edit_hazard(actor=tom, hazard=hazard, version=hazard.version, title="Later edit")
    release.refresh_from_db()
    report = gate_report(release)
    assert report["decision"] == "approved"
    assert report["sign_off"]["stale"] is False
    assert report["frozen"] is True
    with pytest.raises(ValidationError, match="is released; it can no longer be changed"):
        releases.edit_release(actor=sam, release=release, revision=release.revision, summary="x")


def test_the_next_release_needs_review_only_of_what_changed(cso, sam, tom, release, product):
    first = assessed(product, cso, initial=(1, 2), residual=(1, 1), title="First")
    assessed(product, cso, initial=(1, 2), residual=(1, 1), title="Second")
    review_all(cso, release)
    argue_for(release, cso, tom)
    sign_off(cso, release)
    gate.record_released(actor=sam, release=release)
    following = releases.create_release(actor=sam, product=product, version="2.5.0")
    assert evaluate(following).waiting_review == []
    hazards.edit_hazard(actor=tom, hazard=first, version=first.version, title="First, edited")
    assert [h["reference"] for h in evaluate(following).waiting_review] == ["H-001"]


def test_a_review_is_only_for_the_products_cso(tom, priya, product, release):
    hazard = assessed(product, tom, initial=(1, 2), residual=(1, 1))
    with pytest.raises(PermissionDenied):
        gate.review_hazard(actor=tom, hazard=hazard)
    with pytest.raises(PermissionDenied, match="not an appointed Clinical Safety Officer"):
        gate.review_hazard(actor=priya, hazard=hazard)  # holds the role, not the appointment


def test_an_organisation_may_make_acceptance_stricter_never_looser(cso, helen, sam, product):
    from clinsafe.core.services import set_acceptance_policy

    organisation = product.organisation
    with pytest.raises(ValidationError, match="Rating 4 cannot be made easier to accept"):
        set_acceptance_policy(actor=helen, organisation=organisation, levels={4: "cso"})
    with pytest.raises(PermissionDenied):
        set_acceptance_policy(actor=sam, organisation=organisation, levels={3: "executive"})
    set_acceptance_policy(actor=helen, organisation=organisation, levels={3: "executive"})
    hazard = assessed(product, cso, initial=(4, 3), residual=(4, 2))  # rating 3
    with pytest.raises(PermissionDenied):  # now an executive's, on the CSO's recommendation
        gate.accept_risk(actor=cso, hazard=hazard, password=PASSWORD, rationale="ALARP.")
    gate.escalate_risk(actor=cso, hazard=hazard, recommendation="Accept.")
    gate.accept_risk(actor=helen, hazard=hazard, password=PASSWORD, rationale="Benefit.")
    event = AuditEvent.objects.get(event_type="organisation.acceptance_policy_changed")
    assert event.data == {"changes": {"stricter_than_dcb0129": [{}, {"3": "executive"}]}}


def test_other_capabilities_can_add_rules_to_the_gate(cso, tom, release, product, monkeypatch):
    from clinsafe.gate import evaluation
    from clinsafe.gate.decision import Outcome, RuleOutcome

    assessed(product, cso, initial=(1, 2), residual=(1, 1))
    review_all(cso, release)
    argue_for(release, cso, tom)
    sign_off(cso, release)
    assert decision(release) == "approved"
    argument = RuleOutcome("safety_case", "The safety case argument holds", Outcome.PENDING,
                           "Claim G3 is undeveloped.")  # fmt: skip
    monkeypatch.setattr(evaluation, "RULE_SOURCES", [lambda release, log: [argument]])
    assert decision(release) == "pending"
    assert rule(release, "safety_case")["message"] == "Claim G3 is undeveloped."


def test_a_release_moves_into_review_once_and_a_withdrawn_one_is_closed(cso, sam, release):
    releases.start_safety_review(actor=sam, release=release)
    with pytest.raises(ValidationError, match="already in safety review"):
        releases.start_safety_review(actor=sam, release=release)
    with pytest.raises(ValidationError, match="Say why the release is withdrawn"):
        releases.withdraw_release(actor=sam, release=release, reason=" ")
    release = releases.withdraw_release(actor=sam, release=release, reason="Superseded.")
    assert gate_report(release)["status"] == "withdrawn"
    with pytest.raises(ValidationError, match="is withdrawn; what was issued is frozen"):
        gate.sign_off_release(actor=cso, release=release, password=PASSWORD, statement="OK")
    assert [e.event_type for e in AuditEvent.objects.filter(subject_type="products.release")] == [
        "release.planned", "release.review_started", "release.withdrawn",
    ]  # fmt: skip


def test_a_signature_cannot_be_changed_once_made(cso, release):
    block = gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Wait.")
    block.statement = "Something else."
    with pytest.raises(ValueError, match=r"A signature is never changed once made\."):
        block.save()
    with pytest.raises(ValueError, match=r"A signature is never changed once made\."):
        block.save(update_fields=["statement"])


def test_someone_outside_the_organisation_learns_nothing_from_accepting(charlie, cso, product):
    hazard = assessed(product, cso, initial=(1, 2), residual=(1, 1))
    with pytest.raises(PermissionDenied):
        gate.accept_risk(actor=charlie, hazard=hazard, password=PASSWORD, rationale="x")
