"""Is the CSO role real? The hollow-role concerns, from plain facts about an appointment.

Pure Python: the product's CSO page, the API and later the health check share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

TRAINING_VALID_YEARS = 3
REGISTRATION_CHECK_DAYS = 365


@dataclass(frozen=True)
class RegistrationFacts:
    regulator: str
    profession: str
    number: str
    last_confirmed_on: date
    expires_on: date | None


@dataclass(frozen=True)
class CsoFacts:
    name: str
    registration: RegistrationFacts | None
    last_training_on: date | None
    protected_hours_per_week: Decimal
    can_block_release: bool


@dataclass(frozen=True)
class Concern:
    code: str
    message: str


def registration_current(registration: RegistrationFacts | None, today: date) -> bool:
    return registration is not None and (
        registration.expires_on is None or registration.expires_on >= today
    )


def training_current(last_training_on: date | None, today: date) -> bool:
    return last_training_on is not None and last_training_on >= _years_before(
        today, TRAINING_VALID_YEARS
    )


def hollow_role_concerns(facts: CsoFacts | None, today: date) -> list[Concern]:
    """Where the appointed CSO holds the title without the means to do the job."""
    if facts is None:
        return [
            Concern(
                "no_cso",
                "No Clinical Safety Officer is appointed. DCB0129 and DCB0160 require a named "
                "CSO: nobody is accountable for this product's clinical safety.",
            )
        ]
    concerns = []
    registration = facts.registration
    if registration is None:
        concerns.append(
            Concern(
                "not_registered",
                f"{facts.name} is not recorded as a registered clinician. The CSO must be a "
                "suitably qualified, currently registered clinician.",
            )
        )
    elif not registration_current(registration, today):
        concerns.append(
            Concern(
                "registration_lapsed",
                f"{facts.name}'s {registration.regulator} registration lapsed on "
                f"{registration.expires_on:%d %B %Y}.",
            )
        )
    elif registration.last_confirmed_on < today - timedelta(days=REGISTRATION_CHECK_DAYS):
        concerns.append(
            Concern(
                "registration_unconfirmed",
                f"{facts.name}'s registration has not been checked against the "
                f"{registration.regulator} register since "
                f"{registration.last_confirmed_on:%d %B %Y}.",
            )
        )
    if facts.last_training_on is None:
        concerns.append(
            Concern(
                "no_training",
                f"{facts.name} has no clinical risk management training on record.",
            )
        )
    elif not training_current(facts.last_training_on, today):
        concerns.append(
            Concern(
                "training_lapsed",
                f"{facts.name}'s clinical risk management training is out of date: last "
                f"completed {facts.last_training_on:%d %B %Y} (renew every "
                f"{TRAINING_VALID_YEARS} years).",
            )
        )
    if facts.protected_hours_per_week <= 0:
        concerns.append(
            Concern(
                "no_protected_time",
                f"{facts.name} has no protected time for clinical safety work: the role is an "
                "add-on to a full job.",
            )
        )
    if not facts.can_block_release:
        concerns.append(
            Concern(
                "no_authority",
                f"{facts.name} has no authority to block a release: accountability without "
                "authority.",
            )
        )
    return concerns


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
