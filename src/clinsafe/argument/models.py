"""The safety argument of a product, the snapshot put forward for each release, and the
artefacts (reports, reviews, analyses, CI runs) its evidence points at."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from clinsafe.argument.graph import Argument as Graph
from clinsafe.argument.graph import from_document
from clinsafe.products.models import Product, Release


class Argument(models.Model):
    """One argument per product, kept as the graph document `clinsafe.argument.graph` reads;
    every change goes through `clinsafe.argument.services` and bumps ``revision``."""

    product = models.OneToOneField(Product, on_delete=models.PROTECT, related_name="argument")
    document: models.JSONField[Any] = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1, editable=False)
    # Artefact references are never reused, so the next number is kept here.
    next_artefact_number = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Safety argument for {self.product.name}"

    @property
    def graph(self) -> Graph:
        return from_document(self.document)


class ArgumentSnapshot(models.Model):
    """The argument as the CSO put it forward for a release; the gate checks this copy, and a
    sign-off covers its digest. Taken again while the release is open; frozen after."""

    release = models.OneToOneField(
        Release, on_delete=models.PROTECT, related_name="argument_snapshot"
    )
    document: models.JSONField[Any] = models.JSONField()
    digest = models.CharField(max_length=64)
    argument_revision = models.PositiveIntegerField()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    taken_by_name = models.CharField(max_length=300)
    taken_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Safety argument for {self.release}"

    @property
    def graph(self) -> Graph:
        return from_document(self.document)


class ArtefactKind(models.TextChoices):
    TEST_REPORT = "test_report", "Test report"
    DOCUMENT = "document", "Document"
    ANALYSIS = "analysis", "Analysis"
    REVIEW = "review", "Review"
    CI_RUN = "ci_run", "CI run"
    URL = "url", "Web page (URL)"


class Artefact(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="artefacts")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ArtefactKind.choices)
    location = models.CharField(
        max_length=500, blank=True, help_text="Where it is kept: a URL, a path, a document id."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"],
                name="artefact_reference_unique_per_product",
                violation_error_message="This artefact reference is already used in the product.",
            )
        ]

    @property
    def reference(self) -> str:
        return f"AR-{self.number:03d}"

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ArtefactVersion(models.Model):
    """One version of an artefact: what evidence points at. Its content hash is recorded when
    a file is uploaded; if the content recorded later differs from what was reviewed, or a
    newer version appears, evidence on it is suspect."""

    artefact = models.ForeignKey(Artefact, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(editable=False)
    label = models.CharField(max_length=100, blank=True, help_text="e.g. 2.4 final")
    release = models.ForeignKey(
        Release,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="artefact_versions",
        help_text="The release it applies to; empty when it applies to any.",
    )
    location = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(null=True, editable=False)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    valid_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["artefact", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["artefact", "number"],
                name="artefact_version_unique",
                violation_error_message="This artefact already has a version with this number.",
            )
        ]

    @property
    def reference(self) -> str:
        return f"{self.artefact.reference} v{self.number}"

    def __str__(self) -> str:
        return f"{self.reference} {self.artefact.title}" + (
            f" ({self.label})" if self.label else ""
        )
