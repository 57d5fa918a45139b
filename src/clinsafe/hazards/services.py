"""Use cases of the hazard log. Each checks permission, validates, writes in one
transaction and records its audit event; the web views, the API and the CLI call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.audit.state import states_of
from clinsafe.core.models import Membership
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.records import apply_changes, lock_for_edit
from clinsafe.hazards.models import (
    STATUSES_NEEDING_REASON,
    Control,
    ControlStatus,
    Hazard,
    HazardStatus,
    RiskEstimate,
    Stage,
)
from clinsafe.products.models import Product
from clinsafe.products.services import claim_numbers, next_number
from clinsafe.risk import Likelihood, Severity, check_residual

HAZARD_FIELDS = ("title", "description", "causes", "effects", "harm", "clinical_context", "owner")
CONTROL_FIELDS = (
    "description",
    "kind",
    "origin",
    "status",
    "verification_evidence",
    "verification_link",
    "owner",
)
MAX_LINE = 2000
# Read once: Django's choices enums build these lists anew on every access.
STAGES = tuple(Stage.values)
HAZARD_STATUSES = tuple(HazardStatus.values)
# Relations an import sets itself (the product, the importer) or checks in bulk (owners
# against the members read once): full_clean need not query for each record's.
BULK_CHECKED = ["product", "raised_by", "owner"]


# --- hazards -----------------------------------------------------------------------------


def create_hazard(*, actor: Actor, product: Product, **fields: Any) -> Hazard:
    """Raise a hazard in ``product``'s log; it gets the next never-used reference H-nnn."""
    actor = require(actor, Action.CREATE_HAZARD, product.organisation)
    _refuse_unknown(fields, HAZARD_FIELDS, "hazard")
    hazard = Hazard(product=product, raised_by=actor, number=0, **fields)
    _validate_hazard(hazard)
    with transaction.atomic():
        hazard.number = next_number(product, "next_hazard_number")
        hazard.save()
        record_event(
            EventType.HAZARD_RAISED,
            actor=actor,
            subject=hazard,
            organisation=product.organisation,
            data=_snapshot(hazard, HAZARD_FIELDS),
        )
    return hazard


def edit_hazard(*, actor: Actor, hazard: Hazard, version: int | None, **changes: Any) -> Hazard:
    """Change a hazard's description; refused if someone changed it since ``version``."""
    actor = require(actor, Action.EDIT_HAZARD, hazard.product.organisation)
    _refuse_unknown(changes, HAZARD_FIELDS, "hazard")
    with transaction.atomic():
        hazard = lock_for_edit(hazard, version)
        _refuse_if_withdrawn(hazard)
        diff = apply_changes(hazard, changes)
        if not diff:
            return hazard
        _validate_hazard(hazard)
        hazard.version += 1
        hazard.save()
        record_event(
            EventType.HAZARD_EDITED,
            actor=actor,
            subject=hazard,
            organisation=hazard.product.organisation,
            data={"changes": diff},
        )
    return hazard


def change_hazard_status(
    *,
    actor: Actor,
    hazard: Hazard,
    version: int | None,
    status: str,
    reason: str = "",
) -> Hazard:
    """Move a hazard to ``status``. Closing or transferring needs a reason; accepting needs
    a residual risk estimate, since it is the residual risk that is accepted."""
    actor = require(actor, Action.CHANGE_HAZARD_STATUS, hazard.product.organisation)
    reason = reason.strip()
    with transaction.atomic():
        hazard = lock_for_edit(hazard, version)
        _refuse_if_withdrawn(hazard)
        _check_status(status, reason, hazard.estimates.filter(stage=Stage.RESIDUAL).exists())
        if status == hazard.status:
            raise ValidationError(
                {"status": f"The hazard is already {hazard.get_status_display()}."}
            )
        before = hazard.status
        hazard.status, hazard.status_reason = status, reason
        hazard.version += 1
        hazard.save()
        record_event(
            EventType.HAZARD_STATUS_CHANGED,
            actor=actor,
            subject=hazard,
            organisation=hazard.product.organisation,
            data={"changes": {"status": [before, status]}},
            reason=reason,
        )
    return hazard


def withdraw_hazard(*, actor: Actor, hazard: Hazard, version: int | None, reason: str) -> Hazard:
    """Withdraw a hazard entered in error. It stays on record, with its history."""
    actor = require(actor, Action.WITHDRAW_HAZARD, hazard.product.organisation)
    with transaction.atomic():
        hazard = lock_for_edit(hazard, version)
        _withdraw(actor, hazard, reason, EventType.HAZARD_WITHDRAWN)
    return hazard


def assess_risk(
    *,
    actor: Actor,
    hazard: Hazard,
    stage: str,
    severity: int,
    likelihood: int,
    rationale: str = "",
) -> RiskEstimate:
    """Add an initial or residual risk estimate; earlier ones stay as history.

    The residual estimate must respect the rules of ``clinsafe.risk.check_residual``
    against the current initial estimate, and a new initial estimate may not fall below
    the severity of the current residual one.
    """
    actor = require(actor, Action.ASSESS_RISK, hazard.product.organisation)
    if stage not in Stage.values:
        raise ValidationError({"stage": f"Stage must be one of {Stage.values}, not {stage!r}."})
    severity_value = _enum_member(Severity, severity, "severity")
    likelihood_value = _enum_member(Likelihood, likelihood, "likelihood")
    with transaction.atomic():
        hazard = (
            Hazard.objects.select_for_update(of=("self",))
            .select_related("product__organisation")
            .get(pk=hazard.pk)
        )
        _refuse_if_withdrawn(hazard)
        current: dict[str, RiskEstimate] = {}
        for estimate in hazard.estimates.order_by("-assessed_at", "-id"):
            current.setdefault(estimate.stage, estimate)  # the latest of each stage
        if stage == Stage.RESIDUAL:
            initial = current.get(Stage.INITIAL)
            if initial is None:
                raise ValidationError(
                    {"stage": "Assess the initial risk before the residual risk."}
                )
            _check_residual_rules(
                initial.severity, initial.likelihood, severity_value, likelihood_value, rationale
            )
        elif Stage.RESIDUAL in current and current[Stage.RESIDUAL].severity > severity_value:
            residual = Severity(current[Stage.RESIDUAL].severity)
            raise ValidationError(
                {
                    "severity": (
                        f"The current residual severity is {residual.label}; the initial "
                        f"severity cannot be below it. Re-assess the residual risk first."
                    )
                }
            )
        estimate = RiskEstimate(
            hazard=hazard,
            stage=stage,
            severity=severity_value,
            likelihood=likelihood_value,
            rationale=rationale.strip(),
            assessed_by=actor,
        )
        estimate.save()
        Hazard.objects.filter(pk=hazard.pk).update(updated_at=timezone.now())
        record_event(
            EventType.RISK_ASSESSED,
            actor=actor,
            subject=hazard,
            organisation=hazard.product.organisation,
            data={
                "stage": stage,
                "severity": severity_value.label,
                "likelihood": likelihood_value.label,
                "rating": estimate.rating,
                "rationale": estimate.rationale,
            },
        )
    return estimate


# --- controls ----------------------------------------------------------------------------


def add_control(
    *,
    actor: Actor,
    product: Product,
    hazards: Iterable[Hazard] = (),
    **fields: Any,
) -> Control:
    """Record a control in ``product`` (reference C-nnn), linked to the hazards it mitigates."""
    actor = require(actor, Action.ADD_CONTROL, product.organisation)
    _refuse_unknown(fields, CONTROL_FIELDS, "control")
    hazards = list(hazards)
    control = Control(product=product, number=0, **fields)
    _validate_control(control)
    for hazard in hazards:
        _check_linkable(control, hazard)
    with transaction.atomic():
        control.number = next_number(product, "next_control_number")
        control.save()
        control.hazards.set(hazards)
        record_event(
            EventType.CONTROL_ADDED,
            actor=actor,
            subject=control,
            organisation=product.organisation,
            data={
                **_snapshot(control, CONTROL_FIELDS),
                "hazards": [h.reference for h in hazards],
            },
        )
        # Each hazard's own history shows the control that now mitigates it.
        for hazard in hazards:
            record_event(
                EventType.CONTROL_LINKED,
                actor=actor,
                subject=hazard,
                organisation=product.organisation,
                data={"control": control.reference, "hazard": hazard.reference},
            )
    return control


def edit_control(*, actor: Actor, control: Control, version: int | None, **changes: Any) -> Control:
    """Change a control, e.g. record it implemented or verified with its evidence."""
    actor = require(actor, Action.EDIT_CONTROL, control.product.organisation)
    _refuse_unknown(changes, CONTROL_FIELDS, "control")
    with transaction.atomic():
        control = lock_for_edit(control, version)
        _refuse_if_withdrawn(control)
        diff = apply_changes(control, changes)
        if not diff:
            return control
        _validate_control(control)
        control.version += 1
        control.save()
        record_event(
            EventType.CONTROL_EDITED,
            actor=actor,
            subject=control,
            organisation=control.product.organisation,
            data={"changes": diff},
        )
    return control


def link_control(*, actor: Actor, control: Control, hazard: Hazard) -> Control:
    """Record that ``control`` mitigates ``hazard`` too."""
    actor = require(actor, Action.LINK_CONTROL, control.product.organisation)
    _check_linkable(control, hazard)
    with transaction.atomic():
        if control.hazards.filter(pk=hazard.pk).exists():
            raise ValidationError(
                {"hazard": f"{control.reference} is already linked to {hazard.reference}."}
            )
        control.hazards.add(hazard)
        _record_link(EventType.CONTROL_LINKED, actor, control, hazard)
    return control


def unlink_control(*, actor: Actor, control: Control, hazard: Hazard) -> Control:
    """Record that ``control`` no longer mitigates ``hazard``."""
    actor = require(actor, Action.LINK_CONTROL, control.product.organisation)
    with transaction.atomic():
        if not control.hazards.filter(pk=hazard.pk).exists():
            raise ValidationError(
                {"hazard": f"{control.reference} is not linked to {hazard.reference}."}
            )
        control.hazards.remove(hazard)
        _record_link(EventType.CONTROL_UNLINKED, actor, control, hazard)
    return control


def withdraw_control(
    *, actor: Actor, control: Control, version: int | None, reason: str
) -> Control:
    """Withdraw a control entered in error. It stays on record, with its history."""
    actor = require(actor, Action.WITHDRAW_CONTROL, control.product.organisation)
    with transaction.atomic():
        control = lock_for_edit(control, version)
        _withdraw(actor, control, reason, EventType.CONTROL_WITHDRAWN)
    return control


# --- a whole hazard log at once (an import) ---------------------------------------------


@dataclass
class EstimateDraft:
    stage: str
    severity: int
    likelihood: int
    rationale: str = ""
    stated_rating: str = ""  # the rating the file stated, kept on the estimate


@dataclass
class HazardDraft:
    fields: dict[str, Any]  # HAZARD_FIELDS, owner_name and file_reference
    estimates: list[EstimateDraft] = field(default_factory=list)  # initial before residual
    status: str = HazardStatus.OPEN
    status_reason: str = ""
    number: int | None = None  # None: the next never-used number


@dataclass
class ControlDraft:
    fields: dict[str, Any]  # CONTROL_FIELDS, owner_name and file_reference
    hazards: list[int] = field(default_factory=list)  # indexes into the hazard drafts


@dataclass
class RecordedLog:
    hazards: list[Hazard | None]  # one a hazard draft, None where it was refused
    estimates: list[list[RiskEstimate]]  # each hazard's, in draft order
    controls: list[Control | None]
    # (hazard or control, draft index, the rule it breaks): refused drafts, none written
    refused: list[tuple[str, int, ValidationError]]


IMPORTED_FIELDS = ("owner_name", "file_reference")


def record_log(
    *,
    actor: Actor,
    product: Product,
    hazards: list[HazardDraft],
    controls: list[ControlDraft],
    skip_refused: bool = False,
) -> RecordedLog:
    """Raise many hazards at once, with their estimates, statuses and controls: a hazard
    log brought in from a spreadsheet. Each draft is held to the rules of raising,
    assessing, closing and adding it one at a time, and leaves the same audit events, but
    the records are inserted in bulk. A refused draft is listed, and nothing is written
    unless ``skip_refused`` says to write the others (a control then loses its links to
    refused hazards). Called inside the caller's transaction."""
    user = require(actor, Action.CREATE_HAZARD, product.organisation)
    for needed, action in (
        (any(h.estimates for h in hazards), Action.ASSESS_RISK),
        (any(h.status != HazardStatus.OPEN for h in hazards), Action.CHANGE_HAZARD_STATUS),
        (bool(controls), Action.ADD_CONTROL),
        (any(len(c.hazards) > 0 for c in controls), Action.LINK_CONTROL),
    ):
        if needed:
            require(user, action, product.organisation)
    members = set(product.organisation.memberships.values_list("user_id", flat=True))
    refused: list[tuple[str, int, ValidationError]] = []
    built = [_drafted_hazard(user, product, d, members) for d in hazards]
    for index, (_, error) in enumerate(built):
        if error is not None:
            refused.append(("hazard", index, error))
    written: list[Hazard | None] = [hazard if error is None else None for hazard, error in built]
    taken = [h for h in written if h is not None]
    built_controls = []
    for index, control_draft in enumerate(controls):
        control, error = _drafted_control(product, control_draft, members)
        if error is not None:
            refused.append(("control", index, error))
        built_controls.append(None if error is not None else control)
    if refused and not skip_refused:
        nothing: list[Any] = [None] * len(hazards)
        return RecordedLog(nothing, [[] for _ in hazards], [None] * len(controls), refused)
    with transaction.atomic():
        given = [d.number for d, h in zip(hazards, written, strict=True) if h is not None]
        _number(product, "next_hazard_number", taken, given)
        Hazard.objects.bulk_create(taken, batch_size=500)
        estimates: list[list[RiskEstimate]] = []
        for hazard, draft in zip(written, hazards, strict=True):
            estimates.append([] if hazard is None else [
                RiskEstimate(hazard=hazard, stage=e.stage, severity=e.severity,
                             likelihood=e.likelihood, rationale=e.rationale.strip(),
                             stated_rating=e.stated_rating, assessed_by=user)
                for e in draft.estimates
            ])  # fmt: skip
        for estimate in (e for each in estimates for e in each):
            estimate.rate()
        RiskEstimate.objects.bulk_create([e for each in estimates for e in each], batch_size=500)
        kept_controls = [c for c in built_controls if c is not None]
        _number(product, "next_control_number", kept_controls, [None] * len(kept_controls))
        Control.objects.bulk_create(kept_controls, batch_size=500)
        links = [
            (control, hazard)
            for control, control_draft in zip(built_controls, controls, strict=True)
            if control is not None
            for index in control_draft.hazards
            if (hazard := written[index]) is not None
        ]
        Control.hazards.through.objects.bulk_create(
            [Control.hazards.through(control_id=c.pk, hazard_id=h.pk) for c, h in links],
            batch_size=500,
        )
        _record_log_events(user, product, written, estimates, kept_controls, links)
    return RecordedLog(written, estimates, built_controls, refused)


def _drafted_hazard(
    user: User, product: Product, draft: HazardDraft, members: set[int]
) -> tuple[Hazard, ValidationError | None]:
    _refuse_unknown(draft.fields, HAZARD_FIELDS + IMPORTED_FIELDS, "hazard")
    hazard = Hazard(product=product, raised_by=user, number=draft.number or 0, **draft.fields)
    hazard.status, hazard.status_reason = draft.status, draft.status_reason.strip()
    try:
        _validate_hazard(hazard, members)
        _check_drafted_risk(draft)
        residual = any(e.stage == Stage.RESIDUAL for e in draft.estimates)
        _check_status(draft.status, hazard.status_reason, residual)
    except ValidationError as error:
        return hazard, error
    return hazard, None


def _check_drafted_risk(draft: HazardDraft) -> None:
    stages = [e.stage for e in draft.estimates]
    if sorted(stages, key=STAGES.index) != stages or len(set(stages)) != len(stages):
        raise ValidationError({"stage": "A hazard has one initial estimate, then one residual."})
    by_stage = {e.stage: e for e in draft.estimates}
    for estimate in draft.estimates:
        if estimate.stage not in STAGES:
            raise ValidationError(
                {"stage": f"Stage must be one of {list(STAGES)}, not {estimate.stage!r}."}
            )
        _enum_member(Severity, estimate.severity, "severity")
        _enum_member(Likelihood, estimate.likelihood, "likelihood")
    residual = by_stage.get(Stage.RESIDUAL)
    if residual is not None:
        initial = by_stage.get(Stage.INITIAL)
        if initial is None:
            raise ValidationError({"stage": "Assess the initial risk before the residual risk."})
        _check_residual_rules(initial.severity, initial.likelihood, residual.severity,
                              residual.likelihood, residual.rationale)  # fmt: skip


def _drafted_control(
    product: Product, draft: ControlDraft, members: set[int]
) -> tuple[Control, ValidationError | None]:
    _refuse_unknown(draft.fields, CONTROL_FIELDS + IMPORTED_FIELDS, "control")
    control = Control(product=product, number=0, **draft.fields)
    try:
        _validate_control(control, members)
    except ValidationError as error:
        return control, error
    return control, None


def _number(product: Product, counter: str, records: list[Any], given: list[int | None]) -> None:
    """Give each record its number: the one it was given, or the next never-used."""
    claim_numbers(product, counter, [n for n in given if n])
    wanted = sum(1 for n in given if not n)
    first = next_number(product, counter, wanted) if wanted else 0
    for record, number in zip(records, given, strict=True):
        if number:
            record.number = number
        else:
            record.number, first = first, first + 1


def _record_log_events(
    user: User,
    product: Product,
    hazards: list[Hazard | None],
    estimates: list[list[RiskEstimate]],
    controls: list[Control],
    links: list[tuple[Control, Hazard]],
) -> None:
    """The events raising, assessing, closing, adding and linking one at a time leave, each
    carrying its subject's row as the import left it."""
    organisation = product.organisation
    hazard_states = states_of(Hazard, [h.pk for h in hazards if h is not None])
    control_states = states_of(Control, [c.pk for c in controls])

    def event(
        kind: EventType, subject: Hazard | Control, states: dict[int, str], **extra: Any
    ) -> None:
        record_event(kind, actor=user, subject=subject, organisation=organisation,
                     state=states[subject.pk], **extra)  # fmt: skip

    for hazard, assessed in zip(hazards, estimates, strict=True):
        if hazard is None:
            continue
        event(EventType.HAZARD_RAISED, hazard, hazard_states,
              data=_snapshot(hazard, HAZARD_FIELDS + IMPORTED_FIELDS))  # fmt: skip
        for estimate in assessed:
            event(EventType.RISK_ASSESSED, hazard, hazard_states, data={
                "stage": estimate.stage,
                "severity": Severity(estimate.severity).label,
                "likelihood": Likelihood(estimate.likelihood).label,
                "rating": estimate.rating,
                "rationale": estimate.rationale,
                **({"stated_rating": estimate.stated_rating} if estimate.stated_rating else {}),
            })  # fmt: skip
        if hazard.status != HazardStatus.OPEN:
            event(EventType.HAZARD_STATUS_CHANGED, hazard, hazard_states,
                  data={"changes": {"status": [HazardStatus.OPEN, hazard.status]}},
                  reason=hazard.status_reason)  # fmt: skip
    linked: dict[int, list[str]] = {}
    for control, hazard in links:
        linked.setdefault(control.pk, []).append(hazard.reference)
    for control in controls:
        event(EventType.CONTROL_ADDED, control, control_states, data={
            **_snapshot(control, CONTROL_FIELDS + IMPORTED_FIELDS),
            "hazards": linked.get(control.pk, []),
        })  # fmt: skip
    for control, hazard in links:
        event(EventType.CONTROL_LINKED, hazard, hazard_states,
              data={"control": control.reference, "hazard": hazard.reference})  # fmt: skip


# --- shared steps ------------------------------------------------------------------------


def _withdraw(actor: User, record: Hazard | Control, reason: str, event: EventType) -> None:
    _refuse_if_withdrawn(record)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why it is withdrawn; the record keeps the reason."})
    record.withdrawn_at = timezone.now()
    record.withdrawn_by = actor
    record.withdrawn_reason = reason
    record.version += 1
    record.save()
    record_event(
        event, actor=actor, subject=record, organisation=record.product.organisation, reason=reason
    )


def _record_link(event: EventType, actor: User, control: Control, hazard: Hazard) -> None:
    for subject in (control, hazard):
        record_event(
            event,
            actor=actor,
            subject=subject,
            organisation=control.product.organisation,
            data={"control": control.reference, "hazard": hazard.reference},
        )


def _check_status(status: str, reason: str, has_residual: bool) -> None:
    if status not in HAZARD_STATUSES:
        raise ValidationError(
            {"status": f"{status!r} is not a hazard status; use one of {list(HAZARD_STATUSES)}."}
        )
    if status in STATUSES_NEEDING_REASON and not reason:
        raise ValidationError(
            {"reason": f"Say why the hazard is {HazardStatus(status).label.lower()}."}
        )
    if status == HazardStatus.ACCEPTED and not has_residual:
        raise ValidationError(
            {"status": "A hazard can be accepted only once its residual risk is assessed."}
        )


def _check_residual_rules(
    severity: int, likelihood: int, residual_severity: int, residual_likelihood: int, why: str
) -> None:
    violations = check_residual(
        (Severity(severity), Likelihood(likelihood)),
        (Severity(residual_severity), Likelihood(residual_likelihood)),
        why,
    )
    if violations:
        raise ValidationError(
            {v.field: ValidationError(v.message, code=v.code) for v in violations}
        )


def _validate_hazard(hazard: Hazard, members: set[int] | None = None) -> None:
    errors: dict[str, Any] = {}
    for name in ("causes", "effects"):
        try:
            setattr(hazard, name, _clean_lines(getattr(hazard, name), name))
        except ValidationError as error:
            errors[name] = error
    _check_member(hazard.owner, hazard.product, errors, members)
    try:
        bulk = BULK_CHECKED if members is not None else []
        hazard.full_clean(exclude=["causes", "effects", "number", *bulk])
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)


def _validate_control(control: Control, members: set[int] | None = None) -> None:
    errors: dict[str, Any] = {}
    if control.status == ControlStatus.VERIFIED and not (
        control.verification_evidence.strip() or control.verification_link.strip()
    ):
        errors["verification_evidence"] = (
            "A verified control needs its verification evidence: describe it or link to it."
        )
    _check_member(control.owner, control.product, errors, members)
    try:
        control.full_clean(exclude=["number", *(BULK_CHECKED if members is not None else [])])
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)


def _check_linkable(control: Control, hazard: Hazard) -> None:
    if hazard.product_id != control.product_id:
        raise ValidationError(
            {"hazards": f"{hazard.reference} belongs to another product than the control."}
        )
    if hazard.is_withdrawn:
        raise ValidationError({"hazards": f"{hazard.reference} is withdrawn."})


def _check_member(
    user: Any, product: Product, errors: dict[str, Any], members: set[int] | None = None
) -> None:
    """``members``: the organisation's members' ids, when read once for many records."""
    if user is None:
        return
    if (
        user.pk not in members
        if members is not None
        else not Membership.objects.filter(user=user, organisation=product.organisation_id).exists()
    ):
        errors["owner"] = f"The owner must be a member of {product.organisation.name}."


def _clean_lines(value: Any, field: str) -> list[str]:
    """Causes and effects are lists of short texts; blank entries are dropped."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValidationError(f"{field.capitalize()} must be a list of texts.")
    lines = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError(f"Each entry of {field} must be text, not {type(item).__name__}.")
        if len(item) > MAX_LINE:
            raise ValidationError(f"Each entry of {field} may be at most {MAX_LINE} characters.")
        if item.strip():
            lines.append(item.strip())
    return lines


def _enum_member(enum: type[Severity] | type[Likelihood], value: Any, field: str) -> Any:
    try:
        return enum(int(value))
    except (TypeError, ValueError):
        choices = ", ".join(f"{m.value} ({m.label})" for m in enum)
        raise ValidationError({field: f"{field.capitalize()} must be one of {choices}."}) from None


def _refuse_if_withdrawn(record: Hazard | Control) -> None:
    if record.is_withdrawn:
        raise ValidationError(
            {"__all__": f"{record.reference} is withdrawn and can no longer be changed."}
        )


def _refuse_unknown(fields: dict[str, Any], allowed: tuple[str, ...], kind: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {kind} fields: {sorted(unknown)}.")


def _snapshot(record: Hazard | Control, fields: tuple[str, ...]) -> dict[str, Any]:
    return {
        field: str(value) if hasattr(value, "pk") else value
        for field in fields
        if (value := getattr(record, field)) is not None
    }
