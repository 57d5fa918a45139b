"""A product whose CSO is real: Priya, registered, trained, with authority to block."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from clinsafe.core import services as people
from clinsafe.core.models import Role
from clinsafe.gate import services as gate
from clinsafe.hazards import services as hazards
from clinsafe.products.releases import create_release
from tests.conftest import PASSWORD, make_person


def make_real_cso(user: Any, product: Any, admin: Any, can_block: bool = True) -> Any:
    today = timezone.localdate()
    people.record_registration(
        actor=user, user=user, regulator="GMC", number="7654321", profession="Doctor",
        last_confirmed_on=today - timedelta(days=30),
    )  # fmt: skip
    people.record_training(
        actor=user, user=user, course="DCB0129/0160 CSO training", completed_on=date(2026, 1, 5)
    )
    return people.appoint_cso(
        actor=admin,
        organisation=product.organisation,
        user=user,
        product=product,
        protected_hours_per_week=Decimal(12),
        can_block_release=can_block,
    )


@pytest.fixture
def morgan(northwind: Any) -> Any:
    return make_person("morgan", northwind, Role.ADMIN, "Morgan Reid")


@pytest.fixture
def cso(priya: Any, product: Any, morgan: Any) -> Any:
    """Priya, appointed CSO of the product with blocking authority."""
    make_real_cso(priya, product, morgan)
    return priya


@pytest.fixture
def release(product: Any, sam: Any) -> Any:
    return create_release(actor=sam, product=product, version="2.4.0", summary="Dose checks")


def assessed(product: Any, actor: Any, initial: tuple[int, int], residual: tuple[int, int],
             **fields: Any) -> Any:  # fmt: skip
    """A hazard assessed at ``initial`` and ``residual`` (severity, likelihood)."""
    from tests.conftest import raise_hazard

    hazard = raise_hazard(product, actor, **fields)
    for stage, (severity, likelihood) in (("initial", initial), ("residual", residual)):
        hazards.assess_risk(
            actor=actor, hazard=hazard, stage=stage, severity=severity, likelihood=likelihood,
            rationale="Severity lowered by design." if stage == "residual" else "",
        )  # fmt: skip
    return hazard


def sign_off(cso: Any, release: Any) -> Any:
    return gate.sign_off_release(
        actor=cso, release=release, password=PASSWORD, statement="Safe to release."
    )


def review_all(cso: Any, release: Any) -> None:
    from clinsafe.gate.evaluation import evaluate

    for waiting in evaluate(release).waiting_review:
        hazard = release.product.hazards.get(number=waiting["number"])
        gate.review_hazard(actor=cso, hazard=hazard)
