"""What a deploying organisation receives from its suppliers (DCB0160)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from clinsafe.core.models import Organisation


class SupplierBundle(models.Model):
    """A supplier's bundle for one product version, as received: kept whole and read-only,
    the supplier's record of that version in the deploying organisation's account."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="supplier_bundles"
    )
    supplier_name = models.CharField(max_length=200)
    supplier_slug = models.CharField(max_length=80)
    product_name = models.CharField(max_length=200)
    product_slug = models.CharField(max_length=80)
    release_version = models.CharField(max_length=60)
    content: models.JSONField[Any] = models.JSONField()
    sha256 = models.CharField(max_length=64, help_text="Of the file as received.")
    # The bundle for the same supplier product received before this one.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sha256"],
                name="supplier_bundle_received_once",
                violation_error_message="This bundle has already been imported.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier_name} {self.product_name} {self.release_version}"
