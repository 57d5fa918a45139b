"""The DCB0129 compliance assessment of a release, and the gate rule that waits for it."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from clinsafe.audit.models import AuditEvent
from clinsafe.gate.evaluation import evaluate
from clinsafe.reports.dcb0129 import REQUIREMENTS, Obligation
from clinsafe.reports.models import ComplianceAssessment
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
    assert state == "passed" and "61 requirements: 61 compliant; signed by Priya Shah" in message


def test_changing_the_answers_after_signing_needs_a_new_signature(cso, release):
    assess_compliance(actor=cso, release=release, answers=compliance_answers())
    sign_compliance(actor=cso, release=release, password=PASSWORD)
    answers = compliance_answers()
    answers["6.3.2"] = {"status": "partly", "evidence": "Two controls await verification."}
    assess_compliance(actor=cso, release=release, answers=answers)
    assert outcome(release)[1] == (
        "The compliance assessment changed after the CSO signed it: sign it again."
    )
    assert compliance_of(release).assessment.revision == 2


def test_every_requirement_needs_a_status_and_evidence_unless_not_applicable(cso, release):
    answers = compliance_answers()
    del answers["2.2.1"]
    answers["3.1.1"] = {"status": "compliant", "evidence": "  "}
    answers["2.5.1"] = {"status": "not_applicable", "evidence": ""}
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


migration = importlib.import_module("clinsafe.reports.migrations.0007_dcb0129_v4_2_clauses")
OLD_TITLES = migration.OLD_TITLES
STANDARD = Path(__file__).resolve().parents[3] / "shared" / "standards" / "dcb0129-v4.2.md"


def test_the_assessment_asks_exactly_the_61_clauses_of_dcb0129_v4_2_in_order():
    rows = re.findall(r"^\| (\d\.\d\.\d)( \(SHOULD\))? \|", STANDARD.read_text(), re.M)
    assert len(rows) == 61
    assert [(r.clause, r.obligation) for r in REQUIREMENTS] == [
        (clause, Obligation.SHOULD if should else Obligation.SHALL) for clause, should in rows
    ]
    assert REQUIREMENTS[29].label == (
        "4.1.2 A multidisciplinary group, including the Clinical Safety Officer, performs the "
        "risk analysis (should)"
    )


def test_an_answer_to_a_clause_the_standard_does_not_have_is_refused(cso, release):
    answers = compliance_answers()
    answers["8.1.1"] = {"status": "compliant", "evidence": "Third-party products section."}
    with pytest.raises(ValidationError, match=r"8\.1\.1 are not DCB0129 requirements"):
        assess_compliance(actor=cso, release=release, answers=answers)


OLD_ROWS = tuple(OLD_TITLES)


def test_an_assessment_on_the_old_21_rows_is_carried_to_v4_2_with_a_note(cso, release):
    old = {clause: {"status": "compliant", "evidence": f"Row {clause}."} for clause in OLD_ROWS}
    old["2.1.2"] = {"status": "partly", "evidence": "The CSO has half a day a week."}
    assessment = ComplianceAssessment.objects.create(release=release, answers=old)

    migration.forwards(apps, None)

    assessment.refresh_from_db()
    assert assessment.earlier_answers == old
    # Old 2.1.2 (resources) and 2.2.1 (CSO appointed) both answer for v4.2's 2.2.1: the
    # less compliant answer is carried, with the evidence of both.
    assert assessment.answers["2.2.1"] == {
        "status": "partly",
        "evidence": "The CSO has half a day a week.\nRow 2.2.1.",
    }
    assert assessment.answers["2.5.2"] == {"status": "compliant", "evidence": "Row 8.1.1."}
    assert "8.1.1 Third-party products: carried to 2.5.1, 2.5.2." in assessment.renumbering_note
    compliance = compliance_of(release)
    assert "4.1.2" in compliance.unanswered and "2.2.1" not in compliance.unanswered
    assert len(compliance.unanswered) == 61 - len(assessment.answers)
    assert f"{len(compliance.unanswered)} not yet answered" in compliance.summary
    migration.forwards(apps, None)  # a second run leaves it be
    assessment.refresh_from_db()
    assert assessment.earlier_answers == old and assessment.revision == 2
