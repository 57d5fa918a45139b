"""Who is this product's CSO, and is the role real? Read from the records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max
from django.utils import timezone

from clinsafe.core.cso_role import (
    Concern,
    CsoFacts,
    RegistrationFacts,
    hollow_role_concerns,
    registration_current,
    training_current,
)
from clinsafe.core.formats import person_name
from clinsafe.core.models import AppointmentRole, CSOAppointment, ProfessionalRegistration
from clinsafe.core.services import active_appointments
from clinsafe.products.models import Product


@dataclass
class CsoPosition:
    """The answer to "who is your CSO?" for one product, on one day."""

    product: Product
    on: date
    appointment: CSOAppointment | None
    facts: CsoFacts | None
    concerns: list[Concern]
    deputies: list[CSOAppointment] = field(default_factory=list)

    @property
    def registration_current(self) -> bool:
        return self.facts is not None and registration_current(self.facts.registration, self.on)

    @property
    def training_current(self) -> bool:
        return self.facts is not None and training_current(self.facts.last_training_on, self.on)


def cso_position(product: Product, on: date | None = None) -> CsoPosition:
    """The product's own CSO appointment if it has one, else the organisation-wide one."""
    on = on or timezone.localdate()
    active = (
        active_appointments(organisation=product.organisation, on=on)
        .filter(product__in=[product.pk])
        .select_related("user", "appointed_by")
    )
    organisation_wide = (
        active_appointments(organisation=product.organisation, on=on)
        .filter(product__isnull=True)
        .select_related("user", "appointed_by")
    )
    scoped = list(active) or list(organisation_wide)
    chief = next((a for a in scoped if a.role == AppointmentRole.CSO), None)
    deputies = [a for a in scoped if a.role == AppointmentRole.DEPUTY]
    facts = facts_of(chief) if chief else None
    return CsoPosition(product, on, chief, facts, hollow_role_concerns(facts, on), deputies)


def facts_of(appointment: CSOAppointment) -> CsoFacts:
    user = appointment.user
    registration = ProfessionalRegistration.objects.filter(user=user).first()
    last_training = user.trainings.aggregate(last=Max("completed_on"))["last"]
    return CsoFacts(
        name=person_name(user),
        registration=RegistrationFacts(
            regulator=registration.regulator_name,
            profession=registration.profession,
            number=registration.number,
            last_confirmed_on=registration.last_confirmed_on,
            expires_on=registration.expires_on,
        )
        if registration
        else None,
        last_training_on=last_training,
        protected_hours_per_week=appointment.protected_hours_per_week,
        can_block_release=appointment.can_block_release,
    )
