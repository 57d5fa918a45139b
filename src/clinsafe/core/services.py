"""Use cases for organisations, people, credentials, CSO appointments and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.formats import person_name
from clinsafe.core.models import (
    ApiToken,
    AppointmentRole,
    CSOAppointment,
    Membership,
    Organisation,
    ProfessionalRegistration,
    Role,
    Training,
)
from clinsafe.core.permissions import Action, Actor, require
from clinsafe.core.records import apply_changes, lock_for_edit
from clinsafe.core.regulators import OTHER, normalise_number, registration_number_error
from clinsafe.products.models import Product
from clinsafe.risk.acceptance import AcceptancePolicy

TOKEN_BYTES = 32
# An appointment ended in the past would rewrite who was CSO when earlier decisions were made.
NO_BACKDATED_END = "An appointment cannot end in the past: end it today or later."


# --- organisations and roles -------------------------------------------------------------


def create_organisation(*, actor: Actor, name: str, slug: str, kind: str) -> Organisation:
    """Only a platform administrator creates organisations."""
    if not (actor.is_authenticated and actor.is_superuser):
        raise PermissionDenied("Only a platform administrator may create an organisation.")
    organisation = Organisation(name=name, slug=slug, kind=kind)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        record_event(
            EventType.ORGANISATION_CREATED,
            actor=actor,
            subject=organisation,
            organisation=organisation,
            data={"name": name, "slug": slug, "kind": kind},
        )
    return organisation


def add_person(
    *,
    actor: Actor,
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str,
    email: str = "",
    role: str,
) -> tuple[User, str]:
    """Create a person's account with a first role; returns the one-time password to hand
    them (they change it after logging in)."""
    actor = require(actor, Action.MANAGE_MEMBERS, organisation)
    password = secrets.token_urlsafe(12)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    with transaction.atomic():
        user.save()
        record_event(
            EventType.PERSON_ADDED,
            actor=actor,
            subject=user,
            organisation=organisation,
            data={"person": person_name(user), "email": email},
        )
        grant_role(actor=actor, organisation=organisation, user=user, role=role)
    return user, password


def grant_role(*, actor: Actor, organisation: Organisation, user: User, role: str) -> Membership:
    """Give ``user`` a role in ``organisation`` (a person may hold several)."""
    actor = require(actor, Action.MANAGE_MEMBERS, organisation)
    _refuse_self(actor, user, "grant yourself a role", "another organisation admin must")
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role; use one of {Role.values}."})
    with transaction.atomic():
        if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
            raise ValidationError(
                {"role": f"{person_name(user)} already holds the {Role(role).label} role."}
            )
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        record_event(
            EventType.ROLE_GRANTED,
            actor=actor,
            subject=membership,
            organisation=organisation,
            data={"person": person_name(user), "role": Role(role).label},
        )
    return membership


def revoke_role(*, actor: Actor, membership: Membership, reason: str = "") -> None:
    """Take a role away. The last organisation admin keeps theirs, so someone can manage."""
    organisation = membership.organisation
    actor = require(actor, Action.MANAGE_MEMBERS, organisation)
    with transaction.atomic():
        admins = Membership.objects.select_for_update().filter(
            organisation=organisation, role=Role.ADMIN
        )
        if membership.role == Role.ADMIN and admins.count() == 1:
            raise ValidationError(
                {"role": f"{person_name(membership.user)} is the last organisation admin."}
            )
        active = active_appointments(organisation=organisation).filter(user=membership.user_id)
        if membership.role in AppointmentRole.values and active.filter(role=membership.role):
            raise ValidationError(
                {"role": "End their Clinical Safety Officer appointment before revoking the role."}
            )
        record_event(
            EventType.ROLE_REVOKED,
            actor=actor,
            subject=membership,
            organisation=organisation,
            data={"person": person_name(membership.user), "role": membership.get_role_display()},
            reason=reason,
        )
        membership.delete()


# --- registration and training -----------------------------------------------------------


def record_registration(
    *,
    actor: Actor,
    user: User,
    regulator: str,
    number: str,
    profession: str,
    last_confirmed_on: date,
    expires_on: date | None = None,
    other_regulator_name: str = "",
    version: int | None = None,
) -> ProfessionalRegistration:
    """Record or update a clinician's registration; the number must match the regulator's
    format. An update must carry the version the editor loaded."""
    actor = _require_self_or_admin(actor, user)
    errors: dict[str, str] = {}
    problem = registration_number_error(regulator, number)
    if problem:
        errors["regulator" if problem.startswith("Unknown") else "number"] = problem
    if regulator == OTHER and not other_regulator_name.strip():
        errors["other_regulator_name"] = "Name the regulator when it is not listed."
    if last_confirmed_on > timezone.localdate():
        errors["last_confirmed_on"] = "The date last confirmed cannot be in the future."
    if errors:
        raise ValidationError(errors)
    fields = {
        "regulator": regulator,
        "number": normalise_number(number),
        "profession": profession.strip(),
        "last_confirmed_on": last_confirmed_on,
        "expires_on": expires_on,
        "other_regulator_name": other_regulator_name.strip() if regulator == OTHER else "",
    }
    with transaction.atomic():
        existing = ProfessionalRegistration.objects.filter(user=user).first()
        if existing is None:
            registration = ProfessionalRegistration(user=user, **fields)
            registration.full_clean()
            registration.save()
            event, data = EventType.REGISTRATION_RECORDED, fields
        else:
            registration = lock_for_edit(existing, version)
            data = {"changes": apply_changes(registration, fields)}
            if not data["changes"]:
                return registration
            registration.full_clean()
            registration.version += 1
            registration.save()
            event = EventType.REGISTRATION_EDITED
        record_event(
            event,
            actor=actor,
            subject=registration,
            organisation=None,
            data={"person": person_name(user), **data},
        )
    return registration


def record_training(*, actor: Actor, user: User, course: str, completed_on: date) -> Training:
    """Record clinical risk management training a person completed."""
    actor = _require_self_or_admin(actor, user)
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "Training cannot be completed in the future."})
    training = Training(user=user, course=course.strip(), completed_on=completed_on)
    training.full_clean()
    with transaction.atomic():
        training.save()
        record_event(
            EventType.TRAINING_RECORDED,
            actor=actor,
            subject=training,
            organisation=None,
            data={
                "person": person_name(user),
                "course": training.course,
                "completed_on": completed_on,
            },
        )
    return training


def _refuse_self(actor: User, user: User, what: str, who: str) -> None:
    """Who holds authority is decided by someone else: no one grants it to themselves."""
    if actor.pk == user.pk:
        raise PermissionDenied(f"You cannot {what}: {who}, so duties stay apart.")


def _require_self_or_admin(actor: Actor, user: User) -> User:
    """People record their own credentials; an admin of one of their organisations may too."""
    if isinstance(actor, User) and actor.pk == user.pk:
        return actor
    for organisation in Organisation.objects.filter(memberships__user=user).distinct():
        try:
            return require(actor, Action.RECORD_CREDENTIALS, organisation)
        except PermissionDenied:
            continue
    raise PermissionDenied(
        "You may record only your own registration and training, unless you are an "
        "organisation admin of the person's organisation."
    )


# --- risk acceptance policy --------------------------------------------------------------


def set_acceptance_policy(
    *, actor: Actor, organisation: Organisation, levels: dict[int, str]
) -> Organisation:
    """Set who may accept each residual rating in ``organisation``, e.g. ``{3: "executive"}``.
    Levels may be stricter than DCB0129's meaning of the ratings, never looser."""
    actor = require(actor, Action.SET_ACCEPTANCE_POLICY, organisation)
    try:
        policy = AcceptancePolicy.stricter(levels)
    except ValueError as error:
        raise ValidationError({"levels": str(error)}) from None
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = organisation.acceptance_policy.raised()
        after = policy.raised()
        if before == after:
            return organisation
        organisation.stricter_acceptance = {str(r): level for r, level in after.items()}
        organisation.save(update_fields=["stricter_acceptance"])
        record_event(
            EventType.ACCEPTANCE_POLICY_CHANGED,
            actor=actor,
            subject=organisation,
            organisation=organisation,
            data={"changes": {"stricter_than_dcb0129": [before, after]}},
        )
    return organisation


# --- CSO appointments --------------------------------------------------------------------


def active_appointments(
    *, organisation: Organisation, on: date | None = None
) -> QuerySet[CSOAppointment]:
    """Appointments in force on ``on`` (today by default)."""
    on = on or timezone.localdate()
    return CSOAppointment.objects.filter(organisation=organisation, starts_on__lte=on).exclude(
        ends_on__lt=on
    )


def product_appointments(product: Product, user: User | None = None) -> list[CSOAppointment]:
    """(Deputy) CSO appointments in force for ``product``, of ``user`` or of anyone."""
    appointments = active_appointments(organisation=product.organisation).select_related("user")
    if user is not None:
        appointments = appointments.filter(user=user)
    return [a for a in appointments if a.product_id in (None, product.pk)]


def appointed_since(product: Product, user: User, since: date) -> bool:
    """Whether ``user`` held a (deputy) CSO appointment for ``product`` at any time from
    ``since`` to today: ending an appointment does not make its holder someone else."""
    today = timezone.localdate()
    return (
        CSOAppointment.objects.filter(organisation=product.organisation, user=user)
        .filter(Q(product=None) | Q(product=product), starts_on__lte=today)
        .exclude(ends_on__lt=since)
        .exists()
    )


def require_appointment(actor: User, product: Product) -> CSOAppointment:
    """``actor``'s appointment as (deputy) CSO for ``product``; refused without one."""
    mine = product_appointments(product, actor)
    if not mine:
        raise PermissionDenied(
            f"You are not an appointed Clinical Safety Officer (or deputy) for {product.name}."
        )
    # The chief appointment speaks when a person holds both.
    return min(mine, key=lambda a: a.role != AppointmentRole.CSO)


def appoint_cso(
    *,
    actor: Actor,
    organisation: Organisation,
    user: User,
    role: str = AppointmentRole.CSO,
    product: Product | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    protected_hours_per_week: Decimal | int = 0,
    can_block_release: bool = False,
) -> CSOAppointment:
    """Name a (deputy) CSO for one product or the whole organisation. The person must hold
    the matching role, and a scope has one CSO at a time (deputies may be several)."""
    actor = require(actor, Action.APPOINT_CSO, organisation)
    _refuse_self(actor, user, "appoint yourself", "another admin or executive must")
    starts_on = starts_on or timezone.localdate()
    if role not in AppointmentRole.values:
        raise ValidationError({"role": f"Role must be one of {AppointmentRole.values}."})
    errors: dict[str, str] = {}
    if ends_on is not None and ends_on < timezone.localdate():
        errors["ends_on"] = NO_BACKDATED_END
    if product is not None and product.organisation_id != organisation.pk:
        errors["product"] = f"{product.name} is not a product of {organisation.name}."
    if not Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        errors["user"] = (
            f"{person_name(user)} does not hold the {AppointmentRole(role).label} role in "
            f"{organisation.name}; an organisation admin must grant it first."
        )
    if errors:
        raise ValidationError(errors)
    appointment = CSOAppointment(
        organisation=organisation,
        product=product,
        user=user,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        protected_hours_per_week=Decimal(protected_hours_per_week),
        can_block_release=can_block_release,
        appointed_by=actor,
    )
    appointment.full_clean()
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if role == AppointmentRole.CSO:
            clash = (
                active_appointments(organisation=organisation, on=starts_on)
                .filter(role=AppointmentRole.CSO, product=product)
                .select_related("user")
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    {
                        "user": f"{person_name(clash.user)} is already CSO for this scope; end "
                        "that appointment first."
                    }
                )
        appointment.save()
        record_event(
            EventType.CSO_APPOINTED,
            actor=actor,
            subject=appointment,
            organisation=organisation,
            data={
                "person": person_name(user),
                "role": AppointmentRole(role).label,
                "product": product.name if product else "all products",
                "starts_on": starts_on,
                "ends_on": ends_on,
                "protected_hours_per_week": appointment.protected_hours_per_week,
                "can_block_release": can_block_release,
            },
        )
    return appointment


def end_appointment(
    *, actor: Actor, appointment: CSOAppointment, ends_on: date | None = None, reason: str
) -> CSOAppointment:
    """End an appointment on ``ends_on`` (today by default), saying why."""
    actor = require(actor, Action.APPOINT_CSO, appointment.organisation)
    ends_on = ends_on or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": "Say why the appointment ends."})
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": NO_BACKDATED_END})
    if ends_on < appointment.starts_on:
        raise ValidationError({"ends_on": "An appointment cannot end before it starts."})
    with transaction.atomic():
        appointment = CSOAppointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.ends_on is not None and appointment.ends_on <= ends_on:
            raise ValidationError({"ends_on": f"It already ends on {appointment.ends_on}."})
        appointment.ends_on, appointment.ended_reason = ends_on, reason.strip()
        appointment.save()
        record_event(
            EventType.CSO_APPOINTMENT_ENDED,
            actor=actor,
            subject=appointment,
            organisation=appointment.organisation,
            data={"ends_on": ends_on},
            reason=reason.strip(),
        )
    return appointment


# --- API tokens --------------------------------------------------------------------------


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A new personal API token for ``actor``; the key is returned once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied("Log in to create an API token.")
    key = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(user=actor, name=name.strip(), prefix=key[:8], key_hash=hash_token(key))
    token.full_clean()
    with transaction.atomic():
        token.save()
        record_event(
            EventType.TOKEN_CREATED,
            actor=actor,
            subject=token,
            organisation=None,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token, key


def revoke_token(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke one of your own tokens; it stops working at once."""
    if not actor.is_authenticated or token.user_id != actor.pk:
        raise PermissionDenied("You may revoke only your own API tokens.")
    if token.revoked_at is not None:
        raise ValidationError({"token": f"{token} is already revoked."})
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            EventType.TOKEN_REVOKED,
            actor=actor,
            subject=token,
            organisation=None,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token
