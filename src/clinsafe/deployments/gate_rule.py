"""The gate of a deployment's go-live (or upgrade) adds DCB0160's own rules to a release's:
the supplier's evidence reviewed by the local CSO, every transferred control accepted or
rejected, the deployment's plan approved, and its residual risks accepted by the deploying
organisation's accountable executive. The local CSO's sign-off covers the deployment's part
of the records too, and recording the go-live makes the deployment's record live.
Registered with the gate when the app is ready."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import User

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.formats import long_date
from clinsafe.deployments.models import AssuranceConclusion, Deployment
from clinsafe.deployments.records import (
    deployment_of,
    deployment_snapshot,
    latest_review,
    risk_acceptance,
    transfers,
)
from clinsafe.gate.decision import Outcome, RuleOutcome
from clinsafe.gate.evaluation import HazardLog, add_rule_source
from clinsafe.gate.services import add_released_step
from clinsafe.gate.snapshot import add_snapshot_part
from clinsafe.products.models import LifecycleStatus, Release
from clinsafe.reports.services import plan_status


@add_rule_source
def deployment_rules(release: Release, log: HazardLog) -> Iterator[RuleOutcome]:
    deployment = deployment_of(release.product)
    if deployment is None:
        return
    yield supplier_assurance(deployment)
    yield transfers_decided(deployment)
    yield plan_approved(deployment)
    yield risks_accepted(deployment)


@add_released_step
def record_goes_live(actor: User, release: Release) -> None:
    """The deployment's record is live from its go-live on, whoever records the go-live
    (the gate's permission to record it is what counts)."""
    record = release.product
    before = record.lifecycle_status
    if deployment_of(record) is None or before == LifecycleStatus.LIVE:
        return
    record.lifecycle_status = LifecycleStatus.LIVE
    record.version += 1
    record.save(update_fields=["lifecycle_status", "version", "updated_at"])
    record_event(
        EventType.PRODUCT_EDITED,
        actor=actor,
        subject=record,
        organisation=record.organisation,
        data={"changes": {"lifecycle_status": [before, LifecycleStatus.LIVE]}},
        reason=f"Went live with {release.version}.",
    )


@add_snapshot_part("deployment")
def deployment_part(release: Release) -> dict[str, Any] | None:
    deployment = deployment_of(release.product)
    return deployment_snapshot(deployment) if deployment else None


def supplier_assurance(deployment: Deployment) -> RuleOutcome:
    code, title = "supplier_assurance", "The local CSO has reviewed the supplier's evidence"
    version = deployment.bundle.release_version
    review = latest_review(deployment)
    if review is None:
        return RuleOutcome(
            code,
            title,
            Outcome.PENDING,
            f"The local CSO has not reviewed the supplier's assurance evidence for {version}.",
        )
    said = f"{review.reviewer_name} on {long_date(review.reviewed_at)}: {review.comment}"
    if review.conclusion == AssuranceConclusion.INSUFFICIENT:
        return RuleOutcome(
            code, title, Outcome.BLOCKED, f"The supplier's evidence is insufficient ({said})"
        )
    return RuleOutcome(code, title, Outcome.PASSED, f"{review.get_conclusion_display()} ({said})")


def transfers_decided(deployment: Deployment) -> RuleOutcome:
    code = "transfers_decided"
    title = "Every control the supplier transferred is accepted or rejected"
    listed = transfers(deployment)
    waiting = tuple(t.reference for t in listed if not t.current)
    if waiting:
        return RuleOutcome(
            code,
            title,
            Outcome.PENDING,
            f"The local CSO must accept or reject {', '.join(waiting)}, transferred by the "
            "supplier.",
        )
    if not listed:
        return RuleOutcome(code, title, Outcome.PASSED, "The supplier transferred no control.")
    rejected = [t for t in listed if t.rejected]
    local = [
        f"{t.reference} as local hazard {t.decision.local_hazard.reference}"
        for t in rejected
        if t.decision and t.decision.local_hazard
    ]
    return RuleOutcome(
        code,
        title,
        Outcome.PASSED,
        f"{len(listed) - len(rejected)} accepted, {len(rejected)} rejected"
        + (f"; controlled locally: {', '.join(local)}." if local else "."),
    )


def plan_approved(deployment: Deployment) -> RuleOutcome:
    code, title = "deployment_plan", "The deployment's Clinical Risk Management Plan is approved"
    status = plan_status(deployment.record)
    outcome = Outcome.PASSED if status.current else Outcome.PENDING
    return RuleOutcome(code, title, outcome, f"Plan {status.summary}.")


def risks_accepted(deployment: Deployment) -> RuleOutcome:
    code = "deployment_risks_accepted"
    title = "The accountable executive has accepted the deployment's residual risks"
    state = risk_acceptance(deployment)
    organisation = deployment.organisation.name
    if state.acceptance is None:
        message = (
            f"{organisation}'s accountable executive has not accepted the listed residual risks."
        )
    elif not state.current:
        message = (
            f"{state.acceptance.signer_name} accepted the residual risks on "
            f"{long_date(state.acceptance.signed_at)}, but the list changed since: accept it again."
        )
    else:
        return RuleOutcome(
            code,
            title,
            Outcome.PASSED,
            f"Accepted by {state.acceptance.signer_name} on "
            f"{long_date(state.acceptance.signed_at)}: {state.acceptance.statement}",
        )
    return RuleOutcome(code, title, Outcome.PENDING, message)
