"""The live gate of a release, read from the records: the facts `decide` needs, and the one
report of it that the release page, the API, the CLI and the badge all show."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import QuerySet

from clinsafe.audit.chain import digest, plain_data
from clinsafe.core.cso import CsoPosition, cso_position
from clinsafe.gate.decision import (
    ControlFacts,
    Decision,
    GateDecision,
    HazardFacts,
    Outcome,
    ReleaseFacts,
    RuleOutcome,
    SignatureFacts,
    decide,
    review_needed,
)
from clinsafe.gate.differences import snapshot_changes
from clinsafe.gate.models import AcceptedAs, Block, HazardReview, Override, RiskAcceptance, Signed
from clinsafe.gate.snapshot import hazard_snapshot, hazard_snapshots, release_snapshot
from clinsafe.hazards.models import ControlKind, Hazard, HazardStatus
from clinsafe.incidents.models import Incident, IncidentHazard, IncidentStatus
from clinsafe.products.models import Product, Release, ReleaseStage, ReleaseStatus
from clinsafe.risk.acceptance import AcceptancePolicy

# Other capabilities (the safety case argument, issued documents) add their own rules to
# the gate here: each source gives the outcomes of its rules for a release, given the
# product's hazard log as the gate read it.
RuleSource = Callable[[Release, "HazardLog"], Iterable[RuleOutcome]]
RULE_SOURCES: list[RuleSource] = []


R = TypeVar("R", HazardReview, RiskAcceptance)


def add_rule_source(source: RuleSource) -> RuleSource:
    RULE_SOURCES.append(source)
    return source


@dataclass
class Evaluation:
    release: Release
    decision: GateDecision
    snapshot: dict[str, Any]
    snapshot_hash: str
    hazard_hashes: dict[int, str]
    waiting_review: list[dict[str, Any]]  # number, reference and title of each
    sign_off: Any
    blocks: list[Block]
    overrides: list[Override]

    @property
    def status(self) -> str:
        return release_status(self.release, self.decision, signed=self.sign_off is not None)


@dataclass
class HazardLog:
    """What every release of a product shares at the gate: the hazard log's snapshots, the
    CSO reviews and acceptances still current, the CSO and the acceptance policy."""

    snapshots: dict[int, dict[str, Any]]
    hashes: dict[int, str]
    reviewed: set[tuple[int, str]]
    accepted: set[tuple[int, str, str]]
    position: CsoPosition
    policy: AcceptancePolicy
    # Hazard id to the incidents after which its risk is still to be re-assessed.
    awaiting_reassessment: dict[int, tuple[str, ...]]
    untriaged_incidents: tuple[str, ...]


def hazard_log(product: Product) -> HazardLog:
    snapshots = hazard_snapshots(product.pk)
    hashes = {pk: digest(s) for pk, s in snapshots.items()}
    return HazardLog(
        snapshots=snapshots,
        hashes=hashes,
        reviewed={
            (r.hazard_id, r.snapshot_hash)
            for r in _sealed(HazardReview.objects.filter(hazard__product=product), hashes)
        },
        accepted={
            (a.hazard_id, a.snapshot_hash, a.accepted_as)
            for a in _sealed(RiskAcceptance.objects.filter(hazard__product=product), hashes)
        },
        position=cso_position(product),
        policy=product.organisation.acceptance_policy,
        awaiting_reassessment=_awaiting_reassessment(product),
        untriaged_incidents=tuple(
            i.reference
            for i in Incident.objects.filter(product=product, status=IncidentStatus.REPORTED)
            .only("number")
            .order_by("number")
        ),
    )


def _sealed(records: QuerySet[R], hashes: dict[int, str]) -> Iterator[R]:
    """Those of ``records`` over a hazard as it stands now whose seal holds: a review or
    acceptance written in SQL does not count."""
    for record in records.filter(snapshot_hash__in=hashes.values()).iterator(chunk_size=2000):
        if record.is_sealed:
            yield record


def _awaiting_reassessment(product: Product) -> dict[int, tuple[str, ...]]:
    links = (
        IncidentHazard.objects.filter(hazard__product=product)
        .awaiting_reassessment()
        .select_related("incident")
        .order_by("incident__number")
    )
    awaiting: dict[int, tuple[str, ...]] = {}
    for link in links:
        awaiting[link.hazard_id] = (*awaiting.get(link.hazard_id, ()), link.incident.reference)
    return awaiting


def evaluate(release: Release, log: HazardLog | None = None) -> Evaluation:
    """The gate over the records as they stand now; ``log`` when several releases of the
    product are evaluated together."""
    log = log or hazard_log(release.product)
    snapshot = release_snapshot(release, list(log.snapshots.values()))
    snapshot_hash = digest(snapshot)
    in_scope = {pk: s for pk, s in log.snapshots.items() if s["status"] != HazardStatus.CLOSED}
    facts_by_pk = hazard_facts(log, _previous_hazards(release), in_scope)
    position = log.position
    # A sign-off or override whose seal does not hold counts for nothing; a block stands
    # unless it was lifted under its seal.
    sign_off = next((s for s in release.sign_offs.select_related("signer") if s.is_sealed), None)
    blocks = list(release.blocks.all())
    overrides = [o for o in release.overrides.all() if o.is_sealed]
    facts = ReleaseFacts(
        hazards=tuple(facts_by_pk.values()),
        cso_concerns=tuple((c.code, c.message) for c in position.concerns),
        cso_name=position.facts.name if position.facts else "",
        open_blocks=tuple(_facts(b, snapshot_hash) for b in blocks if b.is_open or not b.is_sealed),
        sign_off=_facts(sign_off, snapshot_hash) if sign_off else None,
        overrides=tuple(_facts(o, snapshot_hash) for o in overrides),
        policy=log.policy,
        extra_rules=tuple(rule for source in RULE_SOURCES for rule in source(release, log)),
    )
    needing_review = {
        f.reference
        for f in review_needed(facts.hazards)
        if not f.reviewed or f.incidents_awaiting_reassessment
    }
    return Evaluation(
        release=release,
        decision=decide(facts),
        snapshot=snapshot,
        snapshot_hash=snapshot_hash,
        hazard_hashes=log.hashes,
        waiting_review=[
            {"number": int(s["reference"][2:]), "reference": s["reference"], "title": s["title"]}
            for s in in_scope.values()
            if s["reference"] in needing_review
        ],
        sign_off=sign_off,
        blocks=blocks,
        overrides=overrides,
    )


def hazard_facts(
    log: HazardLog,
    previous: dict[str, Any] | None = None,
    snapshots: dict[int, dict[str, Any]] | None = None,
) -> dict[int, HazardFacts]:
    """What the gate knows of each hazard (of ``snapshots``, by default the whole log), by
    id; ``previous`` is the hazard log the previous release issued, by reference."""
    hashes, reviewed, accepted = log.hashes, log.reviewed, log.accepted
    return {
        pk: HazardFacts(
            reference=s["reference"],
            title=s["title"],
            initial_rating=(s["initial"] or {}).get("rating"),
            residual_rating=(s["residual"] or {}).get("rating"),
            controls=tuple(
                ControlFacts(c["reference"], c["status"], c["kind"] == ControlKind.TRANSFERRED)
                for c in s["controls"]
            ),
            changed_since_previous_release=previous is None or previous.get(s["reference"]) != s,
            reviewed=(pk, hashes[pk]) in reviewed,
            accepted_by_cso=(pk, hashes[pk], AcceptedAs.CSO) in accepted,
            accepted_by_executive=(pk, hashes[pk], AcceptedAs.EXECUTIVE) in accepted,
            incidents_awaiting_reassessment=log.awaiting_reassessment.get(pk, ()),
        )
        for pk, s in (log.snapshots if snapshots is None else snapshots).items()
    }


def gate_report(release: Release, log: HazardLog | None = None) -> dict[str, Any]:
    """The gate as people and pipelines read it; frozen as issued once released."""
    if release.issued_gate is not None:
        return dict(release.issued_gate)
    return report(evaluate(release, log))


def changes_since_issued(release: Release) -> list[str]:
    """How the records now differ from what a released release issued, in words; the
    release stays released whatever they say."""
    if release.issued_snapshot is None:
        return []
    log = hazard_log(release.product)
    current = release_snapshot(release, list(log.snapshots.values()))
    return snapshot_changes(release.issued_snapshot, current)


def gate_reports(releases: Iterable[Release]) -> dict[int, dict[str, Any]]:
    """The gate of each release, reading each product's hazard log once, for lists."""
    logs: dict[int, HazardLog] = {}
    reports = {}
    for release in releases:
        if release.issued_gate is None and release.product_id not in logs:
            logs[release.product_id] = hazard_log(release.product)
        reports[release.pk] = gate_report(release, logs.get(release.product_id))
    return reports


def report(evaluation: Evaluation) -> dict[str, Any]:
    release, decision, current = evaluation.release, evaluation.decision, evaluation.snapshot_hash
    return plain_data(
        {
            "product": release.product.slug,
            "release": release.version,
            "status": evaluation.status,
            "status_label": ReleaseStatus(evaluation.status).label,
            "decision": decision.decision,
            "approved_by_override": decision.override is not None,
            "message": decision.message,
            "frozen": release.stage == ReleaseStage.RELEASED,
            "snapshot_hash": current,
            "rules": [
                {
                    "code": r.code,
                    "title": r.title,
                    "outcome": r.outcome,
                    "outcome_label": Outcome(r.outcome).words,
                    "message": r.message,
                    "references": list(r.references),
                }
                for r in decision.rules
            ],
            "waiting_review": [
                {"reference": h["reference"], "title": h["title"]}
                for h in evaluation.waiting_review
            ],
            "sign_off": _manifest(evaluation.sign_off, current) if evaluation.sign_off else None,
            # What the records changed since the CSO signed, once that made the sign-off stale.
            "changed_since_sign_off": snapshot_changes(
                evaluation.sign_off.snapshot, evaluation.snapshot
            )
            if evaluation.status == ReleaseStatus.SIGN_OFF_STALE
            else [],
            "blocks": [
                {
                    **_manifest(b, current),
                    "open": b.is_open,
                    "lifted_at": b.lifted_at,
                    "lifted_by": b.lifted_by_name,
                    "lift_reason": b.lift_reason,
                }
                for b in evaluation.blocks
            ],
            "overrides": [
                {**_manifest(o, current), "overridden": o.overridden} for o in evaluation.overrides
            ],
        }
    )


def release_status(release: Release, decision: GateDecision, signed: bool) -> str:
    """Released and withdrawn are final. An open release is approved; or blocked by a CSO's
    block; or, signed once (``signed``) and stopped by no rule, its sign-off is out of date;
    or, in planning and stopped by no rule, planning; or held by rules not met; or, with
    every other rule met, awaiting sign-off."""
    if release.is_closed:
        return str(release.stage)
    if decision.decision == Decision.APPROVED:
        return ReleaseStatus.APPROVED
    unmet = {r.code for r in decision.rules if r.outcome != Outcome.PASSED}
    if "no_open_block" in unmet:
        return ReleaseStatus.BLOCKED_BY_CSO
    if decision.decision == Decision.PENDING:
        if signed and "signed_off" in unmet:
            return ReleaseStatus.SIGN_OFF_STALE
        if release.stage == ReleaseStage.PLANNING:
            return ReleaseStatus.PLANNING
    if unmet - {"signed_off"}:
        return ReleaseStatus.RULES_NOT_MET
    return ReleaseStatus.AWAITING_SIGN_OFF


def _previous_hazards(release: Release) -> dict[str, Any] | None:
    """The hazards as the previous release issued them, by reference."""
    earlier = Release.objects.filter(product=release.product_id, stage=ReleaseStage.RELEASED)
    if release.released_at is not None:
        earlier = earlier.filter(released_at__lt=release.released_at)
    previous = earlier.exclude(pk=release.pk).order_by("-released_at").first()
    if previous is None or previous.issued_snapshot is None:
        return None
    return {h["reference"]: h for h in previous.issued_snapshot["hazards"]}


def _facts(signature: Signed, current_hash: str) -> SignatureFacts:
    return SignatureFacts(
        signer=signature.signer_name,
        role=signature.signer_role,
        meaning=signature.meaning,
        signed_at=signature.signed_at,
        snapshot_hash=signature.snapshot_hash,
        statement=signature.statement,
        stale=signature.snapshot_hash != current_hash,
    )


def _manifest(signature: Signed, current_hash: str) -> dict[str, Any]:
    """A signature as the manifest lists it."""
    return {
        "signer": signature.signer_name,
        "role": signature.signer_role,
        "meaning": signature.meaning,
        "signed_at": signature.signed_at,
        "statement": signature.statement,
        "snapshot_hash": signature.snapshot_hash,
        "stale": signature.snapshot_hash != current_hash,
    }


def hazard_signatures(hazard: Hazard) -> dict[str, Any]:
    """A hazard's recent reviews, escalations and acceptances, and the hash of the hazard as
    it stands, so a page can mark each current or lapsed. ``hazard`` carries current risk."""
    return {
        "current_hash": digest(hazard_snapshot(hazard)),
        "reviews": list(hazard.reviews.all()[:5]),
        "escalations": list(hazard.escalations.all()[:3]),
        "acceptances": list(hazard.acceptances.all()),
        "level": hazard.product.organisation.acceptance_policy.level(hazard.residual_rating)  # type: ignore[attr-defined]
        if hazard.residual_rating is not None  # type: ignore[attr-defined]
        else None,
    }
