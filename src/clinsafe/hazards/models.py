"""The hazard log: hazards, their risk estimates, and the controls that mitigate them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery

from clinsafe.core.formats import person_name
from clinsafe.products.models import Product
from clinsafe.risk import NHS_EXAMPLE_SCHEME, Likelihood, Severity, stated_rating


class HazardStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTROLLED = "controlled", "Controlled"
    ACCEPTED = "accepted", "Accepted"
    TRANSFERRED = "transferred", "Transferred"
    CLOSED = "closed", "Closed"


# Moving a hazard into these statuses must be explained on the record.
STATUSES_NEEDING_REASON = frozenset({HazardStatus.CLOSED, HazardStatus.TRANSFERRED})


class Stage(models.TextChoices):
    INITIAL = "initial", "Initial"
    RESIDUAL = "residual", "Residual"


SEVERITY_CHOICES = [(s.value, s.label) for s in Severity]
LIKELIHOOD_CHOICES = [(lk.value, lk.label) for lk in Likelihood]


class Withdrawable(models.Model):
    """Safety records are never deleted: one entered in error is withdrawn with a reason."""

    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    withdrawn_reason = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Owned(models.Model):
    """A hazard or control: owned by a member, or by someone an imported file names, and
    known by its reference in that file too."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_%(class)ss",
    )
    # The owner as an imported file names them, when they have no account here.
    owner_name = models.CharField("owner as named in the file", max_length=200, blank=True)
    # The record's number in the spreadsheet it came from ("NRL03", "7"), kept beside H-nnn.
    file_reference = models.CharField(
        "reference in the imported file", max_length=100, blank=True, db_index=True
    )

    class Meta:
        abstract = True

    @property
    def owner_label(self) -> str:
        if self.owner is not None:
            return person_name(self.owner)
        return self.owner_name


class HazardQuerySet(models.QuerySet["Hazard"]):
    def with_current_risk(self) -> HazardQuerySet:
        """Annotate the latest estimate of each stage: {stage}_id, _severity, _likelihood,
        _rating."""
        annotations = {}
        for stage in Stage.values:
            latest = RiskEstimate.objects.filter(hazard=OuterRef("pk"), stage=stage).order_by(
                "-assessed_at", "-id"
            )
            for part in ("id", "severity", "likelihood", "rating"):
                annotations[f"{stage}_{part}"] = Subquery(latest.values(part)[:1])
        return self.annotate(**annotations)

    def in_log(self) -> HazardQuerySet:
        """Hazards as the hazard log lists them: not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Hazard(Owned, Withdrawable):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="hazards")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="The hazard itself: a potential source of harm.")
    causes: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    effects: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    harm = models.TextField("potential clinical harm", blank=True)
    clinical_context = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    status_reason = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["product", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"],
                name="hazard_reference_unique_per_product",
                violation_error_message="This hazard reference is already used in the product.",
            )
        ]

    @property
    def reference(self) -> str:
        return f"H-{self.number:03d}"

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class RiskEstimate(models.Model):
    """One assessment of a hazard's risk; re-assessment adds a new one, history stays."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="estimates")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    severity = models.PositiveSmallIntegerField(choices=SEVERITY_CHOICES)
    likelihood = models.PositiveSmallIntegerField(choices=LIKELIHOOD_CHOICES)
    # Derived from severity and likelihood by the scheme, never typed in; stored to filter on.
    rating = models.PositiveSmallIntegerField(editable=False)
    scheme = models.CharField(max_length=100, editable=False)
    rationale = models.TextField(blank=True)
    # The rating an imported file stated for this estimate, as written ("" if none); the
    # rating above is always the matrix's.
    stated_rating = models.CharField(max_length=100, blank=True, editable=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["hazard", "stage", "-assessed_at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Risk estimates are history: re-assess instead of changing one.")
        self.rate()
        super().save(*args, **kwargs)

    def rate(self) -> None:
        """Set the rating the scheme gives the severity and likelihood (saving does this;
        an import's bulk insert calls it itself)."""
        # The plan's declared scheme will be looked up here once plans can declare one.
        scheme = NHS_EXAMPLE_SCHEME
        self.rating = scheme.rating(Severity(self.severity), Likelihood(self.likelihood))
        self.scheme = scheme.name

    @property
    def contradicts_stated(self) -> bool:
        """The imported file stated another rating than the matrix gives."""
        return bool(self.stated_rating) and stated_rating(self.stated_rating) != self.rating

    def __str__(self) -> str:
        return f"{self.get_stage_display()} risk of {self.hazard.reference}: {self.rating}"


class ControlKind(models.TextChoices):
    DESIGN = "design", "Health IT design"
    TESTING = "testing", "Testing"
    TRAINING = "training", "User training"
    BUSINESS_PROCESS = "business_process", "Business process"
    INFORMATION = "information", "Information for safety / labelling"
    TRANSFERRED = "transferred", "Transferred to the deploying organisation"


class ControlOrigin(models.TextChoices):
    EXISTING = "existing", "Existing"
    ADDITIONAL = "additional", "Additional"


class ControlStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    IMPLEMENTED = "implemented", "Implemented"
    VERIFIED = "verified", "Verified"


class Control(Owned, Withdrawable):
    """A measure that reduces risk; one control may mitigate several hazards of a product."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="controls")
    number = models.PositiveIntegerField(editable=False)
    description = models.TextField()
    kind = models.CharField(max_length=20, choices=ControlKind.choices)
    origin = models.CharField(
        max_length=12, choices=ControlOrigin.choices, default=ControlOrigin.ADDITIONAL
    )
    status = models.CharField(
        max_length=12, choices=ControlStatus.choices, default=ControlStatus.PROPOSED
    )
    verification_evidence = models.TextField(blank=True)
    verification_link = models.URLField(max_length=500, blank=True)
    hazards = models.ManyToManyField(Hazard, related_name="controls", blank=True)

    class Meta:
        ordering = ["product", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"],
                name="control_reference_unique_per_product",
                violation_error_message="This control reference is already used in the product.",
            )
        ]

    @property
    def reference(self) -> str:
        return f"C-{self.number:03d}"

    def __str__(self) -> str:
        first_line = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return f"{self.reference} {first_line[:80]}"
