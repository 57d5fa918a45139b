"""The audit trail: one append-only event per change to a safety record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class EventType(models.TextChoices):
    PRODUCT_CREATED = "product.created", "Product created"
    PRODUCT_EDITED = "product.edited", "Product edited"
    HAZARD_RAISED = "hazard.raised", "Hazard raised"
    HAZARD_EDITED = "hazard.edited", "Hazard edited"
    HAZARD_STATUS_CHANGED = "hazard.status_changed", "Hazard status changed"
    HAZARD_WITHDRAWN = "hazard.withdrawn", "Hazard withdrawn"
    RISK_ASSESSED = "risk.assessed", "Risk assessed"
    CONTROL_ADDED = "control.added", "Control added"
    CONTROL_EDITED = "control.edited", "Control edited"
    CONTROL_LINKED = "control.linked", "Control linked to hazard"
    CONTROL_UNLINKED = "control.unlinked", "Control unlinked from hazard"
    CONTROL_WITHDRAWN = "control.withdrawn", "Control withdrawn"


class AuditEvent(models.Model):
    """Names are copied as text so the record outlives the people and things it describes."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=300)
    organisation = models.ForeignKey(
        "core.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    subject_label = models.CharField(max_length=300)
    data: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()}: {self.subject_label} by {self.actor_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit events are append-only and cannot be deleted.")
