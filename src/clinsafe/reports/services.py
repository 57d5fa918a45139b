"""Use cases of the documents: the DCB0129 compliance assessment of a release and the CSO's
approval of the Clinical Risk Management Plan. Each checks permission, validates, writes in
one transaction and records its audit event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinsafe.audit.chain import digest
from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.cso import cso_position
from clinsafe.core.formats import long_date
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.services import require_appointment
from clinsafe.gate.services import check_signing_password, sign_record
from clinsafe.products.models import Product, Release
from clinsafe.reports.dcb0129 import BY_CLAUSE, REQUIREMENTS
from clinsafe.reports.models import (
    ComplianceAssessment,
    ComplianceSignature,
    ComplianceStatus,
    PlanApproval,
    RatingMismatch,
)
from clinsafe.risk import NHS_EXAMPLE_SCHEME

MAX_EVIDENCE = 4000

# --- DCB0129 compliance assessment ---------------------------------------------------------


@dataclass(frozen=True)
class Compliance:
    """A release's assessment as it stands: answered, signed, and whether the signature
    still covers the answers."""

    assessment: ComplianceAssessment | None
    signature: ComplianceSignature | None

    @property
    def signed_current(self) -> bool:
        return (
            self.assessment is not None
            and self.signature is not None
            and self.signature.is_sealed  # one changed outside clinsafe counts for nothing
            and self.signature.snapshot_hash == digest(_answers_snapshot(self.assessment))
        )

    @property
    def unanswered(self) -> list[str]:
        answers = self.assessment.answers if self.assessment else {}
        return [r.clause for r in REQUIREMENTS if r.clause not in answers]

    @property
    def summary(self) -> str:
        if self.assessment is None:
            return "Not assessed."
        counts: dict[str, int] = {}
        for answer in self.assessment.answers.values():
            counts[answer["status"]] = counts.get(answer["status"], 0) + 1
        tally = ", ".join(
            [f"{counts[s]} {ComplianceStatus(s).label.lower()}" for s in ComplianceStatus.values
             if s in counts]
            + ([f"{len(self.unanswered)} not yet answered"] if self.unanswered else [])
        )  # fmt: skip
        if self.signature is None:
            signed = "not signed"
        elif self.signed_current:
            signature = self.signature
            signed = f"signed by {signature.signer_name} on {long_date(signature.signed_at)}"
        else:
            signed = "signed, but the answers changed since (stale)"
        return f"{len(REQUIREMENTS)} requirements: {tally or 'none answered'}; {signed}."


def compliance_of(release: Release) -> Compliance:
    return compliances_of([release])[release.pk]


def compliances_of(releases: Iterable[Release]) -> dict[int, Compliance]:
    """Each release's assessment and its latest signature, in two queries for any number."""
    releases = list(releases)
    assessments = {
        a.release_id: a
        for a in ComplianceAssessment.objects.filter(release__in=releases).prefetch_related(
            "signatures"
        )
    }
    compliances = {}
    for release in releases:
        assessment = assessments.get(release.pk)
        signatures = list(assessment.signatures.all()) if assessment else []
        compliances[release.pk] = Compliance(assessment, signatures[0] if signatures else None)
    return compliances


def assess_compliance(
    *, actor: Actor, release: Release, answers: dict[str, dict[str, str]]
) -> ComplianceAssessment:
    """Record the CSO's answer to each DCB0129 requirement for ``release``: a status and the
    evidence (text or a link). Every requirement needs an answer; a signature made over
    earlier answers becomes stale."""
    actor = require(actor, Action.ASSESS_COMPLIANCE, release.product.organisation)
    require_appointment(actor, release.product)
    cleaned = _clean_answers(answers)
    with transaction.atomic():
        assessment, created = ComplianceAssessment.objects.select_for_update().get_or_create(
            release=release
        )
        if not created and assessment.answers == cleaned:
            return assessment
        assessment.answers = cleaned
        if not created:
            assessment.revision += 1
        assessment.save()
        record_event(
            EventType.COMPLIANCE_ASSESSED,
            actor=actor,
            subject=release,
            organisation=release.product.organisation,
            data={"revision": assessment.revision, "answers": cleaned},
        )
    return assessment


def sign_compliance(
    *, actor: Actor, release: Release, password: str, statement: str = ""
) -> ComplianceSignature:
    """The CSO signs the release's compliance assessment as it stands."""
    actor = require(actor, Action.ASSESS_COMPLIANCE, release.product.organisation)
    appointment = require_appointment(actor, release.product)
    check_signing_password(actor, password)
    with transaction.atomic():
        assessment = (
            ComplianceAssessment.objects.select_for_update().filter(release=release).first()
        )
        if assessment is None:
            raise ValidationError({"__all__": "Answer the assessment before signing it."})
        role = appointment.get_role_display()
        signature, signed = sign_record(
            ComplianceSignature(assessment=assessment),
            actor,
            role,
            f"declared release {release.version} compliant with DCB0129 as assessed, as {role}",
            statement.strip() or "I confirm this assessment of compliance with DCB0129.",
            _answers_snapshot(assessment),
        )
        if not signed:
            return signature
        record_event(
            EventType.COMPLIANCE_SIGNED,
            actor=actor,
            subject=release,
            organisation=release.product.organisation,
            data={"snapshot_hash": signature.snapshot_hash, "role": role},
        )
    return signature


def _clean_answers(answers: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    errors: dict[str, str] = {}
    unknown = sorted(set(answers) - set(BY_CLAUSE))
    if unknown:
        errors["__all__"] = f"{', '.join(unknown)} are not DCB0129 requirements in clinsafe."
    cleaned = {}
    for requirement in REQUIREMENTS:
        answer = answers.get(requirement.clause) or {}
        status = answer.get("status", "")
        evidence = (answer.get("evidence") or "").strip()
        if status not in ComplianceStatus.values:
            errors[requirement.clause] = (
                f"{requirement.label}: choose compliant, partly, not compliant or not applicable."
            )
        elif status != ComplianceStatus.NOT_APPLICABLE and not evidence:
            errors[requirement.clause] = f"{requirement.label}: give the evidence, or a link to it."
        elif len(evidence) > MAX_EVIDENCE:
            errors[requirement.clause] = (
                f"{requirement.clause}: the evidence may be at most {MAX_EVIDENCE} characters."
            )
        else:
            cleaned[requirement.clause] = {"status": status, "evidence": evidence}
    if errors:
        raise ValidationError(errors)
    return cleaned


def _answers_snapshot(assessment: ComplianceAssessment) -> dict[str, Any]:
    return {"release": assessment.release_id, "answers": assessment.answers}


# --- Clinical Risk Management Plan ---------------------------------------------------------


@dataclass(frozen=True)
class PlanStatus:
    """The plan's approved versions, newest first, and whether the newest still stands."""

    approvals: list[PlanApproval]
    basis: dict[str, Any]
    basis_hash: str
    reasons: list[str]  # why the approved version is out of date

    @property
    def current(self) -> bool:
        return bool(self.approvals) and not self.reasons

    @property
    def version(self) -> int:
        """The version the document shows: the approved one, or the one queued next."""
        latest = self.approvals[0].plan_version if self.approvals else 0
        return latest if self.current else latest + 1

    @property
    def summary(self) -> str:
        if self.current:
            a = self.approvals[0]
            return (
                f"version {a.plan_version}, approved by {a.signer_name} on {long_date(a.signed_at)}"
            )
        if not self.approvals:
            return f"version {self.version}, draft awaiting the CSO's approval"
        return (
            f"version {self.approvals[0].plan_version} is out of date; version {self.version} "
            "is queued for the CSO's approval"
        )


def plan_basis(product: Product) -> dict[str, Any]:
    """What the plan rests on: when any of it changes, the approved plan is out of date."""
    position = cso_position(product)
    appointment = position.appointment
    return {
        "cso": {"appointment": appointment.pk, "person": appointment.user_id}
        if appointment
        else None,
        "intended_use": {
            "intended_use": product.intended_use,
            "care_settings": product.care_settings,
            "intended_users": product.intended_users,
            "patient_groups": product.patient_groups,
        },
        "risk_scheme": {
            "name": NHS_EXAMPLE_SCHEME.name,
            "matrix": {lk.name: list(row) for lk, row in NHS_EXAMPLE_SCHEME.matrix.items()},
        },
    }


_BASIS_WORDS = {
    "cso": "the CSO appointment changed",
    "intended_use": "the intended use changed",
    "risk_scheme": "the risk scheme changed",
}


def plan_status(product: Product) -> PlanStatus:
    approvals = list(PlanApproval.objects.filter(product=product).order_by("-plan_version"))
    basis = plan_basis(product)
    reasons = []
    if approvals and not approvals[0].is_sealed:
        reasons = ["its approval was changed outside clinsafe (its seal does not match)"]
    elif approvals:
        approved = approvals[0].snapshot
        reasons = [words for part, words in _BASIS_WORDS.items() if approved[part] != basis[part]]
    return PlanStatus(approvals, basis, digest(basis), reasons)


def approve_plan(*, actor: Actor, product: Product, password: str, statement: str) -> PlanApproval:
    """The CSO approves the plan as it stands, as its next version."""
    actor = require(actor, Action.APPROVE_PLAN, product.organisation)
    appointment = require_appointment(actor, product)
    statement = statement.strip()
    if not statement:
        raise ValidationError({"statement": "Write your statement approving the plan."})
    check_signing_password(actor, password)
    with transaction.atomic():
        # Lock the product so two approvals cannot take the same version.
        Product.objects.select_for_update().filter(pk=product.pk).first()
        status = plan_status(product)
        if status.current:
            raise ValidationError(
                {"__all__": f"Plan version {status.version} is approved and still current."}
            )
        role = appointment.get_role_display()
        approval, _ = sign_record(  # refused above once approved: no twin
            PlanApproval(product=product, plan_version=status.version),
            actor,
            role,
            f"approved the Clinical Risk Management Plan version {status.version} as {role}",
            statement,
            status.basis,
        )
        record_event(
            EventType.PLAN_APPROVED,
            actor=actor,
            subject=product,
            organisation=product.organisation,
            data={"plan_version": status.version, "snapshot_hash": approval.snapshot_hash},
            reason=statement,
        )
    return approval


# --- imported ratings the matrix contradicts --------------------------------------------------


def decide_rating_mismatch(
    *, actor: Actor, mismatch: RatingMismatch, decision: str
) -> RatingMismatch:
    """The CSO records what they make of a rating an imported file stated and the matrix
    contradicts (the matrix's rating stands, or the hazard is re-assessed); the flag then
    stops asking for a decision, and the decision stays on the hazard's record."""
    product = mismatch.hazard.product
    user = require(actor, Action.REVIEW_HAZARD, product.organisation)
    require_appointment(user, product)
    decision = decision.strip()
    if not decision:
        raise ValidationError(
            {"decision": "Say what you decided: why the matrix's rating stands, or that "
                         "you re-assessed the hazard."}
        )  # fmt: skip
    with transaction.atomic():
        locked = RatingMismatch.objects.select_for_update().get(pk=mismatch.pk)
        if not locked.open:
            raise ValidationError(
                {"decision": f"{locked.decided_by_name} decided on this rating already."}
            )
        locked.decision, locked.decided_by, locked.decided_at = decision, user, timezone.now()
        locked.save(update_fields=["decision", "decided_by", "decided_at"])
        record_event(
            EventType.RATING_MISMATCH_DECIDED,
            actor=user,
            subject=locked,
            organisation=product.organisation,
            data={"hazard": mismatch.hazard.reference, "stage": locked.stage,
                  "stated": locked.stated, "matrix": locked.computed, "row": locked.row,
                  "decision": decision},
        )  # fmt: skip
    return locked
