"""The safety incident management log: incidents after go-live, their triage against the
hazard log, investigation, and corrective and preventive actions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from clinsafe.core.models import Organisation
from clinsafe.hazards.models import Control, Hazard, RiskEstimate
from clinsafe.products.models import Product, Release


class Harm(models.TextChoices):
    """The NHS patient-safety levels of harm."""

    NONE = "none", "No harm"
    LOW = "low", "Low harm"
    MODERATE = "moderate", "Moderate harm"
    SEVERE = "severe", "Severe harm"
    DEATH = "death", "Death"


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", "Awaiting triage"
    INVESTIGATING = "investigating", "Under investigation"
    CLOSED = "closed", "Closed"


class Finding(models.TextChoices):
    HAZARD_REALISED = "hazard_realised", "An identified hazard was realised"
    CONTROL_FAILED = "control_failed", "A control failed"
    NEW_HAZARD = "new_hazard", "A new hazard appeared"
    NOT_A_HAZARD = "not_a_hazard", "No clinical safety hazard was involved"


class ExternalBody(models.TextChoices):
    MHRA = "mhra", "MHRA (Yellow Card)"
    LFPSE = "lfpse", "Learn from Patient Safety Events (LFPSE)"
    OTHER = "other", "Another body"


class Incident(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="incidents")
    number = models.PositiveIntegerField(editable=False)
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    deployment = models.CharField(
        max_length=200, blank=True, help_text="Where it is deployed, e.g. the site or ward."
    )
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="What happened.")
    detail = models.TextField(blank=True)
    occurred_on = models.DateField()
    reported_on = models.DateField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    reporting_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False
    )
    patient_affected = models.BooleanField()
    reported_harm = models.CharField(max_length=10, choices=Harm.choices)
    status = models.CharField(
        max_length=15, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    # Triage, by a CSO or clinical reviewer.
    actual_harm = models.CharField(max_length=10, choices=Harm.choices, blank=True)
    finding = models.CharField(max_length=20, choices=Finding.choices, blank=True)
    triage_notes = models.TextField(blank=True)
    hazards = models.ManyToManyField(
        Hazard, through="IncidentHazard", related_name="incidents", blank=True
    )
    failed_controls = models.ManyToManyField(Control, related_name="failures", blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    external_report_required = models.BooleanField(null=True, blank=True)
    external_body = models.CharField(max_length=10, choices=ExternalBody.choices, blank=True)
    external_reference = models.CharField(max_length=100, blank=True)
    externally_reported_on = models.DateField(null=True, blank=True)
    # Investigation and closure.
    root_cause = models.TextField(blank=True)
    contributory_factors: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    findings = models.TextField(blank=True)
    learning = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # An incident at a deployment, forwarded to the supplier's log as this incident.
    forwarded_to = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwarded_from",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"],
                name="incident_reference_unique_per_product",
                violation_error_message="This incident reference is already used in the product.",
            )
        ]

    @property
    def reference(self) -> str:
        return f"I-{self.number:03d}"

    @property
    def harm(self) -> str:
        """The harm as triaged, or as reported until then."""
        return self.actual_harm or self.reported_harm

    def get_harm_display(self) -> str:
        return Harm(self.harm).label

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class IncidentHazardQuerySet(models.QuerySet["IncidentHazard"]):
    def awaiting_reassessment(self) -> QuerySet[IncidentHazard]:
        """Links whose hazard must be re-assessed and has no risk estimate since the link."""
        since = RiskEstimate.objects.filter(
            hazard=OuterRef("hazard"), assessed_at__gt=OuterRef("linked_at")
        )
        return self.filter(reassessment_required=True).exclude(Exists(since))


class IncidentHazard(models.Model):
    """A hazard the incident realised (or raised); whether its risk must be re-assessed."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="hazard_links")
    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="incident_links")
    reassessment_required = models.BooleanField()
    linked_at = models.DateTimeField(default=timezone.now)

    objects = IncidentHazardQuerySet.as_manager()

    class Meta:
        ordering = ["hazard__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "hazard"],
                name="incident_hazard_once",
                violation_error_message="The hazard is already linked to this incident.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident.reference} realised {self.hazard.reference}"


class ActionKind(models.TextChoices):
    CORRECTIVE = "corrective", "Corrective"
    PREVENTIVE = "preventive", "Preventive"


class CorrectiveAction(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=12, choices=ActionKind.choices)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    outcome = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} action on {self.incident.reference}"
