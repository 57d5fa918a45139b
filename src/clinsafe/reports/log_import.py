"""Importing a spreadsheet hazard log into a product: all or nothing.

Every hazard, estimate and control goes through the hazard log's own services, so an
import is held to exactly the rules (and leaves exactly the audit trail) of typing it in.
A dry run does the same work and rolls it back, so what it reports is what an import does.
A preview only reads the file, writing nothing, so it holds no lock however large the log.

On the web the import runs in the background: `clinsafe.reports.import_jobs`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from clinsafe.audit.models import EventType
from clinsafe.audit.services import appended_at_end, record_event
from clinsafe.core.permissions import Action, Actor, require, roles_read_once
from clinsafe.hazards import services as log
from clinsafe.hazards.models import Control, Hazard, HazardStatus, Stage
from clinsafe.products.models import Product
from clinsafe.reports.log_file import (
    LogFileError,
    ParsedControl,
    ParsedEstimate,
    ParsedHazard,
    ParsedLog,
    Problem,
    parse_log,
    read_tables,
)
from clinsafe.reports.models import HazardLogImport, RatingMismatch

MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Mismatch:
    hazard: str  # the reference it was (or would be) given
    row: int
    stage: str
    stated: str
    computed: int


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    parsed: ParsedLog | None
    created: list[tuple[str, str, int]] = field(default_factory=list)  # (ref, title, row)
    controls: int = 0
    problems: list[Problem] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    record: HazardLogImport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "dry_run": self.dry_run,
            "imported": self.ok and not self.dry_run,
            "hazards": len(self.created),
            "controls": self.controls,
            "created": [{"hazard": r, "title": t, "row": row} for r, t, row in self.created],
            "problems": [{"row": p.row, "field": p.field, "message": p.message}
                         for p in self.problems],
            "rating_mismatches": [
                {"hazard": m.hazard, "row": m.row, "stage": m.stage, "stated": m.stated,
                 "computed": m.computed}
                for m in self.mismatches
            ],
            "notes": self.notes,
        }  # fmt: skip


OnProgress = Callable[[int, int], None]  # (steps done, steps in all)


def _read(result: ImportResult, data: bytes, mapping: list[str] | None) -> ParsedLog | None:
    """The file parsed, or None with the reason it cannot be among ``result.problems``."""
    if len(data) > MAX_FILE_BYTES:
        result.problems.append(
            Problem(0, "file", f"The file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}.")
        )
        return None
    try:
        parsed = parse_log(read_tables(data, result.filename), mapping)
    except LogFileError as error:
        result.problems.append(Problem(0, "file", str(error)))
        return None
    result.parsed = parsed
    result.problems += parsed.problems
    result.notes += parsed.notes
    return parsed


def preview_hazard_log(
    *, actor: Actor, product: Product, data: bytes, filename: str, mapping: list[str] | None = None
) -> ImportResult:
    """What importing ``data`` would create, from reading the file alone: its hazards with
    the references they would get, its controls, the stated ratings the matrix contradicts,
    and the rows the file itself makes unreadable. Nothing is written. The import then holds
    every row to the hazard log's rules, and refuses the whole file if one fails."""
    require(actor, Action.IMPORT_HAZARD_LOG, product.organisation)
    result = ImportResult(filename, True, None)
    parsed = _read(result, data, mapping)
    if parsed is None or result.problems:
        return result
    for number, hazard in enumerate(parsed.hazards, start=product.next_hazard_number):
        reference = Hazard(number=number).reference
        result.created.append((reference, hazard.title, hazard.row))
        for stage in (Stage.INITIAL, Stage.RESIDUAL):
            estimate: ParsedEstimate | None = getattr(hazard, stage)
            if estimate is not None and estimate.mismatch:
                result.mismatches.append(
                    Mismatch(reference, hazard.row, stage, estimate.stated, estimate.rating)
                )
    result.controls = parsed.new_controls
    return result


def import_hazard_log(
    *,
    actor: Actor,
    product: Product,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    mapping: list[str] | None = None,
    progress: OnProgress | None = None,
) -> ImportResult:
    """Read ``data`` (XLSX or CSV) and create its hazards, estimates and controls in
    ``product``; nothing is written unless every row can be imported. ``progress`` is told
    of each hazard and control written."""
    user = require(actor, Action.IMPORT_HAZARD_LOG, product.organisation)
    result = ImportResult(filename, dry_run, None)
    parsed = _read(result, data, mapping)
    if parsed is None or result.problems:
        return result
    # Thousands of events: chained as the import ends, so other writers' events do not
    # queue behind the whole import (a refused or dry run is rolled back whole); thousands
    # of permission checks: the importer's roles are read once.
    with transaction.atomic(), appended_at_end(), roles_read_once():
        _Writer(user, product, filename, result, progress).write(parsed)
        if result.problems or dry_run or not result.created:
            # Nothing is kept: a refused import, a dry run, or a log with no hazards.
            transaction.set_rollback(True)
            return result
        result.record = HazardLogImport.objects.create(
            product=product,
            filename=filename,
            sha256=hashlib.sha256(data).hexdigest(),
            imported_by=user,
            summary=result.as_json(),
        )
        for mismatch in result.mismatches:
            RatingMismatch.objects.create(
                hazard=Hazard.objects.get(product=product, number=int(mismatch.hazard[2:])),
                log_import=result.record,
                stage=mismatch.stage,
                row=mismatch.row,
                stated=mismatch.stated,
                computed=mismatch.computed,
            )
        record_event(
            EventType.HAZARD_LOG_IMPORTED,
            actor=user,
            subject=product,
            organisation=product.organisation,
            data={
                "file": filename,
                "sha256": result.record.sha256,
                "hazards": [r for r, _, _ in result.created],
                "controls": result.controls,
                "rating_mismatches": len(result.mismatches),
            },
        )
    return result


class _Writer:
    def __init__(
        self,
        actor: User,
        product: Product,
        filename: str,
        result: ImportResult,
        progress: OnProgress | None,
    ) -> None:
        self.actor, self.product, self.filename, self.result = actor, product, filename, result
        self.progress = progress or (lambda done, total: None)
        self.members = {
            key.lower(): user
            for user in User.objects.filter(memberships__organisation=product.organisation)
            for key in (user.username, user.get_full_name(), user.email)
            if key
        }

    def write(self, parsed: ParsedLog) -> None:
        by_file_id: dict[str, Hazard] = {}
        self.controls_by_file_id: dict[str, Control] = {}
        total = len(parsed.hazards) + len(parsed.controls)
        for done, parsed_hazard in enumerate(parsed.hazards, start=1):
            hazard = self._step(parsed_hazard.row, lambda h=parsed_hazard: self._hazard(h))
            if hazard is not None:
                if parsed_hazard.file_id:
                    by_file_id[parsed_hazard.file_id] = hazard
                for control in parsed_hazard.controls:
                    self._step(control.row, lambda c=control, h=hazard: self._control(c, [h]))
            self.progress(done, total)
        for done, control in enumerate(parsed.controls, start=len(parsed.hazards) + 1):
            linked = [by_file_id[i] for i in control.hazard_ids if i in by_file_id]
            self._step(control.row, lambda c=control, h=linked: self._control(c, h))
            self.progress(done, total)

    def _step(self, row: int, action: Any) -> Any:
        """One step in a savepoint: a refused step is a problem row, and the rest go on so
        every problem is reported at once."""
        try:
            with transaction.atomic():
                return action()
        except ValidationError as error:
            for name, messages in _messages(error):
                self.result.problems.append(Problem(row, name, " ".join(messages)))
        return None

    def _hazard(self, parsed: ParsedHazard) -> Hazard:
        origin = f"Imported from {self.filename}, row {parsed.row}"
        context = parsed.context
        owner = self.members.get(parsed.owner.strip().lower()) if parsed.owner else None
        if parsed.owner and owner is None:
            context = f"{context}\nOwner in the imported file: {parsed.owner}".strip()
            self.result.notes.append(
                f"Row {parsed.row}: owner {parsed.owner!r} is not a member of "
                f"{self.product.organisation.name}; kept in the clinical context."
            )
        hazard = log.create_hazard(
            actor=self.actor,
            product=self.product,
            title=parsed.title,
            description=parsed.description,
            causes=parsed.causes,
            effects=parsed.effects,
            harm=parsed.harm,
            clinical_context=context,
            owner=owner,
        )
        for stage in (Stage.INITIAL, Stage.RESIDUAL):
            estimate: ParsedEstimate | None = getattr(parsed, stage)
            if estimate is not None:
                self._assess(hazard, parsed, stage, estimate, origin)
        if parsed.status != HazardStatus.OPEN:
            log.change_hazard_status(
                actor=self.actor,
                hazard=hazard,
                version=hazard.version,
                status=parsed.status,
                reason=parsed.status_reason
                or f"Recorded as {parsed.status} in the file. {origin}.",
            )
        self.result.created.append((hazard.reference, hazard.title, parsed.row))
        return hazard

    def _assess(
        self,
        hazard: Hazard,
        parsed: ParsedHazard,
        stage: str,
        estimate: ParsedEstimate,
        origin: str,
    ) -> None:
        rationale = estimate.rationale or f"{origin}; the file gives no justification."
        if estimate.mismatch:
            rationale += (
                f" The file states rating {estimate.stated}; the matrix gives "
                f"{estimate.rating} for {estimate.severity.label} / {estimate.likelihood.label}."
            )
            self.result.mismatches.append(
                Mismatch(hazard.reference, parsed.row, stage, estimate.stated, estimate.rating)
            )
        log.assess_risk(
            actor=self.actor,
            hazard=hazard,
            stage=stage,
            severity=estimate.severity,
            likelihood=estimate.likelihood,
            rationale=rationale,
        )

    def _control(self, parsed: ParsedControl, hazards: list[Hazard]) -> None:
        # A control listed under several hazards (by its id in the file) is one control.
        known = self.controls_by_file_id.get(parsed.file_id) if parsed.file_id else None
        if known is not None:
            for hazard in hazards:
                log.link_control(actor=self.actor, control=known, hazard=hazard)
            return
        status = parsed.status or ("implemented" if parsed.origin == "existing" else "proposed")
        control = log.add_control(
            actor=self.actor,
            product=self.product,
            hazards=hazards,
            description=parsed.description,
            kind=parsed.kind,
            origin=parsed.origin,
            status=status,
            verification_evidence=parsed.evidence,
            verification_link=parsed.link,
        )
        if parsed.file_id:
            self.controls_by_file_id[parsed.file_id] = control
        self.result.controls += 1


def _messages(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [
            (name if name != "__all__" else "", msgs) for name, msgs in error.message_dict.items()
        ]
    return [("", list(error.messages))]
