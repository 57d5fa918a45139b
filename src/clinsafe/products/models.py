"""Products under clinical risk management."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from clinsafe.core.models import Organisation


class LifecycleStatus(models.TextChoices):
    IN_DEVELOPMENT = "in_development", "In development"
    LIVE = "live", "Live"
    BEING_RETIRED = "being_retired", "Being retired"
    DECOMMISSIONED = "decommissioned", "Decommissioned"


# Taken by pages under /products/ that are not products.
RESERVED_SLUGS = frozenset({"new"})


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"The slug '{value}' is reserved; choose another.", code="reserved")


class Product(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_slug_not_reserved])
    intended_use = models.TextField(blank=True)
    care_settings = models.TextField(blank=True, help_text="Where it is used, e.g. acute wards.")
    intended_users = models.TextField(blank=True, help_text="Who uses it, e.g. prescribers.")
    patient_groups = models.TextField(blank=True, help_text="Whose care it touches.")
    lifecycle_status = models.CharField(
        max_length=20, choices=LifecycleStatus.choices, default=LifecycleStatus.IN_DEVELOPMENT
    )
    # Hazard and control references are never reused, so the next number is kept here.
    next_hazard_number = models.PositiveIntegerField(default=1, editable=False)
    next_control_number = models.PositiveIntegerField(default=1, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
