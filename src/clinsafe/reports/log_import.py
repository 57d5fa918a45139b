"""Importing a spreadsheet hazard log into a product: all or nothing, unless the CSO says
to import what is sound.

The rows are read by `clinsafe.reports.log_file`, then written by the hazard log's own
`record_log`, which holds every hazard, estimate and control to the rules of typing it in
and leaves the same audit trail. A dry run does the same work and rolls it back, so what it
reports is what an import does. A preview only reads the file (and which references the
product already has), writing nothing, so it holds no lock however large the log.

Each hazard and control keeps its reference in the file (`file_reference`), shown beside
H-nnn; the CSO may number hazards by it instead. A hazard whose reference the product
already has is not imported again, so importing the same file twice adds nothing.

On the web the import runs in the background: `clinsafe.reports.import_jobs`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from clinsafe.audit.models import EventType
from clinsafe.audit.services import appended_at_end, record_event
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.hazards.models import Hazard, HazardStatus
from clinsafe.hazards.services import ControlDraft, EstimateDraft, HazardDraft, record_log
from clinsafe.products.models import Product
from clinsafe.reports.log_file import (
    STAGES,
    LogFileError,
    ParsedControl,
    ParsedHazard,
    ParsedLog,
    Problem,
    id_key,
    parse_log,
    read_tables,
)
from clinsafe.reports.models import HazardLogImport, RatingMismatch

MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ImportOptions:
    """What the CSO chose: a mapping of the columns (None: as the headings suggest), hazards
    numbered by their references in the file, and importing the sound part of a file
    whose other rows cannot be read."""

    mapping: list[str] | None = None
    number_by_file: bool = False
    import_sound: bool = False


@dataclass(frozen=True)
class Mismatch:
    hazard: str  # the reference it was (or would be) given
    row: int
    stage: str
    stated: str
    computed: int


@dataclass(frozen=True)
class Created:
    reference: str  # H-nnn, given or to be given
    file_reference: str
    title: str
    row: int


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    parsed: ParsedLog | None
    created: list[Created] = field(default_factory=list)
    controls: int = 0
    problems: list[Problem] = field(default_factory=list)  # any one stops the import
    skipped: list[Problem] = field(default_factory=list)  # passed over, as the CSO chose
    already: list[tuple[int, str, str]] = field(default_factory=list)  # (row, in file, H-nnn)
    mismatches: list[Mismatch] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    record: HazardLogImport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def importable_in_part(self) -> bool:
        """Every problem is one a row can be passed over for."""
        return bool(self.problems) and all(p.outcome for p in self.problems)

    def as_json(self) -> dict[str, Any]:
        def problem(p: Problem) -> dict[str, Any]:
            return {"row": p.row, "field": p.field, "message": p.message, "outcome": p.outcome}

        return {
            "file": self.filename,
            "dry_run": self.dry_run,
            "imported": self.ok and not self.dry_run,
            "hazards": len(self.created),
            "controls": self.controls,
            "created": [{"hazard": c.reference, "file_reference": c.file_reference,
                         "title": c.title, "row": c.row} for c in self.created],
            "problems": [problem(p) for p in self.problems],
            "skipped": [problem(p) for p in self.skipped],
            "already_in_log": [{"row": row, "file_reference": said, "hazard": ref}
                               for row, said, ref in self.already],
            "rating_mismatches": [
                {"hazard": m.hazard, "row": m.row, "stage": m.stage, "stated": m.stated,
                 "computed": m.computed}
                for m in self.mismatches
            ],
            "notes": self.notes,
        }  # fmt: skip


OnProgress = Callable[[int, int], None]  # (steps done, steps in all)


def preview_hazard_log(
    *,
    actor: Actor,
    product: Product,
    data: bytes,
    filename: str,
    options: ImportOptions = ImportOptions(),
) -> ImportResult:
    """What importing ``data`` would create, from reading the file alone: its hazards with
    the references they would get, its controls, the stated ratings the matrix contradicts,
    the hazards the product already has, and the rows the file itself makes unreadable.
    Nothing is written. The import then holds every row to the hazard log's rules, and
    refuses the whole file if one fails (unless told to import what is sound)."""
    require(actor, Action.IMPORT_HAZARD_LOG, product.organisation)
    result = ImportResult(filename, True, None)
    plan = _plan(result, product, data, options)
    if plan is None:
        return result
    given = iter(range(product.next_hazard_number, product.next_hazard_number + len(plan)))
    for hazard, number in plan:
        reference = Hazard(number=number or next(given)).reference
        result.created.append(Created(reference, hazard.reference, hazard.title, hazard.row))
        result.mismatches += _mismatches(hazard, reference)
    assert result.parsed is not None
    result.controls = len(_drafts(product, plan, result.parsed)[1])
    return result


def import_hazard_log(
    *,
    actor: Actor,
    product: Product,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    options: ImportOptions = ImportOptions(),
    progress: OnProgress | None = None,
) -> ImportResult:
    """Read ``data`` (XLSX or CSV) and create its hazards, estimates and controls in
    ``product``; nothing is written unless every row can be imported, or the options say to
    import what is sound. ``progress`` is told as the work goes."""
    user = require(actor, Action.IMPORT_HAZARD_LOG, product.organisation)
    result = ImportResult(filename, dry_run, None)
    report = progress or (lambda done, total: None)
    plan = _plan(result, product, data, options)
    if plan is None:
        return result
    assert result.parsed is not None
    report(1, 3)
    hazards, controls, control_rows = _drafts(product, plan, result.parsed)
    # Thousands of events: chained as the import ends, so other writers' events do not
    # queue behind the whole import (a refused or dry run is rolled back whole).
    with transaction.atomic(), appended_at_end():
        written = record_log(
            actor=user,
            product=product,
            hazards=hazards,
            controls=controls,
            skip_refused=options.import_sound,
        )
        report(2, 3)
        _describe(result, plan, written.hazards)
        result.controls = sum(1 for c in written.controls if c is not None)
        for kind, index, error in written.refused:
            row = plan[index][0].row if kind == "hazard" else control_rows[index]
            for name, messages in _messages(error):
                problem = Problem(row, name, " ".join(messages), f"the {kind} is not imported")
                (result.skipped if options.import_sound else result.problems).append(problem)
        if result.problems or dry_run or not any(written.hazards):
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
        flagged = []
        for (parsed, _), estimates in zip(plan, written.estimates, strict=True):
            for estimate in estimates:
                if estimate.contradicts_stated:
                    flagged.append(RatingMismatch(
                        hazard=estimate.hazard, estimate=estimate, log_import=result.record,
                        stage=estimate.stage, row=getattr(parsed, estimate.stage).row,
                        stated=estimate.stated_rating, computed=estimate.rating,
                    ))  # fmt: skip
        RatingMismatch.objects.bulk_create(flagged, batch_size=500)
        record_event(
            EventType.HAZARD_LOG_IMPORTED,
            actor=user,
            subject=product,
            organisation=product.organisation,
            data={
                "file": filename,
                "sha256": result.record.sha256,
                "hazards": [c.reference for c in result.created],
                "controls": result.controls,
                "rating_mismatches": len(result.mismatches),
                "rows_passed_over": len(result.skipped),
            },
        )
    report(3, 3)
    return result


Plan = list[tuple[ParsedHazard, int | None]]  # each hazard to import, with its number if given


def _plan(
    result: ImportResult, product: Product, data: bytes, options: ImportOptions
) -> Plan | None:
    """The hazards of the file to import, with the numbers they are given (by the file's
    references, if so chosen); None, with the reason among ``result.problems``, if the file
    cannot be imported. Problems a row can be passed over for are moved to
    ``result.skipped`` when the options say to import what is sound."""
    if len(data) > MAX_FILE_BYTES:
        result.problems.append(
            Problem(0, "file", f"The file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}.")
        )
        return None
    try:
        parsed = parse_log(read_tables(data, result.filename), options.mapping)
    except LogFileError as error:
        result.problems.append(Problem(0, "file", str(error)))
        return None
    result.parsed = parsed
    result.notes += parsed.notes
    plan: Plan = []
    known = _known_references(product)
    numbers: dict[int, ParsedHazard] = {}
    problems = list(parsed.problems)
    for hazard in parsed.hazards:
        match = known.by_key.get(id_key(hazard.reference)) if hazard.reference else None
        if match is not None:
            reference, title = match
            if title == hazard.title:
                result.already.append((hazard.row, hazard.reference, reference))
            else:
                problems.append(Problem(
                    hazard.row, "id",
                    f"The log has {hazard.reference} already, as {reference} “{title}”, and "
                    f"this row gives it another title (“{hazard.title}”).",
                    f"row {hazard.row} is not imported",
                ))  # fmt: skip
            continue
        number = None
        if options.number_by_file:
            number = _number_in(hazard.reference)
            if number is None or number in numbers or number in known.numbers:
                clash = (
                    f"row {numbers[number].row} has {numbers[number].reference}"
                    if number in numbers
                    else "a hazard of the product has it"
                    if number is not None
                    else ""
                )
                problems.append(Problem(
                    hazard.row, "id",
                    f"Hazard {hazard.reference or hazard.title!r} cannot be numbered by its "
                    "reference: " + (f"its number {number} is taken ({clash})." if clash
                                     else "the reference has no number."),
                    "the hazard is given the next free number",
                ))  # fmt: skip
                number = None
            else:
                numbers[number] = hazard
        plan.append((hazard, number))
    if result.already:
        rows = ", ".join(f"{said} (row {row}) is {ref}" for row, said, ref in result.already[:10])
        more = f" and {len(result.already) - 10} more" if len(result.already) > 10 else ""
        result.notes.append(
            f"{len(result.already)} hazard(s) of the file are in the log already and are not "
            f"imported again: {rows}{more}. Edit them there to change them."
        )
    for problem in problems:
        (result.skipped if options.import_sound and problem.outcome else result.problems).append(
            problem
        )
    if result.problems:
        return None
    return plan


@dataclass
class _Known:
    """The product's hazards by the key of the reference a file gave them, with their own
    reference and title, and the numbers its hazards take."""

    by_key: dict[str, tuple[str, str]] = field(default_factory=dict)
    numbers: set[int] = field(default_factory=set)


def _known_references(product: Product) -> _Known:
    known = _Known()
    for number, file_reference, title in Hazard.objects.filter(product=product).values_list(
        "number", "file_reference", "title"
    ):
        known.numbers.add(number)
        if file_reference:
            known.by_key.setdefault(
                id_key(file_reference), (Hazard(number=number).reference, title)
            )
    return known


def _number_in(reference: str) -> int | None:
    """The number ending a reference ("NRL03" is 3), if it has one above 0."""
    match = re.search(r"(\d+)$", id_key(reference))
    return int(match.group(1)) or None if match else None


def _drafts(
    product: Product, plan: Plan, parsed: ParsedLog
) -> tuple[list[HazardDraft], list[ControlDraft], list[int]]:
    """What to record: each hazard of the plan with its estimates and status, and each
    control (one listed under several hazards by its reference is one) with its row."""
    members = _members(product)
    hazards = []
    for hazard, number in plan:
        owner, owner_name = _owner(members, hazard.owner)
        origin = f"Imported from row {hazard.row}"
        hazards.append(HazardDraft(
            fields={
                "title": hazard.title, "description": hazard.description,
                "causes": hazard.causes, "effects": hazard.effects, "harm": hazard.harm,
                "clinical_context": hazard.context, "owner": owner, "owner_name": owner_name,
                "file_reference": hazard.original or hazard.reference,
            },
            estimates=[
                EstimateDraft(stage, e.severity, e.likelihood,
                              e.rationale or f"{origin}; the file gives no justification.",
                              e.stated)
                for stage in STAGES if (e := getattr(hazard, stage)) is not None
            ],
            status=hazard.status,
            status_reason=hazard.status_reason
            or (f"Recorded as {hazard.status} in the file. {origin}."
                if hazard.status != HazardStatus.OPEN else ""),
            number=number,
        ))  # fmt: skip
    index_of = {id_key(h.reference): i for i, (h, _) in enumerate(plan) if h.reference}
    controls: list[ControlDraft] = []
    rows: list[int] = []
    by_key: dict[str, ControlDraft] = {}
    for control, linked in _controls(plan, parsed, index_of):
        known = by_key.get(control.key) if control.key else None
        if known is not None:
            known.hazards += [i for i in linked if i not in known.hazards]
            continue
        owner, owner_name = _owner(members, control.owner)
        draft = ControlDraft(
            fields={
                "description": control.description, "kind": control.kind,
                "origin": control.origin,
                "status": control.status
                or ("implemented" if control.origin == "existing" else "proposed"),
                "verification_evidence": control.evidence,
                "verification_link": control.link, "owner": owner, "owner_name": owner_name,
                "file_reference": control.reference,
            },
            hazards=linked,
        )  # fmt: skip
        controls.append(draft)
        rows.append(control.row)
        if control.key:
            by_key[control.key] = draft
    return hazards, controls, rows


def _controls(
    plan: Plan, parsed: ParsedLog, index_of: dict[str, int]
) -> list[tuple[ParsedControl, list[int]]]:
    """Every control of the planned hazards, then of the Controls sheet, with the indexes
    of the hazards it is linked to (a hazard already in the log is not one of them, and a
    control linked only to such hazards is not imported again)."""
    out = [(c, [i]) for i, (h, _) in enumerate(plan) for c in h.controls]
    out += [
        (c, [index_of[k] for k in c.hazard_keys if k in index_of])
        for c in parsed.controls
        if not c.hazard_keys or any(k in index_of for k in c.hazard_keys)
    ]
    return out


def _members(product: Product) -> dict[str, User]:
    return {
        key.lower(): user
        for user in User.objects.filter(memberships__organisation=product.organisation)
        for key in (user.username, user.get_full_name(), user.email)
        if key
    }


def _owner(members: dict[str, User], named: str) -> tuple[User | None, str]:
    """The member a file names as owner (by username, full name or email, or as clinsafe's
    export names them: "Tom Baker (tom)"), or, if none is, the name as the file gives it."""
    named = " ".join(named.split())
    username = re.search(r"\(([^()\s]+)\)$", named)
    user = members.get(named.lower()) or (
        members.get(username.group(1).lower()) if username else None
    )
    return user, "" if user is not None else named[:200]


def _mismatches(hazard: ParsedHazard, reference: str) -> list[Mismatch]:
    return [
        Mismatch(reference, estimate.row, stage, estimate.stated, estimate.rating)
        for stage in STAGES
        if (estimate := getattr(hazard, stage)) is not None and estimate.mismatch
    ]


def _describe(result: ImportResult, plan: Plan, hazards: list[Hazard | None]) -> None:
    for (parsed, _), hazard in zip(plan, hazards, strict=True):
        if hazard is not None:
            result.created.append(
                Created(hazard.reference, hazard.file_reference, hazard.title, parsed.row)
            )
            result.mismatches += _mismatches(parsed, hazard.reference)


def _messages(error: Any) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [
            (name if name != "__all__" else "", msgs) for name, msgs in error.message_dict.items()
        ]
    return [("", list(error.messages))]
