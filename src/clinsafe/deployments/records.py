"""What a deployment's records say, read in one place for its pages, its gate rules, its
documents and its services: the supplier bundle's assurance checks, the controls the
supplier transferred and the local CSO's decisions on them, the residual risks the
accountable executive accepts, and what a newer bundle asks to be reviewed again."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from clinsafe.audit.chain import digest
from clinsafe.core.formats import long_date
from clinsafe.core.models import OrganisationKind
from clinsafe.deployments.compare import Comparison, compare
from clinsafe.deployments.models import (
    AssuranceReview,
    Deployment,
    ResidualRiskAcceptance,
    SupplierBundle,
    TransferDecision,
    TransferDecisionKind,
)
from clinsafe.hazards.models import Hazard, HazardStatus
from clinsafe.products.models import Product, Release, ReleaseStage
from clinsafe.reports.bundle import PARTS, part_hash

SERIOUS_RATING = 3  # supplier hazards at or above this rating are listed for acceptance


# --- the supplier's bundle -------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    title: str
    passed: bool
    detail: str


def rating(hazard: dict[str, Any]) -> int | None:
    """A bundle hazard's current rating: residual where assessed, else initial."""
    estimate = hazard.get("residual") or hazard.get("initial")
    return estimate["rating"] if estimate else None


def serious_hazards(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        h
        for h in content["hazard_log"]["hazards"]
        if (rating(h) or 0) >= SERIOUS_RATING and h["status"] != HazardStatus.CLOSED
    ]


def assurance_checks(bundle: SupplierBundle) -> list[Check]:
    """The checks a deploying organisation makes of its supplier's evidence."""
    content = bundle.content
    altered = [
        name for name in PARTS if part_hash(content[name]) != content["manifest"]["parts"][name]
    ]
    checks = [
        Check(
            "Schema and manifest",
            not altered,
            f"Checked against the bundle schema (format version {content['format_version']}) "
            f"when imported on {long_date(bundle.imported_at)}; "
            + (
                f"the {', '.join(altered)} part no longer matches its manifest hash."
                if altered
                else "every part still matches its manifest hash."
            ),
        )
    ]
    signatures = content["signatures"]
    sign_off = next((s for s in signatures if s["kind"] == "sign-off"), None)
    overrides = [s for s in signatures if s["kind"] == "override"]
    if sign_off and not sign_off["stale"]:
        detail, passed = f"Signed off by {sign_off['signer']} ({sign_off['role']}).", True
    elif sign_off:
        detail, passed = f"{sign_off['signer']}'s sign-off is stale: the records changed.", False
    else:
        detail, passed = "The supplier's CSO has not signed this version off.", False
    if overrides:
        o = overrides[0]
        detail += (
            f" Released over the CSO's position by {o['signer']} ({o['role']}): {o['statement']}"
        )
    checks.append(Check("Supplier CSO sign-off present and current", passed, detail))
    report = content["safety_case"]["report"]
    checks.append(
        Check(
            "Clinical Safety Case Report included",
            report is not None,
            f"Version {report['document_version']}, issued by {report['issued_by']}."
            if report
            else "The bundle holds no issued Safety Case Report.",
        )
    )
    serious = serious_hazards(content)
    unaccepted = [bundle.reference(h["reference"]) for h in serious if not h.get("acceptance")]
    checks.append(
        Check(
            f"Hazards rated {SERIOUS_RATING} or above have their residual risk accepted",
            not unaccepted,
            f"{len(serious)} hazards rated {SERIOUS_RATING} or above; "
            + (f"not accepted: {', '.join(unaccepted)}." if unaccepted else "all accepted."),
        )
    )
    return checks


def latest_review(deployment: Deployment) -> AssuranceReview | None:
    """The local CSO's review of the bundle the deployment rests on."""
    return deployment.assurance_reviews.filter(bundle=deployment.bundle_id).first()


def newer_bundle(deployment: Deployment) -> SupplierBundle | None:
    """The newest bundle of the same supplier product received after the one deployed."""
    bundle = deployment.bundle
    return (
        SupplierBundle.objects.filter(
            organisation=deployment.organisation_id,
            supplier_slug=bundle.supplier_slug,
            product_slug=bundle.product_slug,
            imported_at__gt=bundle.imported_at,
        )
        .defer("content")
        .first()
    )


# --- transferred controls --------------------------------------------------------------


@dataclass
class Transfer:
    """A control the supplier transferred, and where the local decision on it stands."""

    control: dict[str, Any]
    decision: TransferDecision | None

    @property
    def reference(self) -> str:
        return str(self.control["reference"])

    @property
    def current(self) -> bool:
        """Decided on the control as the supplier now words it."""
        return self.decision is not None and self.decision.control == self.control

    @property
    def state(self) -> str:
        if self.decision is None:
            return "To decide"
        if not self.current:
            return "Review again: the supplier changed it"
        return self.decision.get_decision_display()

    @property
    def rejected(self) -> bool:
        return self.current and self.decision.decision == TransferDecisionKind.REJECTED  # type: ignore[union-attr]


def transferred_controls(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c for c in content["hazard_log"]["controls"] if c["transferred_to_deploying_organisation"]
    ]


def transfers(deployment: Deployment) -> list[Transfer]:
    latest: dict[str, TransferDecision] = {}
    for decision in deployment.transfers.select_related("local_hazard", "decided_by"):
        latest.setdefault(decision.control_reference, decision)  # newest first
    return [
        Transfer(control, latest.get(control["reference"]))
        for control in transferred_controls(deployment.bundle.content)
    ]


# --- residual risks --------------------------------------------------------------------


def residual_risks(deployment: Deployment) -> list[dict[str, Any]]:
    """What the accountable executive accepts: every local hazard in the log with its
    current rating, and the supplier's hazards rated 3 or above that the deployment lives
    with."""
    local = (
        Hazard.objects.filter(product=deployment.record_id)
        .in_log()
        .exclude(status=HazardStatus.CLOSED)
        .with_current_risk()
        .order_by("number")
    )
    risks = [
        {
            "source": "local",
            "reference": h.reference,
            "title": h.title,
            "rating": getattr(h, "residual_rating", None) or getattr(h, "initial_rating", None),
        }
        for h in local
    ]
    risks += [
        {
            "source": "supplier",
            "reference": h["reference"],
            "title": h["title"],
            "rating": rating(h),
        }
        for h in serious_hazards(deployment.bundle.content)
    ]
    return risks


def risk_snapshot(deployment: Deployment) -> dict[str, Any]:
    return {
        "deployment": deployment.pk,
        "bundle": deployment.bundle.sha256,
        "risks": residual_risks(deployment),
    }


@dataclass
class RiskAcceptanceState:
    acceptance: ResidualRiskAcceptance | None
    current: bool


def risk_acceptance(deployment: Deployment) -> RiskAcceptanceState:
    acceptance = deployment.risk_acceptances.first()
    current = (
        acceptance is not None
        and acceptance.is_sealed  # one changed outside clinsafe counts for nothing
        and acceptance.snapshot_hash == digest(risk_snapshot(deployment))
    )
    return RiskAcceptanceState(acceptance, current)


# --- what the sign-off covers ----------------------------------------------------------


def deployment_snapshot(deployment: Deployment) -> dict[str, Any]:
    """The deployment's part of what the local CSO signs at go-live: the record, the
    supplier evidence it rests on, the decisions on transferred controls, the assurance
    review and the residual risks."""
    review = latest_review(deployment)
    return {
        "site": deployment.site,
        "operating_environment": deployment.operating_environment,
        "bundle": deployment.bundle.sha256,
        "transfers": [
            [t.reference, t.decision.decision if t.current else None]  # type: ignore[union-attr]
            for t in transfers(deployment)
        ],
        "assurance": [review.conclusion, review.reviewed_at.isoformat()] if review else None,
        "residual_risks": digest({"risks": residual_risks(deployment)}),
    }


# --- a newer bundle --------------------------------------------------------------------


@dataclass
class Arrival:
    """A newer supplier bundle: what changed, and the local items to review again."""

    bundle: SupplierBundle
    comparison: Comparison
    review_again: list[str]


def arrival(deployment: Deployment, bundle: SupplierBundle) -> Arrival:
    comparison = compare(deployment.bundle.content, bundle.content)
    changed = {c["reference"] for c, _fields in comparison.controls.changed}
    removed = {c["reference"] for c in comparison.controls.removed}
    items = []
    for transfer in transfers(deployment):
        if transfer.decision is None:
            continue
        if transfer.reference in changed | removed:
            verb = "changed" if transfer.reference in changed else "removed"
            decided = transfer.decision.get_decision_display().lower()
            items.append(
                f"Decision on {bundle.reference(transfer.reference)} ({decided}): the supplier "
                f"{verb} the control."
            )
            if transfer.decision.local_hazard:
                items.append(
                    f"Local hazard {transfer.decision.local_hazard.reference}, raised when "
                    f"{bundle.reference(transfer.reference)} was rejected."
                )
    items += [
        f"New transferred control {bundle.reference(c['reference'])}: accept or reject it."
        for c in comparison.controls.added
        if c["transferred_to_deploying_organisation"]
    ]
    items += [
        f"Newly transferred {bundle.reference(c['reference'])}: accept or reject it."
        for c, fields in comparison.controls.changed
        if "transferred_to_deploying_organisation" in fields
        and c["transferred_to_deploying_organisation"]
    ]
    if any(
        (rating(h) or 0) >= SERIOUS_RATING
        for h in comparison.hazards.added + [h for h, _f in comparison.hazards.changed]
    ):
        items.append("The residual risks the accountable executive accepted: the list changes.")
    items.append(f"The supplier assurance record, for {bundle.release_version}.")
    return Arrival(bundle, comparison, items)


# --- go-live and in use ----------------------------------------------------------------


def go_live(deployment: Deployment) -> Release | None:
    """The release the deployment went live with: its record's first one released."""
    return (
        deployment.record.releases.filter(stage=ReleaseStage.RELEASED)
        .order_by("released_at", "id")
        .first()
    )


def open_release(deployment: Deployment) -> Release | None:
    """The go-live or upgrade the deployment's gate is deciding now."""
    return (
        deployment.record.releases.exclude(
            stage__in=[ReleaseStage.RELEASED, ReleaseStage.WITHDRAWN]
        )
        .order_by("-created_at", "-id")
        .first()
    )


def next_review_due(deployment: Deployment, went_live: Release | None) -> date | None:
    """When the next in-use review is due: an interval after the last one, or after go-live."""
    if went_live is None or deployment.decommissioned_on is not None:
        return None
    last = deployment.in_use_reviews.first()
    start = last.held_on if last else timezone.localtime(went_live.released_at).date()
    return add_months(start, deployment.review_interval_months)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def deployment_of(product: Product) -> Deployment | None:
    """The deployment whose safety record ``product`` is, if it is one."""
    if product.organisation.kind == OrganisationKind.MANUFACTURER:
        return None  # a manufacturer records no deployments: spare the query
    return (
        Deployment.objects.filter(record=product)
        .select_related("bundle", "organisation", "record")
        .first()
    )
