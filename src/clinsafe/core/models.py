"""Organisations and who belongs to them, in which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OrganisationKind(models.TextChoices):
    MANUFACTURER = "manufacturer", "Manufacturer (DCB0129)"
    HEALTH_ORGANISATION = "health_organisation", "Health organisation (DCB0160)"
    BOTH = "both", "Manufacturer and health organisation"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CSO = "cso", "Clinical Safety Officer"
    DEPUTY_CSO = "deputy_cso", "Deputy Clinical Safety Officer"
    REVIEWER = "reviewer", "Clinical reviewer"
    ENGINEER = "engineer", "Engineer"
    EXECUTIVE = "executive", "Accountable executive"
    VIEWER = "viewer", "Viewer / assessor"
    ADMIN = "admin", "Organisation admin"


class Membership(models.Model):
    """One role a person holds in an organisation; a person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_role",
                violation_error_message="This person already holds that role here.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"
