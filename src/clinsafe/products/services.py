"""Use cases for product records."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from clinsafe.audit.models import EventType
from clinsafe.audit.services import record_event
from clinsafe.core.models import Organisation
from clinsafe.core.permissions import Action, Actor, require, visible_organisations
from clinsafe.core.records import apply_changes, lock_for_edit
from clinsafe.products.models import LifecycleStatus, Product, decommissioning_gaps

EDITABLE_FIELDS = (
    "name",
    "intended_use",
    "care_settings",
    "intended_users",
    "patient_groups",
    "third_party_products",
    "lifecycle_status",
    "medical_device",
)


def create_product(
    *, actor: Actor, organisation: Organisation, name: str, slug: str, **fields: Any
) -> Product:
    """Put a product under clinical risk management in ``organisation``."""
    actor = require(actor, Action.EDIT_PRODUCT, organisation)
    _refuse_unknown(fields)
    product = Product(organisation=organisation, name=name, slug=slug, **fields)
    product.full_clean()
    with transaction.atomic():
        product.save()
        record_event(
            EventType.PRODUCT_CREATED,
            actor=actor,
            subject=product,
            organisation=organisation,
            data={"name": name, "slug": slug, **fields},
        )
    return product


def edit_product(*, actor: Actor, product: Product, version: int | None, **changes: Any) -> Product:
    """Change a product's description; refused if someone changed it since ``version``."""
    actor = require(actor, Action.EDIT_PRODUCT, product.organisation)
    _refuse_unknown(changes)
    with transaction.atomic():
        product = lock_for_edit(product, version)
        before = product.lifecycle_status
        diff = apply_changes(product, changes)
        if not diff:
            return product
        _check_decommissioning(before, product)
        product.full_clean()
        product.version += 1
        product.save()
        record_event(
            EventType.PRODUCT_EDITED,
            actor=actor,
            subject=product,
            organisation=product.organisation,
            data={"changes": diff},
        )
    return product


def _check_decommissioning(before: str, product: Product) -> None:
    decommissioned = LifecycleStatus.DECOMMISSIONED
    if product.lifecycle_status != decommissioned or before == decommissioned:
        return
    gaps = decommissioning_gaps(product)
    if gaps:
        raise ValidationError(
            {
                "lifecycle_status": "Before the product is decommissioned, the CSO assesses a "
                "decommissioning change naming its hazards for: "
                + ", ".join(g.lower() for g in gaps)
                + "."
            }
        )


def next_number(product: Product, counter: str, count: int = 1) -> int:
    """Take the next never-used number of a product's references (H-, C-, I-, CH-), or the
    first of the next ``count``; called inside the transaction that saves the records, so a
    rollback leaves no gap taken."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    number = getattr(locked, counter)
    Product.objects.filter(pk=product.pk).update(**{counter: number + count})
    return int(number)


def claim_numbers(product: Product, counter: str, numbers: list[int]) -> None:
    """Numbers given rather than taken (a hazard log numbered by its file): the counter
    moves past the highest, so a number taken later is never one of them. The records'
    unique constraint refuses a number already used."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    highest = max(numbers, default=0)
    if highest >= getattr(locked, counter):
        Product.objects.filter(pk=product.pk).update(**{counter: highest + 1})


def _refuse_unknown(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}.")


def visible_products(user: Actor) -> QuerySet[Product]:
    """Products of the organisations ``user`` belongs to."""
    return Product.objects.filter(organisation__in=visible_organisations(user)).select_related(
        "organisation"
    )
