"""The gate decision as a pure function: each rule made to pass and to fail."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from clinsafe.gate.decision import (
    ControlFacts,
    Decision,
    HazardFacts,
    Outcome,
    ReleaseFacts,
    SignatureFacts,
    decide,
)
from clinsafe.risk.acceptance import AcceptancePolicy

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def signature(signer="Priya Shah", at=MONDAY, stale=False, statement="Safe to release."):
    return SignatureFacts(signer, "Clinical Safety Officer", "approved", at, "ab" * 32, statement,
                          stale)  # fmt: skip


def hazard(ref="H-001", initial=2, residual=1, **kwargs):
    return HazardFacts(ref, "A hazard", initial, residual, **{"reviewed": True, **kwargs})


def approved_facts(**changes):
    facts = ReleaseFacts(
        hazards=(hazard(),),
        cso_name="Priya Shah",
        sign_off=signature(),
    )
    return replace(facts, **changes)


def outcome(facts, code):
    return next(r for r in decide(facts).rules if r.code == code)


def test_a_release_with_every_rule_passing_is_approved():
    decision = decide(approved_facts())
    assert decision.decision == Decision.APPROVED
    assert all(r.outcome == Outcome.PASSED for r in decision.rules)
    assert decision.message == "Approved: every rule passes and the CSO's sign-off is current."


@pytest.mark.parametrize(
    "code", ["no_cso", "not_registered", "registration_lapsed", "training_lapsed", "no_authority"]
)
def test_a_cso_who_is_not_real_keeps_the_release_pending(code):
    facts = approved_facts(cso_concerns=((code, f"Concern {code}."),))
    assert decide(facts).decision == Decision.PENDING
    assert outcome(facts, "cso").message == f"Concern {code}."


def test_a_cso_without_protected_time_does_not_hold_the_gate():
    facts = approved_facts(cso_concerns=(("no_protected_time", "No time."),))
    assert decide(facts).decision == Decision.APPROVED


def test_a_hazard_without_a_residual_estimate_keeps_the_release_pending():
    facts = approved_facts(hazards=(hazard(), hazard("H-002", residual=None)))
    rule = outcome(facts, "residual_assessed")
    assert rule.outcome == Outcome.PENDING
    assert rule.references == ("H-002",)
    assert rule.message == "Assess the residual risk of H-002."


def test_a_residual_rating_of_5_blocks_the_release():
    facts = approved_facts(hazards=(hazard(initial=5, residual=5),))
    assert decide(facts).decision == Decision.BLOCKED
    assert outcome(facts, "unacceptable_risk").references == ("H-001",)


def test_a_rating_3_needs_the_csos_current_acceptance():
    unaccepted = approved_facts(hazards=(hazard(initial=4, residual=3),))
    assert outcome(unaccepted, "risk_accepted").message == (
        "H-001 (rating 3) needs the CSO's current acceptance."
    )
    accepted = approved_facts(hazards=(hazard(initial=4, residual=3, accepted_by_cso=True),))
    assert outcome(accepted, "risk_accepted").outcome == Outcome.PASSED


def test_a_rating_4_needs_an_executive_and_a_csos_acceptance_is_not_enough():
    by_cso = approved_facts(hazards=(hazard(initial=5, residual=4, accepted_by_cso=True),))
    assert outcome(by_cso, "risk_accepted").outcome == Outcome.PENDING
    by_exec = approved_facts(hazards=(hazard(initial=5, residual=4, accepted_by_executive=True),))
    assert outcome(by_exec, "risk_accepted").outcome == Outcome.PASSED


def test_a_stricter_organisation_policy_is_applied():
    facts = approved_facts(
        hazards=(hazard(initial=4, residual=3, accepted_by_cso=True),),
        policy=AcceptancePolicy.stricter({3: "executive"}),
    )
    assert outcome(facts, "risk_accepted").outcome == Outcome.PENDING


def test_controls_relied_on_must_be_verified_but_transferred_ones_are_listed_instead():
    controls = (
        ControlFacts("C-001", "implemented", False),
        ControlFacts("C-002", "proposed", True),
    )
    facts = approved_facts(hazards=(hazard(initial=3, residual=2, controls=controls),))
    rule = outcome(facts, "controls_in_place")
    assert rule.outcome == Outcome.PENDING
    assert rule.message == (
        "H-001 relies on C-001 (implemented), which must be implemented and verified. "
        "Transferred to the deploying organisation, to be listed for it: C-002 (H-001)."
    )
    verified = (ControlFacts("C-001", "verified", False), ControlFacts("C-002", "proposed", True))
    facts = approved_facts(hazards=(hazard(initial=3, residual=2, controls=verified),))
    assert outcome(facts, "controls_in_place").outcome == Outcome.PASSED


def test_a_hazard_initially_acceptable_needs_no_additional_controls():
    controls = (ControlFacts("C-001", "proposed", False),)
    facts = approved_facts(hazards=(hazard(initial=2, residual=1, controls=controls),))
    assert outcome(facts, "controls_in_place").outcome == Outcome.PASSED


def test_a_residual_below_the_initial_risk_with_no_control_is_questioned():
    facts = approved_facts(hazards=(hazard(initial=4, residual=2),))
    assert outcome(facts, "controls_in_place").references == ("H-001",)


def test_significant_or_changed_hazards_must_be_reviewed_and_others_need_not():
    facts = approved_facts(
        hazards=(
            hazard("H-001", initial=4, residual=3, accepted_by_cso=True, reviewed=False,
                   changed_since_previous_release=False),
            hazard("H-002", reviewed=False, changed_since_previous_release=True),
            hazard("H-003", reviewed=False, changed_since_previous_release=False),
        )
    )  # fmt: skip
    rule = outcome(facts, "hazards_reviewed")
    assert rule.outcome == Outcome.PENDING
    assert rule.references == ("H-001", "H-002")


def test_a_reviewed_hazard_waits_again_until_reassessed_after_an_incident():
    facts = approved_facts(hazards=(
        hazard("H-001", changed_since_previous_release=False,
               incidents_awaiting_reassessment=("I-002", "I-004")),
    ))  # fmt: skip

    rule = outcome(facts, "hazards_reviewed")

    assert rule.outcome == Outcome.PENDING
    assert rule.message == "Re-assess the risk of H-001 after I-002, I-004, then review."
    assert rule.references == ("H-001",)
    assert decide(facts).decision == Decision.PENDING


def test_an_open_block_blocks_the_release():
    facts = approved_facts(open_blocks=(signature(statement="Untested dose logic."),))
    decision = decide(facts)
    assert decision.decision == Decision.BLOCKED
    assert outcome(facts, "no_open_block").message == (
        "Blocked by Priya Shah on 23 November 2026: Untested dose logic."
    )


def test_a_missing_or_stale_sign_off_keeps_the_release_pending():
    assert decide(approved_facts(sign_off=None)).decision == Decision.PENDING
    stale = decide(approved_facts(sign_off=signature(stale=True)))
    assert stale.decision == Decision.PENDING
    assert "is stale" in next(r.message for r in stale.rules if r.code == "signed_off")


def test_a_current_override_approves_but_keeps_the_failed_rules():
    override = replace(signature("Helen Ward", at=TUESDAY), statement="Benefit outweighs.")
    facts = approved_facts(open_blocks=(signature(),), overrides=(override,))
    decision = decide(facts)
    assert decision.decision == Decision.APPROVED
    assert decision.override == override
    assert outcome(facts, "no_open_block").outcome == Outcome.BLOCKED
    assert decision.message.startswith("Approved by override: released over the CSO's position")


def test_a_stale_override_or_one_older_than_a_block_does_not_count():
    stale = replace(signature("Helen Ward", at=TUESDAY), stale=True)
    assert decide(approved_facts(sign_off=None, overrides=(stale,))).decision == Decision.PENDING
    older = signature("Helen Ward", at=MONDAY)
    later_block = signature(at=TUESDAY)
    facts = approved_facts(open_blocks=(later_block,), overrides=(older,))
    assert decide(facts).decision == Decision.BLOCKED
