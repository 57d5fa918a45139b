"""The release gate decision: plain facts about a release in, approved / blocked / pending out,
with every rule's outcome and a message a person can act on.

Pure Python, no Django: the release page, the API, the CLI's answer and the reports all
come from `decide`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from clinsafe.core.wording import long_day
from clinsafe.risk.acceptance import AcceptanceLevel, AcceptancePolicy


class Outcome(StrEnum):
    PASSED = "passed"
    PENDING = "pending"  # work to do before the release can be approved
    BLOCKED = "blocked"  # a stop: a CSO's block, or a risk that may not be carried

    @property
    def words(self) -> str:
        """As people are told it: "blocked" alone would be taken for a CSO's block."""
        return {"passed": "Met", "pending": "Still to be met", "blocked": "Stops the release"}[
            self.value
        ]


class Decision(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    BLOCKED = "blocked"


# The hollow-role concerns that keep a release from approval; the others (e.g. protected
# time) belong to the CSO health check, not to the gate.
GATE_CONCERNS = frozenset(
    {"no_cso", "not_registered", "registration_lapsed", "no_training", "training_lapsed",
     "no_authority"}
)  # fmt: skip


@dataclass(frozen=True)
class ControlFacts:
    reference: str
    status: str  # proposed, implemented or verified
    transferred: bool


@dataclass(frozen=True)
class HazardFacts:
    reference: str
    title: str
    initial_rating: int | None
    residual_rating: int | None
    controls: tuple[ControlFacts, ...] = ()
    changed_since_previous_release: bool = True
    reviewed: bool = False
    accepted_by_cso: bool = False
    accepted_by_executive: bool = False
    # Incidents linked to the hazard whose re-assessment is still to be done.
    incidents_awaiting_reassessment: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignatureFacts:
    signer: str
    role: str
    meaning: str
    signed_at: datetime
    snapshot_hash: str
    statement: str = ""
    stale: bool = False


@dataclass(frozen=True)
class RuleOutcome:
    code: str
    title: str
    outcome: Outcome
    message: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReleaseFacts:
    hazards: tuple[HazardFacts, ...]
    cso_concerns: tuple[tuple[str, str], ...] = ()  # (code, message) from cso_role
    cso_name: str = ""
    open_blocks: tuple[SignatureFacts, ...] = ()
    sign_off: SignatureFacts | None = None
    overrides: tuple[SignatureFacts, ...] = ()
    policy: AcceptancePolicy = field(default_factory=AcceptancePolicy)
    extra_rules: tuple[RuleOutcome, ...] = ()  # from the safety case and documents


@dataclass(frozen=True)
class GateDecision:
    decision: Decision
    rules: tuple[RuleOutcome, ...]
    override: SignatureFacts | None = None

    @property
    def message(self) -> str:
        if self.override is not None:
            return (
                f"Approved by override: released over the CSO's position by "
                f"{self.override.signer} on {long_day(self.override.signed_at)}: "
                f"{self.override.statement}"
            )
        if self.decision == Decision.APPROVED:
            return "Approved: every rule passes and the CSO's sign-off is current."
        failing = [r for r in self.rules if r.outcome != Outcome.PASSED]
        return f"{self.decision.capitalize()}: " + " ".join(r.message for r in failing)


def decide(facts: ReleaseFacts) -> GateDecision:
    rules = tuple(rule(facts) for rule in RULES) + facts.extra_rules
    if any(r.outcome == Outcome.BLOCKED for r in rules):
        decision = Decision.BLOCKED
    elif any(r.outcome == Outcome.PENDING for r in rules):
        decision = Decision.PENDING
    else:
        return GateDecision(Decision.APPROVED, rules)
    override = _current_override(facts)
    if override is not None:
        return GateDecision(Decision.APPROVED, rules, override)
    return GateDecision(decision, rules)


def _current_override(facts: ReleaseFacts) -> SignatureFacts | None:
    """The latest override that still matches the records and came after every open block:
    a block placed after an override stands."""
    current = [o for o in facts.overrides if not o.stale]
    if not current:
        return None
    latest = max(current, key=lambda o: o.signed_at)
    if any(block.signed_at > latest.signed_at for block in facts.open_blocks):
        return None
    return latest


# --- the rules -----------------------------------------------------------------------------


def _passed(code: str, title: str, message: str, refs: tuple[str, ...] = ()) -> RuleOutcome:
    return RuleOutcome(code, title, Outcome.PASSED, message, refs)


def cso_in_post(facts: ReleaseFacts) -> RuleOutcome:
    title = "A real Clinical Safety Officer is in post"
    concerns = [message for code, message in facts.cso_concerns if code in GATE_CONCERNS]
    if concerns:
        return RuleOutcome("cso", title, Outcome.PENDING, " ".join(concerns))
    return _passed(
        "cso",
        title,
        f"{facts.cso_name} is the CSO: a registered clinician with current registration and "
        "training, and authority to block the release.",
    )


def residual_assessed(facts: ReleaseFacts) -> RuleOutcome:
    title = "Every hazard has a residual risk estimate"
    missing = tuple(h.reference for h in facts.hazards if h.residual_rating is None)
    if missing:
        return RuleOutcome(
            "residual_assessed",
            title,
            Outcome.PENDING,
            f"Assess the residual risk of {_list(missing)}.",
            missing,
        )
    return _passed("residual_assessed", title, f"All {len(facts.hazards)} hazards are assessed.")


def no_unacceptable_risk(facts: ReleaseFacts) -> RuleOutcome:
    title = "No hazard carries a risk that may not be accepted"
    refused = tuple(
        h.reference
        for h in facts.hazards
        if h.residual_rating is not None
        and facts.policy.level(h.residual_rating) == AcceptanceLevel.NOT_ACCEPTABLE
    )
    if refused:
        return RuleOutcome(
            "unacceptable_risk",
            title,
            Outcome.BLOCKED,
            f"{_list(refused)} carry a residual risk that cannot be accepted: add controls "
            "and re-assess.",
            refused,
        )
    return _passed("unacceptable_risk", title, "No residual risk is beyond acceptance.")


def risk_accepted(facts: ReleaseFacts) -> RuleOutcome:
    title = "Residual risks are accepted at the right level"
    waiting: list[str] = []
    refs: list[str] = []
    for h in facts.hazards:
        if h.residual_rating is None or (
            facts.policy.level(h.residual_rating) == AcceptanceLevel.NOT_ACCEPTABLE
        ):
            continue  # the rules on assessment and unacceptable risk say so
        gap = acceptance_gap(h, facts.policy)
        if gap:
            waiting.append(f"{h.reference} {gap}")
            refs.append(h.reference)
    if waiting:
        return RuleOutcome(
            "risk_accepted", title, Outcome.PENDING, "; ".join(waiting) + ".", tuple(refs)
        )
    return _passed("risk_accepted", title, "Every residual risk is accepted at its level.")


def controls_in_place(facts: ReleaseFacts) -> RuleOutcome:
    title = "Controls the residual risk relies on are implemented and verified"
    problems: list[str] = []
    refs: list[str] = []
    transferred: list[str] = []
    for h in facts.hazards:
        if h.residual_rating is None or h.initial_rating is None:
            continue
        transferred += [f"{c.reference} ({h.reference})" for c in h.controls if c.transferred]
        if h.initial_rating <= 2:
            continue  # initially acceptable: no additional controls are needed
        own = [c for c in h.controls if not c.transferred]
        unverified = [c for c in own if c.status != "verified"]
        if unverified:
            problems.append(
                f"{h.reference} relies on "
                + ", ".join(f"{c.reference} ({c.status})" for c in unverified)
                + ", which must be implemented and verified"
            )
            refs.append(h.reference)
        elif not h.controls and h.residual_rating < h.initial_rating:
            problems.append(
                f"{h.reference}'s residual risk is lower than its initial risk but no control "
                "is recorded"
            )
            refs.append(h.reference)
    deployer = (
        f" Transferred to the deploying organisation, to be listed for it: "
        f"{_list(tuple(sorted(set(transferred))))}."
        if transferred
        else ""
    )
    if problems:
        return RuleOutcome(
            "controls_in_place", title, Outcome.PENDING, "; ".join(problems) + "." + deployer,
            tuple(refs),
        )  # fmt: skip
    return _passed("controls_in_place", title, "Every control relied on is verified." + deployer)


def hazards_reviewed(facts: ReleaseFacts) -> RuleOutcome:
    title = "The CSO has reviewed every significant or changed hazard"
    needed = review_needed(facts.hazards)
    waiting = tuple(h.reference for h in needed if not h.reviewed)
    after_incident = [h for h in needed if h.incidents_awaiting_reassessment]
    if waiting or after_incident:
        parts = []
        if waiting:
            parts.append(
                f"The CSO (or a deputy) must review {_list(waiting)} since their last change."
            )
        if after_incident:
            parts.append(
                "Re-assess the risk of "
                + "; ".join(
                    f"{h.reference} after {_list(h.incidents_awaiting_reassessment)}"
                    for h in after_incident
                )
                + ", then review."
            )
        refs = dict.fromkeys(waiting + tuple(h.reference for h in after_incident))
        return RuleOutcome("hazards_reviewed", title, Outcome.PENDING, " ".join(parts), tuple(refs))
    return _passed(
        "hazards_reviewed",
        title,
        f"All {len(review_needed(facts.hazards))} hazards rated 3 or above or changed since "
        "the previous release are reviewed.",
    )


def no_open_block(facts: ReleaseFacts) -> RuleOutcome:
    title = "No open CSO block"
    if facts.open_blocks:
        return RuleOutcome(
            "no_open_block",
            title,
            Outcome.BLOCKED,
            " ".join(
                f"Blocked by {b.signer} on {long_day(b.signed_at)}: {b.statement}"
                for b in facts.open_blocks
            ),
        )
    return _passed("no_open_block", title, "The CSO has not blocked this release.")


def signed_off(facts: ReleaseFacts) -> RuleOutcome:
    title = "A current CSO sign-off"
    sign_off = facts.sign_off
    if sign_off is None:
        return RuleOutcome(
            "signed_off", title, Outcome.PENDING, "The CSO has not signed off this release."
        )
    if sign_off.stale:
        return RuleOutcome(
            "signed_off",
            title,
            Outcome.PENDING,
            f"{sign_off.signer}'s sign-off of {long_day(sign_off.signed_at)} is stale: the "
            "records changed since. The CSO must review and sign again.",
        )
    return _passed(
        "signed_off",
        title,
        f"Signed off by {sign_off.signer} on {long_day(sign_off.signed_at)}, "
        f"{sign_off.signed_at:%H:%M}.",
    )


def acceptance_gap(hazard: HazardFacts, policy: AcceptancePolicy) -> str:
    """What the hazard's residual risk still needs to be accepted at its level ("" if
    nothing), in words that follow the hazard's reference."""
    rating = hazard.residual_rating
    if rating is None:
        return "has no residual risk estimate"
    level = policy.level(rating)
    if level == AcceptanceLevel.NOT_ACCEPTABLE:
        return f"(rating {rating}) carries a residual risk that may not be accepted"
    if level == AcceptanceLevel.CSO and not hazard.accepted_by_cso:
        return f"(rating {rating}) needs the CSO's current acceptance"
    if level == AcceptanceLevel.EXECUTIVE and not hazard.accepted_by_executive:
        return f"(rating {rating}) needs an accountable executive's current acceptance"
    return ""


def review_needed(hazards: tuple[HazardFacts, ...]) -> list[HazardFacts]:
    """You cannot sign what you have not looked at: these need a current CSO review."""
    return [
        h
        for h in hazards
        if h.changed_since_previous_release
        or (h.residual_rating is not None and h.residual_rating >= 3)
        or h.incidents_awaiting_reassessment
    ]


RULES: tuple[Callable[[ReleaseFacts], RuleOutcome], ...] = (
    cso_in_post,
    residual_assessed,
    no_unacceptable_risk,
    risk_accepted,
    controls_in_place,
    hazards_reviewed,
    no_open_block,
    signed_off,
)


def _list(refs: tuple[str, ...] | list[str]) -> str:
    return ", ".join(refs)
