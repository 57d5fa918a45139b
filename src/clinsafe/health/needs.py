"""Is the CSO role real? The needs of a real CSO, each judged sound, at risk or hollow from
plain facts taken from the records (never from what anyone declares), with the evidence
and the thresholds that produced the verdict, and what would make it real.

Pure Python: the health pages, the API and the board report all come from `assess`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from statistics import median
from typing import Any

from clinsafe.core.wording import long_day


class Status(StrEnum):
    SOUND = "sound"
    AT_RISK = "at_risk"
    HOLLOW = "hollow"

    @property
    def label(self) -> str:
        return {"sound": "Sound", "at_risk": "At risk", "hollow": "Hollow"}[self.value]


@dataclass(frozen=True)
class Thresholds:
    """Where each verdict changes. Settings may override any of them (CLINSAFE_HEALTH_*)."""

    understanding_sound_share: float = 0.5
    understanding_hollow_share: float = 0.2
    review_at_risk_days: int = 90
    review_hollow_days: int = 180
    hours_per_product: float = 2.0
    hours_per_20_hazards: float = 1.0
    hours_per_open_incident: float = 1.0
    hours_per_release: float = 4.0
    time_hollow_ratio: float = 0.5
    process_review_months: int = 12
    engagement_sound_days: int = 14
    overrides_at_risk: int = 2
    overrides_hollow: int = 3

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Thresholds:
        known = {f.name: f.type for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"Unknown CSO health thresholds: {sorted(unknown)}.")
        return cls(**values)


@dataclass(frozen=True)
class Need:
    key: str
    title: str
    status: Status
    summary: str
    evidence: tuple[str, ...]
    rule: str  # the thresholds that produced the status
    remedy: str  # what would make it real; empty when sound


@dataclass(frozen=True)
class ReleaseEngagement:
    version: str
    released_on: date
    first_action_on: date | None  # the CSO's first recorded action on the release
    signed_off_on: date | None


@dataclass(frozen=True)
class HealthFacts:
    """What the records say about one CSO appointment for one product over a period."""

    cso_name: str | None
    period_start: date
    period_end: date
    registered: bool = False
    registration_current: bool = False
    training_current: bool = False
    hazards: int = 0
    hazards_touched_by_cso: int = 0
    hazards_never_reviewed: int = 0
    last_review_on: date | None = None
    protected_hours: Decimal = Decimal(0)
    products_covered: int = 0
    hazards_covered: int = 0
    open_incidents: int = 0  # of the products the CSO covers
    releases_in_period: int = 0
    recorded_hours: Decimal | None = None
    last_process_review_on: date | None = None
    process_review_due_on: date | None = None
    can_block: bool = False
    blocks: int = 0
    overrides: tuple[str, ...] = ()  # "2.3.0 by Helen Ward on 12 Aug 2026"
    executive_acceptances: int = 0
    releases: tuple[ReleaseEngagement, ...] = field(default_factory=tuple)

    @property
    def weeks(self) -> float:
        return max((self.period_end - self.period_start).days, 1) / 7


def assess(facts: HealthFacts, t: Thresholds | None = None) -> list[Need]:
    t = t or Thresholds()
    if facts.cso_name is None:
        return [_no_cso(key, title) for key, title in TITLES.items()]
    return [
        credentials(facts),
        understanding(facts, t),
        time(facts, t),
        process(facts, t),
        authority(facts, t),
        early_engagement(facts, t),
    ]


def overall(needs: list[Need]) -> Status:
    statuses = {n.status for n in needs}
    for status in (Status.HOLLOW, Status.AT_RISK):
        if status in statuses:
            return status
    return Status.SOUND


TITLES = {
    "credentials": "Credentials",
    "understanding": "Understanding of the system",
    "time": "Protected time",
    "process": "The risk management process",
    "authority": "Authority",
    "early_engagement": "Early engagement",
}


def credentials(f: HealthFacts) -> Need:
    evidence = (
        f"Registered clinician: {_yes(f.registered)}.",
        f"Registration current: {_yes(f.registration_current)}.",
        f"Clinical risk management training in the last 3 years: {_yes(f.training_current)}.",
    )
    rule = "Hollow without a current registration; at risk when training has lapsed."
    if not (f.registered and f.registration_current):
        return _need(
            "credentials",
            Status.HOLLOW,
            f"{f.cso_name} is not a clinician with a current registration.",
            evidence,
            rule,
            "Appoint a registered clinician, or record and renew the registration.",
        )
    if not f.training_current:
        return _need(
            "credentials",
            Status.AT_RISK,
            f"{f.cso_name}'s clinical risk management training has lapsed.",
            evidence,
            rule,
            "Book and record DCB0129/DCB0160 training.",
        )
    return _need(
        "credentials",
        Status.SOUND,
        f"{f.cso_name} is a registered clinician with current training.",
        evidence,
        rule,
    )


def understanding(f: HealthFacts, t: Thresholds) -> Need:
    share = f.hazards_touched_by_cso / f.hazards if f.hazards else 1.0
    days = (f.period_end - f.last_review_on).days if f.last_review_on else None
    evidence = (
        f"The CSO raised, reviewed or re-assessed {f.hazards_touched_by_cso} of {f.hazards} "
        f"hazards ({share:.0%}).",
        "Last CSO review of the hazard log: "
        + (
            f"{days} days ago ({long_day(f.last_review_on)})."
            if f.last_review_on and days is not None
            else "never."
        ),
        f"Hazards never reviewed by a clinician: {f.hazards_never_reviewed}.",
    )
    rule = (
        f"Sound at {t.understanding_sound_share:.0%} of hazards or more and a review within "
        f"{t.review_at_risk_days} days; hollow below {t.understanding_hollow_share:.0%}, with no "
        f"review in {t.review_hollow_days} days, or with hazards no clinician has looked at."
    )
    remedy = (
        "The CSO reviews the hazard log with the team, hazard by hazard, and re-assesses where "
        "needed."
    )
    if not f.hazards:
        return _need(
            "understanding",
            Status.AT_RISK,
            "The product has no hazard log yet, so there is nothing the CSO could know.",
            evidence,
            rule,
            "Start the hazard log with the team: identify hazards from the intended use.",
        )
    if (
        share < t.understanding_hollow_share
        or (days is None and f.hazards)
        or (days is not None and days > t.review_hollow_days)
        or f.hazards_never_reviewed
    ):
        return _need(
            "understanding",
            Status.HOLLOW,
            "The CSO has not looked at most of this product's hazards.",
            evidence,
            rule,
            remedy,
        )
    if share < t.understanding_sound_share or (days is not None and days > t.review_at_risk_days):
        return _need(
            "understanding",
            Status.AT_RISK,
            "The CSO knows part of the hazard log, or not recently.",
            evidence,
            rule,
            remedy,
        )
    return _need(
        "understanding",
        Status.SOUND,
        "The CSO works in the hazard log and reviews it.",
        evidence,
        rule,
    )


def workload_hours(f: HealthFacts, t: Thresholds) -> tuple[float, str]:
    """Hours a week the CSO's products need, and the formula with its numbers."""
    incidents = f.open_incidents
    releases_per_week = f.releases_in_period / f.weeks
    hours = (
        t.hours_per_product * f.products_covered
        + t.hours_per_20_hazards * f.hazards_covered / 20
        + t.hours_per_open_incident * incidents
        + t.hours_per_release * releases_per_week
    )
    formula = (
        f"{t.hours_per_product:g} h x {f.products_covered} products + {t.hours_per_20_hazards:g} h "
        f"per 20 hazards x {f.hazards_covered} hazards + {t.hours_per_open_incident:g} h x "
        f"{incidents} open incidents"
        + f" + {t.hours_per_release:g} h x {f.releases_in_period} releases over "
        f"{f.weeks:.0f} weeks = {hours:.1f} h a week"
    )
    return hours, formula


def time(f: HealthFacts, t: Thresholds) -> Need:
    needed, formula = workload_hours(f, t)
    protected = float(f.protected_hours)
    evidence = [f"Protected time: {protected:g} h a week.", f"Workload estimate: {formula}."]
    if f.recorded_hours is not None:
        evidence.append(
            f"Time the CSO recorded: {f.recorded_hours:g} h over the period "
            f"({float(f.recorded_hours) / f.weeks:.1f} h a week)."
        )
    rule = (
        f"Sound when protected time covers the estimate; hollow below "
        f"{t.time_hollow_ratio:.0%} of it or with no protected time."
    )
    remedy = f"Protect at least {needed:.0f} hours a week in the CSO's job plan."
    if protected == 0 or protected < needed * t.time_hollow_ratio:
        return _need(
            "time",
            Status.HOLLOW,
            f"{protected:g} h a week protected against an estimated {needed:.1f} h.",
            tuple(evidence),
            rule,
            remedy,
        )
    if protected < needed:
        return _need(
            "time",
            Status.AT_RISK,
            f"{protected:g} h a week protected, short of the estimated {needed:.1f} h.",
            tuple(evidence),
            rule,
            remedy,
        )
    return _need(
        "time",
        Status.SOUND,
        f"{protected:g} h a week protected covers the estimated {needed:.1f} h.",
        tuple(evidence),
        rule,
    )


def process(f: HealthFacts, t: Thresholds) -> Need:
    evidence = (
        "Last review of the clinical risk management process: "
        + (
            f"{long_day(f.last_process_review_on)}."
            if f.last_process_review_on
            else "none recorded."
        ),
        "Next review due: "
        + (
            f"{long_day(f.process_review_due_on)}." if f.process_review_due_on else "not scheduled."
        ),
    )
    rule = (
        f"DCB0129 asks for scheduled reviews of the process: sound when one was held in the "
        f"last {t.process_review_months} months and the next is not overdue; hollow when none "
        "was ever recorded."
    )
    remedy = (
        "Hold and record a review of the clinical risk management process, and schedule the next."
    )
    if f.last_process_review_on is None:
        return _need(
            "process",
            Status.HOLLOW,
            "No review of the process is recorded.",
            evidence,
            rule,
            remedy,
        )
    overdue = f.process_review_due_on is not None and f.process_review_due_on < f.period_end
    stale = (f.period_end - f.last_process_review_on).days > t.process_review_months * 31
    if overdue or stale:
        return _need(
            "process",
            Status.AT_RISK,
            "The scheduled process review is overdue.",
            evidence,
            rule,
            remedy,
        )
    return _need("process", Status.SOUND, "The process is reviewed on schedule.", evidence, rule)


def authority(f: HealthFacts, t: Thresholds) -> Need:
    evidence = (
        f"The appointment grants authority to block a release: {_yes(f.can_block)}.",
        f"Blocks issued in the period: {f.blocks}.",
        f"Blocks overridden: {len(f.overrides)}"
        + (": " + "; ".join(f.overrides) + "." if f.overrides else "."),
        f"Residual risks accepted above the CSO's level (by an executive): "
        f"{f.executive_acceptances}.",
    )
    rule = (
        f"Hollow without blocking authority or when {t.overrides_hollow} or more blocks were "
        f"overridden in the period; at risk from {t.overrides_at_risk}. A single override, by a "
        "named executive on the record, is the gate working as designed."
    )
    remedy = "The board reviews each override with the CSO present."
    if not f.can_block:
        return _need(
            "authority",
            Status.HOLLOW,
            f"{f.cso_name} cannot stop a release: the role is advisory only.",
            evidence,
            rule,
            "Grant the appointment authority to block a release.",
        )
    if len(f.overrides) >= t.overrides_hollow:
        return _need("authority", Status.HOLLOW, "The CSO's blocks are routinely overridden.",
                     evidence, rule, remedy)  # fmt: skip
    if len(f.overrides) >= t.overrides_at_risk:
        return _need("authority", Status.AT_RISK, "The CSO's blocks are often overridden.",
                     evidence, rule, remedy)  # fmt: skip
    overridden = f" {len(f.overrides)} went out over a block, on the record." if f.overrides else ""
    return _need(
        "authority",
        Status.SOUND,
        f"The CSO can block a release ({f.blocks} blocks in the period).{overridden}",
        evidence,
        rule,
    )


def early_engagement(f: HealthFacts, t: Thresholds) -> Need:
    rule = (
        f"Sound when the CSO's first recorded action on each release came at least "
        f"{t.engagement_sound_days} days (median) before it shipped and nothing was signed on "
        "release day; hollow when the CSO first acted on release day, or not at all."
    )
    if not f.releases:
        return _need(
            "early_engagement",
            Status.SOUND,
            "No release shipped in the period.",
            ("Nothing to measure.",),
            rule,
        )
    evidence = []
    leads = []
    for r in f.releases:
        lead = (r.released_on - r.first_action_on).days if r.first_action_on else None
        leads.append(lead)
        evidence.append(
            f"{r.version}, released {long_day(r.released_on)}: "
            + (
                f"CSO first acted {lead} days before."
                if lead is not None
                else "no recorded CSO action before release."
            )
            + (" Signed off on release day." if r.signed_off_on == r.released_on else "")
        )
    late = sum(1 for lead in leads if lead is None or lead == 0)
    remedy = "Involve the CSO from design: a release's hazards are reviewed while it is built."
    if late * 2 >= len(leads):
        return _need(
            "early_engagement",
            Status.HOLLOW,
            "The CSO is brought in on release day, or not at all.",
            tuple(evidence),
            rule,
            remedy,
        )
    typical = median(lead or 0 for lead in leads)
    same_day = any(r.signed_off_on == r.released_on for r in f.releases)
    if late or same_day or typical < t.engagement_sound_days:
        return _need(
            "early_engagement",
            Status.AT_RISK,
            f"The CSO is engaged late: a median of {typical:g} days before release.",
            tuple(evidence),
            rule,
            remedy,
        )
    return _need(
        "early_engagement",
        Status.SOUND,
        f"The CSO is engaged early: a median of {typical:g} days before release.",
        tuple(evidence),
        rule,
    )


def _need(
    key: str, status: Status, summary: str, evidence: tuple[str, ...], rule: str, remedy: str = ""
) -> Need:
    return Need(key, TITLES[key], status, summary, evidence, rule, remedy)


def _no_cso(key: str, title: str) -> Need:
    return Need(
        key,
        title,
        Status.HOLLOW,
        "No Clinical Safety Officer is appointed.",
        ("No CSO appointment is in force for this product.",),
        "Every need is hollow without a CSO.",
        "Appoint a registered clinician as CSO.",
    )


def _yes(value: bool) -> str:
    return "yes" if value else "no"
