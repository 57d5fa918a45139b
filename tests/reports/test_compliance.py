"""The DCB0129 compliance assessment of a release, and the gate rule that waits for it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinsafe.audit.models import AuditEvent
from clinsafe.gate.evaluation import evaluate
from clinsafe.reports.services import assess_compliance, compliance_of, sign_compliance
from tests.conftest import PASSWORD, compliance_answers

pytestmark = pytest.mark.django_db


def outcome(release):
    rule = next(r for r in evaluate(release).decision.rules if r.code == "compliance")
    return rule.outcome, rule.message


def test_the_gate_is_pending_until_the_cso_signs_an_assessment(cso, release):
    assert outcome(release) == (
        "pending",
        "No DCB0129 compliance assessment is recorded for 2.4.0.",
    )
    assess_compliance(actor=cso, release=release, answers=compliance_answers())
    assert outcome(release) == ("pending", "The CSO has not signed the compliance assessment.")
    sign_compliance(actor=cso, release=release, password=PASSWORD)
    state, message = outcome(release)
    assert state == "passed" and "21 compliant; signed by Priya Shah" in message


def test_changing_the_answers_after_signing_needs_a_new_signature(cso, release):
    assess_compliance(actor=cso, release=release, answers=compliance_answers())
    sign_compliance(actor=cso, release=release, password=PASSWORD)
    answers = compliance_answers()
    answers["5.2.1"] = {"status": "partly", "evidence": "Two controls await verification."}
    assess_compliance(actor=cso, release=release, answers=answers)
    assert outcome(release)[1] == (
        "The compliance assessment changed after the CSO signed it: sign it again."
    )
    assert compliance_of(release).assessment.revision == 2


def test_every_requirement_needs_a_status_and_evidence_unless_not_applicable(cso, release):
    answers = compliance_answers()
    del answers["2.2.1"]
    answers["3.1.1"] = {"status": "compliant", "evidence": "  "}
    answers["8.1.1"] = {"status": "not_applicable", "evidence": ""}
    with pytest.raises(ValidationError) as refused:
        assess_compliance(actor=cso, release=release, answers=answers)
    assert set(refused.value.message_dict) == {"2.2.1", "3.1.1"}
    assert "give the evidence" in refused.value.message_dict["3.1.1"][0]
    assert compliance_of(release).assessment is None


def test_signing_needs_the_cso_password_and_is_audited(cso, release):
    assess_compliance(actor=cso, release=release, answers=compliance_answers())
    with pytest.raises(ValidationError, match="password"):
        sign_compliance(actor=cso, release=release, password="wrong")
    signature = sign_compliance(actor=cso, release=release, password=PASSWORD)
    assert signature.signer_role == "Clinical Safety Officer"
    assert AuditEvent.objects.filter(event_type="compliance.signed").count() == 1
    assert AuditEvent.objects.filter(event_type="compliance.assessed").count() == 1


def test_a_cso_role_without_an_appointment_may_not_assess(priya, release):
    with pytest.raises(PermissionDenied, match="not an appointed Clinical Safety Officer"):
        assess_compliance(actor=priya, release=release, answers=compliance_answers())
