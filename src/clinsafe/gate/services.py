"""Use cases of the release gate: CSO reviews, risk acceptance at the right level, sign-off,
block, override and release. Each checks permission, validates, writes in one transaction
and records its audit event; the web views, the API and the CLI call these."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinsafe.audit.chain import digest
from clinsafe.audit.models import EventType
from clinsafe.audit.services import history_of, record_event
from clinsafe.core.formats import long_date, person_name
from clinsafe.core.lockout import locked_until, record_failure
from clinsafe.core.models import Organisation, Role
from clinsafe.core.notifications import notify
from clinsafe.core.permissions import Action, Actor, can, require
from clinsafe.core.services import appointed_since, product_appointments, require_appointment
from clinsafe.gate.decision import Decision
from clinsafe.gate.evaluation import evaluate, report
from clinsafe.gate.models import (
    AcceptedAs,
    Block,
    Escalation,
    HazardReview,
    Override,
    RiskAcceptance,
    Signed,
    SignOff,
)
from clinsafe.gate.snapshot import hazard_of, hazard_snapshot
from clinsafe.hazards.models import Hazard
from clinsafe.products.models import Release, ReleaseStage
from clinsafe.risk.acceptance import AcceptanceLevel

MIN_JUSTIFICATION_CHARS = 150
MIN_JUSTIFICATION_SENTENCES = 2
EXECUTIVE = Role.EXECUTIVE.label  # "Accountable executive"


# --- hazards -------------------------------------------------------------------------------


def review_hazard(*, actor: Actor, hazard: Hazard, comment: str = "") -> HazardReview:
    """The CSO (or a deputy) records having reviewed ``hazard`` as it stands now. The review
    lapses as soon as the hazard, its risk estimates or its controls change."""
    actor = require(actor, Action.REVIEW_HAZARD, hazard.product.organisation)
    require_appointment(actor, hazard.product)
    with transaction.atomic():
        current = _lock_hazard(hazard)
        review = HazardReview.objects.create(
            hazard=current,
            hazard_version=current.version,
            snapshot_hash=digest(hazard_snapshot(current)),
            reviewed_by=actor,
            reviewer_name=person_name(actor),
            reviewed_at=timezone.now(),
            comment=comment.strip(),
        )
        record_event(
            EventType.HAZARD_REVIEWED,
            actor=actor,
            subject=current,
            organisation=current.product.organisation,
            data={"version": current.version, "snapshot_hash": review.snapshot_hash},
            reason=review.comment,
        )
    return review


def escalate_risk(*, actor: Actor, hazard: Hazard, recommendation: str) -> Escalation:
    """Send a residual risk the CSO may not accept alone to an accountable executive, with the
    CSO's recommendation."""
    actor = require(actor, Action.ACCEPT_RISK_AS_CSO, hazard.product.organisation)
    require_appointment(actor, hazard.product)
    recommendation = recommendation.strip()
    if not recommendation:
        raise ValidationError(
            {"recommendation": "Give your recommendation to the executive: accept or not, and why."}
        )
    with transaction.atomic():
        current = _lock_hazard(hazard)
        rating, level = _residual_level(current)
        if level != AcceptanceLevel.EXECUTIVE:
            raise ValidationError(
                {"__all__": f"A residual rating of {rating} is not for an executive: "
                 f"{level.label.lower()}."}
            )  # fmt: skip
        escalation = Escalation.objects.create(
            hazard=current,
            rating=rating,
            recommendation=recommendation,
            escalated_by=actor,
            escalated_at=timezone.now(),
            snapshot_hash=digest(hazard_snapshot(current)),
        )
        record_event(
            EventType.RISK_ESCALATED,
            actor=actor,
            subject=current,
            organisation=current.product.organisation,
            data={"rating": rating},
            reason=recommendation,
        )
        notify(
            _members(current.product.organisation, Role.EXECUTIVE),
            subject=f"Residual risk of {current.reference} escalated for your acceptance",
            message=f"{person_name(actor)} escalated {current} (residual rating {rating}) for "
            f"an accountable executive's decision: {recommendation}",
            link=_hazard_link(current),
        )
    return escalation


def accept_risk(*, actor: Actor, hazard: Hazard, password: str, rationale: str) -> RiskAcceptance:
    """Accept ``hazard``'s current residual risk at the level its rating needs.

    Rating 1-2 is acceptable as assessed; 3 a CSO accepts with an ALARP rationale; 4 an
    accountable executive accepts with a benefit-risk justification, once a CSO has escalated
    it with a recommendation; 5 cannot be accepted (an organisation may make levels stricter).
    The acceptance is a signature over the hazard as it stands, and stale once it changes.
    """
    organisation = hazard.product.organisation
    executive = can(actor, Action.ACCEPT_RISK_AS_EXECUTIVE, organisation)
    actor = require(  # nobody else learns more
        actor,
        Action.ACCEPT_RISK_AS_EXECUTIVE if executive else Action.ACCEPT_RISK_AS_CSO,
        organisation,
    )
    rationale = rationale.strip()
    check_signing_password(actor, password)
    with transaction.atomic():
        current = _lock_hazard(hazard)
        rating, level = _residual_level(current)
        snapshot = hazard_snapshot(current)
        recommendation = ""
        if level == AcceptanceLevel.AS_ASSESSED:
            raise ValidationError(
                {"__all__": f"A residual rating of {rating} is acceptable as assessed; it needs "
                 "no separate acceptance."}
            )  # fmt: skip
        if level == AcceptanceLevel.NOT_ACCEPTABLE:
            raise ValidationError(
                {"__all__": f"A residual rating of {rating} cannot be accepted: add controls to "
                 "reduce the risk, then re-assess."}
            )  # fmt: skip
        if level == AcceptanceLevel.CSO:
            actor = require(actor, Action.ACCEPT_RISK_AS_CSO, organisation)
            role = require_appointment(actor, current.product).get_role_display()
            accepted_as = AcceptedAs.CSO
            if not rationale:
                raise ValidationError(
                    {"rationale": "Give the ALARP rationale: why reducing the risk further is "
                     "impractical or disproportionate."}
                )  # fmt: skip
        else:
            actor = require(actor, Action.ACCEPT_RISK_AS_EXECUTIVE, organisation)
            role, accepted_as = EXECUTIVE, AcceptedAs.EXECUTIVE
            escalation = current.escalations.select_related("escalated_by").first()
            if escalation is None or escalation.snapshot_hash != digest(snapshot):
                raise ValidationError(
                    {"__all__": f"A residual rating of {rating} needs the CSO's current "
                     "recommendation first: the CSO must escalate it as it stands now."}
                )  # fmt: skip
            if escalation.escalated_by_id == actor.pk:
                raise PermissionDenied(
                    "You escalated this risk as CSO; another person must accept it as "
                    "accountable executive."
                )
            recommendation = escalation.recommendation
            if not rationale:
                raise ValidationError(
                    {"rationale": "Give the benefit-risk justification: why the clinical "
                     "benefit outweighs this residual risk."}
                )  # fmt: skip
        acceptance, signed = sign_record(
            RiskAcceptance(
                hazard=current,
                rating=rating,
                accepted_as=accepted_as,
                recommendation=recommendation,
            ),
            actor,
            role,
            f"accepted residual risk (rating {rating}) as {role}",
            rationale,
            snapshot,
        )
        if not signed:
            return acceptance
        record_event(
            EventType.RISK_ACCEPTED,
            actor=actor,
            subject=current,
            organisation=organisation,
            data=_signature_data(acceptance),
            reason=rationale,
        )
    return acceptance


# --- releases ------------------------------------------------------------------------------

# Steps other capabilities take, in the same transaction, when a CSO signs a release off
# (the documents issue the release's Safety Case Report and Hazard Log).
SignOffStep = Callable[[User, Release, SignOff], None]
SIGN_OFF_STEPS: list[SignOffStep] = []


def add_sign_off_step(step: SignOffStep) -> SignOffStep:
    SIGN_OFF_STEPS.append(step)
    return step


# Steps other capabilities take, in the same transaction, when a release is recorded as
# released (a deployment's record goes live with its go-live).
ReleasedStep = Callable[[User, Release], None]
RELEASED_STEPS: list[ReleasedStep] = []


def add_released_step(step: ReleasedStep) -> ReleasedStep:
    RELEASED_STEPS.append(step)
    return step


def sign_off_release(*, actor: Actor, release: Release, password: str, statement: str) -> SignOff:
    """The CSO approves the release as it stands. Refused until the CSO has reviewed every
    hazard rated 3 or above and every hazard changed since the previous release, after its
    last change: a sign-off cannot be a rubber stamp."""
    actor = require(actor, Action.SIGN_OFF_RELEASE, release.product.organisation)
    appointment = require_appointment(actor, release.product)
    statement = statement.strip()
    if not statement:
        raise ValidationError({"statement": "Write your statement as CSO for the release."})
    check_signing_password(actor, password)
    with transaction.atomic():
        release = _lock_open_release(release)
        if stands := open_blocks(release):
            raise ValidationError({"__all__": _block_stands(stands[0], actor)})
        evaluation = evaluate(release)
        waiting = [h["reference"] for h in evaluation.waiting_review]
        if waiting:
            raise ValidationError(
                {"__all__": "You cannot sign what you have not looked at: review "
                 f"{', '.join(waiting)} first."}
            )  # fmt: skip
        role = appointment.get_role_display()
        sign_off, signed = sign_record(
            SignOff(release=release),
            actor,
            role,
            f"approved release {release.version} as {role}",
            statement,
            evaluation.snapshot,
        )
        if not signed:
            return sign_off
        _record(EventType.RELEASE_SIGNED_OFF, actor, release, sign_off)
        for step in SIGN_OFF_STEPS:
            step(actor, release, sign_off)
    return sign_off


def changes_since_review(hazard: Hazard) -> tuple[HazardReview | None, list[dict[str, Any]]]:
    """The hazard's last review and what was done to it since (every event after the review,
    oldest first, each field changed named as a person reads it, with before and after)."""
    review = hazard.reviews.first()
    events = history_of(hazard).order_by("sequence")
    if review is not None:
        events = events.filter(occurred_at__gt=review.reviewed_at)
    return review, [
        {
            "what": event.get_event_type_display(),
            "who": event.actor_name,
            "when": event.occurred_at,
            "changes": [
                (_field_label(name), before, after)
                for name, (before, after) in (event.data.get("changes") or {}).items()
            ],
        }
        for event in events
    ]


def _field_label(name: str) -> str:
    try:
        label = getattr(Hazard._meta.get_field(name), "verbose_name", name)
    except FieldDoesNotExist:
        label = name
    return str(label).replace("_", " ").capitalize()


def open_blocks(release: Release) -> list[Block]:
    """The blocks on ``release`` not lifted, oldest first."""
    return list(
        release.blocks.filter(lifted_at__isnull=True).select_related("signer").order_by("signed_at")
    )


def _block_stands(block: Block, actor: User) -> str:
    """Why a sign-off is refused while ``block`` stands, and the way out."""
    whose = "Your" if block.signer_id == actor.pk else f"{person_name(block.signer)}'s"
    return (
        f"{whose} block of {long_date(block.signed_at)} still stands: lift it first, saying why "
        "it no longer holds, then sign off. A sign-off beside a standing block would say the "
        "release is both safe and unsafe."
    )


def block_release(*, actor: Actor, release: Release, password: str, reasons: str) -> Block:
    """A CSO whose appointment grants blocking authority stops the release, with reasons."""
    actor = require(actor, Action.BLOCK_RELEASE, release.product.organisation)
    appointment = require_appointment(actor, release.product)
    if not appointment.can_block_release:
        raise PermissionDenied(
            "Your appointment does not grant authority to block a release; ask whoever "
            "appointed you to grant it."
        )
    reasons = reasons.strip()
    if not reasons:
        raise ValidationError({"reasons": "Say why the release is blocked and what would lift it."})
    check_signing_password(actor, password)
    with transaction.atomic():
        release = _lock_open_release(release)
        evaluation = evaluate(release)
        role = appointment.get_role_display()
        block, signed = sign_record(
            Block(release=release),
            actor,
            role,
            f"blocked release {release.version} as {role}",
            reasons,
            evaluation.snapshot,
        )
        if not signed:
            return block
        _record(EventType.RELEASE_BLOCKED, actor, release, block)
    return block


def lift_block(*, actor: Actor, block: Block, reason: str) -> Block:
    """Only a CSO lifts a block; the block stays on record with who lifted it and why."""
    release = block.release
    actor = require(actor, Action.BLOCK_RELEASE, release.product.organisation)
    require_appointment(actor, release.product)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the block is lifted."})
    with transaction.atomic():
        _lock_open_release(release)
        block = Block.objects.select_for_update().get(pk=block.pk)
        if not block.is_open:
            raise ValidationError({"__all__": "This block has already been lifted."})
        block.lifted_at, block.lifted_by = timezone.now(), actor
        block.lifted_by_name, block.lift_reason = person_name(actor), reason
        block.save(update_fields=["lifted_at", "lifted_by", "lifted_by_name", "lift_reason"])
        record_event(
            EventType.RELEASE_BLOCK_LIFTED,
            actor=actor,
            subject=release,
            organisation=release.product.organisation,
            data={"block": block.pk, "blocked_by": block.signer_name},
            reason=reason,
        )
    return block


def override_release(
    *, actor: Actor, release: Release, password: str, justification: str
) -> Override:
    """An accountable executive releases over a CSO block or failing rules, with a written
    justification. Nothing is deleted: the blocks and failed rules stay, and the override is
    shown in red wherever the release is. The product's CSOs are notified."""
    actor = require(actor, Action.OVERRIDE_RELEASE, release.product.organisation)
    open_blocks = release.blocks.filter(lifted_at__isnull=True).order_by("signed_at")
    first_block = open_blocks.values_list("signed_at", flat=True).first()
    since = timezone.localdate(first_block) if first_block else timezone.localdate()
    if appointed_since(release.product, actor, since):
        raise PermissionDenied(
            "You held a CSO appointment for this product while the gate stood against this "
            "release; a CSO cannot override the gate, even after the appointment ends."
        )
    justification = justification.strip()
    sentences = len(re.findall(r"[.!?](?:\s|$)", justification))
    if len(justification) < MIN_JUSTIFICATION_CHARS or sentences < MIN_JUSTIFICATION_SENTENCES:
        raise ValidationError(
            {"justification": "Write a justification of at least a few sentences "
             f"({MIN_JUSTIFICATION_SENTENCES} or more, {MIN_JUSTIFICATION_CHARS} characters or "
             "more): every later reader of this release will see it."}
        )  # fmt: skip
    check_signing_password(actor, password)
    with transaction.atomic():
        release = _lock_open_release(release)
        evaluation = evaluate(release)
        decision = evaluation.decision
        if decision.decision == Decision.APPROVED:
            raise ValidationError({"__all__": "The gate already approves this release."})
        gate = report(evaluation)
        override, _ = sign_record(  # once overridden, the gate approves: no twin
            Override(
                release=release,
                overridden={
                    "decision": decision.decision,
                    "blocks": [b for b in gate["blocks"] if b["open"]],
                    "rules": [r for r in gate["rules"] if r["outcome"] != "passed"],
                },
            ),
            actor,
            EXECUTIVE,
            f"overrode the release gate for {release.version} as {EXECUTIVE}",
            justification,
            evaluation.snapshot,
        )
        _record(EventType.RELEASE_OVERRIDDEN, actor, release, override)
        notify(
            [a.user for a in product_appointments(release.product)],
            subject=f"{release} overridden by {person_name(actor)}",
            message=f"{person_name(actor)} overrode the release gate for {release} "
            f"(it was {decision.decision}): {justification}",
            link=_release_link(release),
        )
    return override


def record_released(*, actor: Actor, release: Release) -> Release:
    """Record that the release shipped. Only an approved release (by the CSO's sign-off or an
    override) can be; its snapshot, sign-off and decision are frozen as issued."""
    actor = require(actor, Action.RECORD_RELEASE, release.product.organisation)
    with transaction.atomic():
        release = _lock_open_release(release)
        evaluation = evaluate(release)
        if evaluation.decision.decision != Decision.APPROVED:
            raise ValidationError(
                {"__all__": f"The gate has not approved release {release.version}: "
                 f"{evaluation.decision.message}"}
            )  # fmt: skip
        release.stage, release.released_at, release.released_by = (
            ReleaseStage.RELEASED,
            timezone.now(),
            actor,
        )
        release.issued_snapshot = evaluation.snapshot
        release.issued_gate = report(evaluation) | {"status": ReleaseStage.RELEASED, "frozen": True}
        release.revision += 1
        release.save()
        record_event(
            EventType.RELEASE_RELEASED,
            actor=actor,
            subject=release,
            organisation=release.product.organisation,
            data={
                "snapshot_hash": evaluation.snapshot_hash,
                "approved_by_override": evaluation.decision.override is not None,
            },
        )
        for step in RELEASED_STEPS:
            step(actor, release)
    return release


# --- shared steps --------------------------------------------------------------------------


def check_signing_password(actor: User, password: str) -> None:
    """The signer's own password, re-entered. Failures count towards the same lock-out as
    failed logins; called before the signing transaction, so a failure is kept though the
    signing is not."""
    username = actor.get_username()
    retry = locked_until(username, None)
    if retry:
        raise ValidationError(
            {"password": "Too many failed password attempts: signing is locked until "
             f"{retry:%H:%M}."}
        )  # fmt: skip
    if not password or not actor.check_password(password):
        record_failure(username, None)
        raise ValidationError(
            {"password": "The password is not correct. Signing needs your own password."}
        )


def sign_record(
    record: Signed, actor: User, role: str, meaning: str, statement: str, snapshot: dict[str, Any]
) -> tuple[Any, bool]:
    """Sign ``record``, and say whether it is new: the same signature over the same records,
    already made (a form sent twice, a retried request), is given back instead of made
    again."""
    snapshot_hash = digest(snapshot)
    twin = record.twins().filter(
        signer=actor, meaning=meaning, statement=statement, snapshot_hash=snapshot_hash
    )
    if earlier := twin.first():
        return earlier, False
    record.signer = actor
    record.signer_name = person_name(actor)
    record.signer_role = role
    record.meaning = meaning
    record.signed_at = timezone.now()
    record.statement = statement
    record.snapshot = snapshot
    record.snapshot_hash = snapshot_hash
    record.save()
    return record, True


def _signature_data(signature: Signed) -> dict[str, Any]:
    return {
        "signature": signature.pk,
        "role": signature.signer_role,
        "meaning": signature.meaning,
        "snapshot_hash": signature.snapshot_hash,
    }


def _record(event: EventType, actor: User, release: Release, signature: Signed) -> None:
    record_event(
        event,
        actor=actor,
        subject=release,
        organisation=release.product.organisation,
        data=_signature_data(signature),
        reason=signature.statement,
    )


def _lock_hazard(hazard: Hazard) -> Hazard:
    """The hazard as it stands, with its current risk, locked until the transaction ends."""
    Hazard.objects.select_for_update().filter(pk=hazard.pk).first()
    current = hazard_of(hazard)
    if current.is_withdrawn:
        raise ValidationError({"__all__": f"{current.reference} is withdrawn."})
    return current


def _lock_open_release(release: Release) -> Release:
    locked = Release.objects.select_for_update().select_related("product__organisation")
    release = locked.get(pk=release.pk)
    if release.is_closed:
        raise ValidationError(
            {"__all__": f"Release {release.version} is {release.get_stage_display().lower()}; "
             "what was issued is frozen."}
        )  # fmt: skip
    return release


def _residual_level(hazard: Hazard) -> tuple[int, AcceptanceLevel]:
    rating = hazard.residual_rating  # type: ignore[attr-defined]
    if rating is None:
        raise ValidationError({"__all__": f"Assess the residual risk of {hazard.reference} first."})
    return rating, hazard.product.organisation.acceptance_policy.level(rating)


def _members(organisation: Organisation, role: str) -> list[User]:
    return list(User.objects.filter(memberships__organisation=organisation, memberships__role=role))


def _hazard_link(hazard: Hazard) -> str:
    return reverse("hazard-detail", args=[hazard.product.slug, hazard.number])


def _release_link(release: Release) -> str:
    return reverse("release-detail", args=[release.product.slug, release.version])
