"""Records the CSO health check reads besides the hazard log and the gate: time the CSO
spends, and the scheduled reviews of the clinical risk management process."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clinsafe.core.formats import long_date
from clinsafe.core.models import Organisation


class TimeRecord(models.Model):
    """Hours a (deputy) CSO spent on clinical safety in a week, as they record it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    week_starting = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=1)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_starting", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=80),
                name="time_record_hours_in_range",
                violation_error_message="Hours in a week must be more than 0 and at most 80.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hours} h in the week of {long_date(self.week_starting)}"


class ProcessReview(models.Model):
    """A scheduled review of the organisation's clinical risk management process."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="process_reviews"
    )
    held_on = models.DateField()
    findings = models.TextField()
    next_due_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_due_on__gt=models.F("held_on")),
                name="process_review_next_after_held",
                violation_error_message="The next review must be due after this one was held.",
            )
        ]

    def __str__(self) -> str:
        return f"Process review of {long_date(self.held_on)}"
