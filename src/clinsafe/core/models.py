"""Organisations and who belongs to them, in which role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from clinsafe.core.formats import long_date
from clinsafe.core.regulators import OTHER, REGULATORS
from clinsafe.risk.acceptance import AcceptancePolicy

REGULATOR_CHOICES = [
    (r.code, f"{r.code} – {r.name}" if r.code != OTHER else r.name) for r in REGULATORS.values()
]


class OrganisationKind(models.TextChoices):
    MANUFACTURER = "manufacturer", "Manufacturer (DCB0129)"
    HEALTH_ORGANISATION = "health_organisation", "Health organisation (DCB0160)"
    BOTH = "both", "Manufacturer and health organisation"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    # Ratings this organisation makes harder to accept than DCB0129, e.g. {"3": "executive"};
    # read through `acceptance_policy`, which refuses anything looser.
    stricter_acceptance: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def acceptance_policy(self) -> AcceptancePolicy:
        return AcceptancePolicy.stricter(self.stricter_acceptance)


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


class ProfessionalRegistration(models.Model):
    """A clinician's registration with their regulator: what makes them a registered clinician."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registration"
    )
    regulator = models.CharField(max_length=8, choices=REGULATOR_CHOICES)
    other_regulator_name = models.CharField(
        max_length=200, blank=True, help_text="The regulator's name, when it is not listed."
    )
    profession = models.CharField(max_length=100, help_text="e.g. Doctor, Nurse, Pharmacist.")
    number = models.CharField(max_length=50)
    last_confirmed_on = models.DateField(help_text="When the register was last checked.")
    expires_on = models.DateField(null=True, blank=True, help_text="Revalidation or renewal date.")
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.regulator_name} {self.number}"

    @property
    def regulator_name(self) -> str:
        return self.other_regulator_name if self.regulator == OTHER else self.regulator


class Training(models.Model):
    """Clinical risk management training completed by a person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainings"
    )
    course = models.CharField(max_length=200)
    completed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return f"{self.course} ({long_date(self.completed_on)})"


class AppointmentRole(models.TextChoices):
    CSO = "cso", "Clinical Safety Officer"
    DEPUTY = "deputy_cso", "Deputy Clinical Safety Officer"


class CSOAppointment(models.Model):
    """Names a person as (deputy) CSO of one product, or of the whole organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="appointments"
    )
    product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        help_text="Leave empty for every product of the organisation.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    role = models.CharField(max_length=12, choices=AppointmentRole.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    protected_hours_per_week = models.DecimalField(
        max_digits=4, decimal_places=1, help_text="Time set aside for clinical safety work."
    )
    can_block_release = models.BooleanField(
        default=False, help_text="Whether the appointment grants authority to block a release."
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="appointment_ends_after_it_starts",
                violation_error_message="An appointment cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(protected_hours_per_week__gte=0)
                & models.Q(protected_hours_per_week__lte=80),
                name="appointment_hours_in_range",
                violation_error_message="Protected hours per week must be between 0 and 80.",
            ),
        ]

    def __str__(self) -> str:
        scope = self.product.name if self.product else f"all of {self.organisation.name}"
        return f"{self.get_role_display()} for {scope}: {self.user.get_full_name() or self.user}"


class LoginFailure(models.Model):
    """A failed password login, counted to throttle guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} at {self.at}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for, e.g. CI pipeline.")
    prefix = models.CharField(max_length=8, help_text="The first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Notification(models.Model):
    """Something a person must know about, e.g. that a release went out over their block."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"To {self.recipient}: {self.message[:60]}"
