"""What a deploying organisation receives from its suppliers (DCB0160)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from clinsafe.core.formats import long_date
from clinsafe.core.models import Organisation
from clinsafe.gate.models import Signed


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
    # The supplier's product, when the supplier keeps its records on this clinsafe and this
    # clinsafe issued the bundle: the one link incidents are reported to the supplier along.
    supplier_product = models.ForeignKey(
        "products.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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

    @property
    def prefix(self) -> str:
        """The mark the supplier's references carry here, so its H-003 (MF:H-003) is never
        taken for the deployment's own H-003: the capitals of the product's first word
        (MedsFlow: MF), or else its first two letters."""
        word = "".join(c for c in (self.product_name.split() or ["X"])[0] if c.isalnum())
        capitals = [c for c in word if c.isupper()]
        return "".join(capitals[:3]) if len(capitals) >= 2 else word[:2].upper()

    def reference(self, reference: str) -> str:
        """A supplier's reference as the deploying side shows it: MF:H-003."""
        return f"{self.prefix}:{reference}"


class Deployment(models.Model):
    """A health organisation's deployment of a product version, its own safety subject under
    DCB0160. Its local safety record is a product of the deploying organisation (``record``):
    the local hazard log, plan, CSO appointment, changes, incidents, go-live and upgrades use
    the same records and gate as any product's. The supplier's side is the bundle it rests on,
    read-only."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="deployments"
    )
    record = models.OneToOneField(
        "products.Product", on_delete=models.PROTECT, related_name="deployment"
    )
    bundle = models.ForeignKey(
        SupplierBundle,
        on_delete=models.PROTECT,
        related_name="deployments",
        help_text="The supplier's bundle of the version deployed.",
    )
    site = models.CharField("site or service", max_length=200)
    operating_environment = models.TextField(
        help_text="Where and how it runs locally: hosting, devices, integrations, networks."
    )
    go_live_on = models.DateField("planned go-live date")
    review_interval_months = models.PositiveSmallIntegerField(
        "months between in-use reviews", default=12
    )
    # Decommissioning, recorded once the local CSO has assessed it as a change.
    decommissioned_on = models.DateField(null=True, blank=True, editable=False)
    successor = models.TextField(blank=True, editable=False)
    data_migration = models.TextField(blank=True, editable=False)
    historic_access = models.TextField(blank=True, editable=False)
    final_report = models.OneToOneField(
        "reports.IssuedDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["organisation", "site", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_interval_months__gte=1)
                & models.Q(review_interval_months__lte=36),
                name="deployment_review_interval_in_range",
                violation_error_message="In-use reviews are between 1 and 36 months apart.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.bundle.product_name} at {self.site}"


class TransferDecisionKind(models.TextChoices):
    ACCEPTED = "accepted", "Accepted and implemented locally"
    REJECTED = "rejected", "Rejected"


class TransferDecision(models.Model):
    """The local CSO's decision on a control the supplier transferred to the deploying
    organisation. It stands while the supplier's control reads as it did (``control``); a
    rejection raises a local hazard to control instead."""

    deployment = models.ForeignKey(Deployment, on_delete=models.PROTECT, related_name="transfers")
    control_reference = models.CharField(max_length=20)
    control: models.JSONField[Any] = models.JSONField(help_text="The control as decided on.")
    bundle = models.ForeignKey(SupplierBundle, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=TransferDecisionKind.choices)
    implementation = models.TextField(blank=True, help_text="How it is implemented, by whom.")
    reasons = models.TextField(blank=True, help_text="Why it is rejected.")
    local_hazard = models.ForeignKey(
        "hazards.Hazard", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["deployment", "control_reference", "-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.control_reference} {self.get_decision_display().lower()}"


class AssuranceConclusion(models.TextChoices):
    SUFFICIENT = "sufficient", "The supplier's evidence is sufficient"
    WITH_CONDITIONS = "conditions", "Sufficient, with local conditions"
    INSUFFICIENT = "insufficient", "Insufficient: go-live cannot rest on it"


class AssuranceReview(models.Model):
    """The local CSO's review of a supplier bundle's assurance checks."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="assurance_reviews"
    )
    bundle = models.ForeignKey(SupplierBundle, on_delete=models.PROTECT, related_name="+")
    conclusion = models.CharField(max_length=15, choices=AssuranceConclusion.choices)
    comment = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_name = models.CharField(max_length=300)
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.bundle} reviewed by {self.reviewer_name}"


class ResidualRiskAcceptance(Signed):
    """The deploying organisation's accountable executive accepts the deployment's listed
    residual risks; stale once the list changes."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="risk_acceptances"
    )

    class Meta(Signed.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.deployment} residual risks accepted by {self.signer_name}"


class InUseReview(models.Model):
    """A scheduled review of the deployment in use, with its issued report."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="in_use_reviews"
    )
    held_on = models.DateField()
    findings = models.TextField()
    continue_use = models.BooleanField(help_text="Whether the deployment may stay in use.")
    report = models.OneToOneField(
        "reports.IssuedDocument", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"In-use review of {self.deployment} on {long_date(self.held_on)}"
