"""Issued documents, compliance assessments and plan approvals, and hazard-log imports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from clinsafe.core.formats import person_name
from clinsafe.gate.models import Signed, SignOff
from clinsafe.hazards.models import Hazard, RiskEstimate
from clinsafe.products.models import Product, Release


class DocumentKind(models.TextChoices):
    SAFETY_CASE_REPORT = "safety-case-report", "Clinical Safety Case Report"
    HAZARD_LOG = "hazard-log", "Hazard Log"
    PLAN = "risk-management-plan", "Clinical Risk Management Plan"
    IN_USE_REVIEW = "in-use-review", "In-use Safety Review Report"
    DECOMMISSIONING = "decommissioning-report", "Decommissioning Safety Report"


class IssuedDocument(models.Model):
    """A document as issued: the file kept byte for byte with its SHA-256, whatever changes
    in the records afterwards."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="issued_documents")
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.PROTECT, related_name="issued_documents"
    )
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    document_version = models.PositiveIntegerField()
    filename = models.CharField(max_length=300)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_by_name = models.CharField(max_length=300)

    class Meta:
        ordering = ["product", "kind", "-document_version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "kind", "document_version"],
                name="issued_document_version_once",
                violation_error_message="This document version has already been issued.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} version {self.document_version} ({self.product})"


class IssuingState(models.TextChoices):
    QUEUED = "queued", "Being issued"
    ISSUED = "issued", "Issued"
    FAILED = "failed", "Issuing failed"
    SUPERSEDED = "superseded", "Not issued: the records changed after the sign-off"


class DocumentIssuing(models.Model):
    """Issuing a signed-off release's documents, after the sign-off commits: the signature
    does not wait for the PDFs. The worker builds them; a failure is kept with its reason and
    retried, up to MAX_ATTEMPTS, then shown for the CSO to try again."""

    MAX_ATTEMPTS = 3

    sign_off = models.OneToOneField(SignOff, on_delete=models.PROTECT, related_name="issuing")
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="issuings")
    state = models.CharField(max_length=20, choices=IssuingState.choices, default="queued")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"Documents of {self.release}: {self.get_state_display().lower()}"

    @property
    def waiting(self) -> bool:
        return self.state == IssuingState.QUEUED


class ComplianceStatus(models.TextChoices):
    COMPLIANT = "compliant", "Compliant"
    PARTLY = "partly", "Partly compliant"
    NOT_COMPLIANT = "not_compliant", "Not compliant"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ComplianceAssessment(models.Model):
    """A release's clause-by-clause self-assessment against DCB0129."""

    release = models.OneToOneField(Release, on_delete=models.PROTECT, related_name="compliance")
    # Clause to {"status": ComplianceStatus, "evidence": text}.
    answers: models.JSONField[Any] = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1, editable=False)
    # An assessment answered against clinsafe's earlier 21-row list keeps those answers as
    # they stood, and a note of which clause of DCB0129 v4.2 each was carried to.
    earlier_answers: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    renumbering_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"DCB0129 compliance assessment of {self.release}"


class ComplianceSignature(Signed):
    """The CSO signs the assessment's answers as they stood; stale once they change."""

    assessment = models.ForeignKey(
        ComplianceAssessment, on_delete=models.PROTECT, related_name="signatures"
    )

    class Meta(Signed.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.assessment} signed by {self.signer_name}"


class PlanApproval(Signed):
    """The CSO approves a version of the product's Clinical Risk Management Plan. The
    snapshot is the plan's basis (CSO appointment, intended use, risk scheme): when that
    changes the plan is out of date and the next version is queued."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="plan_approvals")
    plan_version = models.PositiveIntegerField()

    class Meta(Signed.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["product", "plan_version"],
                name="plan_version_approved_once",
                violation_error_message="This plan version has already been approved.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} plan version {self.plan_version} approved by {self.signer_name}"


class HazardLogImport(models.Model):
    """A spreadsheet hazard log taken into a product, and what came of each row."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="log_imports")
    filename = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    summary: models.JSONField[Any] = models.JSONField(default=dict)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} into {self.product}"


class RatingMismatch(models.Model):
    """A rating an imported file stated that the matrix does not give: kept on its estimate
    (``RiskEstimate.stated_rating``), shown to the CSO on the hazard and in the exports,
    never overwritten silently, until the CSO records a decision on it."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="rating_mismatches")
    estimate = models.OneToOneField(
        RiskEstimate, null=True, on_delete=models.PROTECT, related_name="mismatch"
    )
    log_import = models.ForeignKey(
        HazardLogImport, on_delete=models.PROTECT, related_name="mismatches"
    )
    stage = models.CharField(max_length=10)
    row = models.PositiveIntegerField()
    stated = models.CharField(max_length=100)
    computed = models.PositiveSmallIntegerField()
    decision = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["hazard", "stage"]

    @property
    def open(self) -> bool:
        return self.decided_at is None

    @property
    def decided_by_name(self) -> str:
        who = self.decided_by
        return person_name(who)

    def __str__(self) -> str:
        return f"{self.hazard.reference} {self.stage}: stated {self.stated}, matrix {self.computed}"


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded, not yet imported"
    QUEUED = "queued", "Waiting to be imported"
    RUNNING = "running", "Being imported"
    IMPORTED = "imported", "Imported"
    REFUSED = "refused", "Refused: nothing imported"
    FAILED = "failed", "Failed: nothing imported"


class ImportJob(models.Model):
    """A spreadsheet on its way into a product's hazard log: kept on the server from upload
    to import, so the preview, the mapping and the import read the same bytes, and the
    import runs in the background with its progress and outcome on record."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="import_jobs")
    filename = models.CharField(max_length=300)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    mapping: models.JSONField[Any] = models.JSONField(null=True, blank=True)
    number_by_file = models.BooleanField(default=False)
    import_sound = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=ImportState.choices, default="uploaded")
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    log_import = models.OneToOneField(
        HazardLogImport, null=True, blank=True, on_delete=models.PROTECT, related_name="job"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} for {self.product}"

    @property
    def in_progress(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)
