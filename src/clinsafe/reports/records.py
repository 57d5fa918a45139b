"""The hazard log read once into plain rows, for every document, spreadsheet and bundle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from clinsafe.core.formats import long_date, person_name
from clinsafe.gate.evaluation import HazardLog, hazard_log
from clinsafe.gate.models import RiskAcceptance
from clinsafe.hazards.models import Control, Hazard, HazardStatus, RiskEstimate, Stage
from clinsafe.products.models import Product
from clinsafe.risk import Likelihood, Severity


@dataclass(frozen=True)
class Estimate:
    severity: Severity
    likelihood: Likelihood
    rating: int
    rationale: str
    stated: str = ""  # the rating an imported file stated, when the matrix contradicts it
    flag_open: bool = False  # and the CSO has not yet decided on it

    @property
    def words(self) -> str:
        return f"{self.rating} ({self.severity.label} / {self.likelihood.label})"

    @property
    def flag(self) -> str:
        """The imported file's contradicting rating, in words ("" if none)."""
        if not self.stated:
            return ""
        state = "awaiting the CSO's decision" if self.flag_open else "decided by the CSO"
        return f"The file stated {self.stated}; the matrix gives {self.rating} ({state})."


@dataclass(frozen=True)
class Acceptance:
    signer: str
    role: str
    signed_at: datetime
    rating: int
    rationale: str
    current: bool

    @property
    def words(self) -> str:
        state = "" if self.current else " (stale: the hazard changed since)"
        return (
            f"Rating {self.rating} accepted by {self.signer} ({self.role}) on "
            f"{long_date(self.signed_at)}{state}: {self.rationale}"
        )


@dataclass
class ControlRow:
    reference: str
    number: int
    description: str
    kind: str  # the choice value; kind_label for people
    kind_label: str
    origin: str
    status: str
    verification_evidence: str
    verification_link: str
    owner: str
    hazards: list[str] = field(default_factory=list)
    file_reference: str = ""

    @property
    def transferred(self) -> bool:
        return self.kind == "transferred"

    @property
    def words(self) -> str:
        return f"{self.reference} ({self.kind_label}, {self.status}): {self.description}"


@dataclass
class HazardRow:
    reference: str
    number: int
    title: str
    description: str
    causes: list[str]
    effects: list[str]
    harm: str
    clinical_context: str
    status: str
    status_reason: str
    owner: str
    raised_on: datetime
    initial: Estimate | None
    residual: Estimate | None
    acceptance: Acceptance | None
    controls: list[ControlRow] = field(default_factory=list)
    file_reference: str = ""

    @property
    def status_label(self) -> str:
        return HazardStatus(self.status).label


@dataclass
class LogRecords:
    product: Product
    hazards: list[HazardRow]
    controls: list[ControlRow]
    gate_log: HazardLog

    def by_residual_rating(self) -> dict[int | None, list[HazardRow]]:
        groups: dict[int | None, list[HazardRow]] = {}
        for hazard in self.hazards:
            groups.setdefault(hazard.residual.rating if hazard.residual else None, []).append(
                hazard
            )
        return groups


def read_log(product: Product) -> LogRecords:
    """Every hazard (not withdrawn) with its current estimates, controls and acceptance."""
    gate_log = hazard_log(product)
    hazards = list(
        Hazard.objects.filter(product=product).in_log().select_related("owner").order_by("number")
    )
    estimates = _current_estimates([h.pk for h in hazards])
    acceptances: dict[int, RiskAcceptance] = {}
    for acceptance in RiskAcceptance.objects.filter(hazard__in=hazards).order_by("signed_at"):
        acceptances[acceptance.hazard_id] = acceptance  # the latest wins
    controls = [
        _control_row(c)
        for c in Control.objects.filter(product=product, withdrawn_at__isnull=True)
        .select_related("owner")
        .prefetch_related("hazards")
        .order_by("number")
    ]
    rows = {
        h.pk: HazardRow(
            reference=h.reference,
            number=h.number,
            title=h.title,
            description=h.description,
            causes=list(h.causes),
            effects=list(h.effects),
            harm=h.harm,
            clinical_context=h.clinical_context,
            status=h.status,
            status_reason=h.status_reason,
            owner=person_name(h.owner) if h.owner else h.owner_name,
            raised_on=h.created_at,
            initial=estimates.get((h.pk, Stage.INITIAL)),
            residual=estimates.get((h.pk, Stage.RESIDUAL)),
            acceptance=_acceptance(acceptances.get(h.pk), gate_log.hashes.get(h.pk, "")),
            file_reference=h.file_reference,
        )
        for h in hazards
    }
    by_reference = {row.reference: row for row in rows.values()}
    for control in controls:
        for reference in control.hazards:
            if reference in by_reference:
                by_reference[reference].controls.append(control)
    return LogRecords(product, list(rows.values()), controls, gate_log)


def _current_estimates(hazard_ids: list[int]) -> dict[tuple[int, str], Estimate]:
    current: dict[tuple[int, str], Estimate] = {}
    estimates = (
        RiskEstimate.objects.filter(hazard_id__in=hazard_ids)
        .select_related("mismatch")
        .order_by("assessed_at", "id")
    )
    for e in estimates:
        flagged = getattr(e, "mismatch", None) if e.contradicts_stated else None
        current[(e.hazard_id, e.stage)] = Estimate(
            Severity(e.severity), Likelihood(e.likelihood), e.rating, e.rationale,
            stated=e.stated_rating if e.contradicts_stated else "",
            flag_open=flagged is not None and flagged.open,
        )  # fmt: skip
    return current


def _acceptance(acceptance: RiskAcceptance | None, current_hash: str) -> Acceptance | None:
    if acceptance is None:
        return None
    return Acceptance(
        signer=acceptance.signer_name,
        role=acceptance.signer_role,
        signed_at=acceptance.signed_at,
        rating=acceptance.rating,
        rationale=acceptance.statement,
        current=acceptance.snapshot_hash == current_hash,
    )


def _control_row(control: Control) -> ControlRow:
    return ControlRow(
        reference=control.reference,
        number=control.number,
        description=control.description,
        kind=control.kind,
        kind_label=control.get_kind_display(),
        origin=control.origin,
        status=control.status,
        verification_evidence=control.verification_evidence,
        verification_link=control.verification_link,
        owner=person_name(control.owner) if control.owner else control.owner_name,
        hazards=sorted(h.reference for h in control.hazards.all() if not h.is_withdrawn),
        file_reference=control.file_reference,
    )
