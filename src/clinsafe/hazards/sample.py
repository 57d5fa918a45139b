"""Bulk-generated hazard logs, for benchmarks and scale tests.

Written with bulk_create for speed: this bypasses the service functions (and the audit
trail) on purpose, so it must never be used for real records.
"""

from __future__ import annotations

import random

from django.contrib.auth.models import User
from django.db import transaction

from clinsafe.hazards.models import (
    Control,
    ControlKind,
    ControlStatus,
    Hazard,
    HazardStatus,
    RiskEstimate,
    Stage,
)
from clinsafe.products.models import Product
from clinsafe.risk import NHS_EXAMPLE_SCHEME, Likelihood, Severity

BATCH = 1000


@transaction.atomic
def generate_hazards(
    product: Product,
    count: int,
    *,
    author: User,
    controls_per_hazard: int = 3,
    seed: int = 0,
) -> None:
    """Append ``count`` hazards to ``product``, each with 2 causes, 2 effects, initial and
    residual estimates and ``controls_per_hazard`` controls."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    first = product.next_hazard_number
    hazards = [
        Hazard(
            product=product,
            number=first + i,
            title=f"Generated hazard {first + i}",
            description=f"Generated hazard description {first + i}.",
            causes=[f"Cause A of {first + i}", f"Cause B of {first + i}"],
            effects=[f"Effect A of {first + i}", f"Effect B of {first + i}"],
            harm="Generated harm.",
            clinical_context="Generated context.",
            status=rng.choice(HazardStatus.values[:3]),
            owner=author,
            raised_by=author,
        )
        for i in range(count)
    ]
    Hazard.objects.bulk_create(hazards, batch_size=BATCH)
    hazards = list(Hazard.objects.filter(product=product, number__gte=first).order_by("number"))
    estimates = []
    for hazard in hazards:
        severity = rng.choice(list(Severity))
        likelihood = rng.choice(list(Likelihood))
        residual_likelihood = Likelihood(max(1, likelihood - rng.randint(0, 2)))
        for stage, lk in ((Stage.INITIAL, likelihood), (Stage.RESIDUAL, residual_likelihood)):
            estimates.append(
                RiskEstimate(
                    hazard=hazard,
                    stage=stage,
                    severity=severity,
                    likelihood=lk,
                    rating=NHS_EXAMPLE_SCHEME.rating(severity, lk),
                    scheme=NHS_EXAMPLE_SCHEME.name,
                    assessed_by=author,
                )
            )
    RiskEstimate.objects.bulk_create(estimates, batch_size=BATCH)
    first_control = product.next_control_number
    controls = [
        Control(
            product=product,
            number=first_control + i,
            description=f"Generated control {first_control + i}",
            kind=rng.choice(ControlKind.values),
            status=rng.choice(ControlStatus.values[:2]),
        )
        for i in range(count * controls_per_hazard)
    ]
    Control.objects.bulk_create(controls, batch_size=BATCH)
    controls = list(
        Control.objects.filter(product=product, number__gte=first_control).order_by("number")
    )
    links = [
        Control.hazards.through(
            control_id=control.pk, hazard_id=hazards[i // controls_per_hazard].pk
        )
        for i, control in enumerate(controls)
    ]
    Control.hazards.through.objects.bulk_create(links, batch_size=BATCH)
    Product.objects.filter(pk=product.pk).update(
        next_hazard_number=first + count, next_control_number=first_control + len(controls)
    )
    product.refresh_from_db()
