"""Products under clinical risk management."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from clinsafe.core.models import Organisation


class LifecycleStatus(models.TextChoices):
    IN_DEVELOPMENT = "in_development", "In development"
    LIVE = "live", "Live"
    BEING_RETIRED = "being_retired", "Being retired"
    DECOMMISSIONED = "decommissioned", "Decommissioned"


# Taken by pages under /products/ that are not products.
RESERVED_SLUGS = frozenset({"new"})


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"The slug '{value}' is reserved; choose another.", code="reserved")


class MedicalDevice(models.TextChoices):
    """Whether the product is a medical device under the UK Medical Devices Regulations 2002
    (DTAC C1.1.1 and C1.1.2): the manufacturer's regulatory decision, recorded here."""

    UNDECIDED = "", "Not yet decided"
    NOT_A_DEVICE = "not_a_device", "Not a medical device"
    HAS_DEVICE_COMPONENT = "component", "A component of it is a medical device"
    STANDALONE = "standalone", "It is a standalone medical device"


class Product(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        "web address name", max_length=80, unique=True, validators=[validate_slug_not_reserved]
    )
    intended_use = models.TextField(blank=True)
    care_settings = models.TextField(blank=True, help_text="Where it is used, e.g. acute wards.")
    intended_users = models.TextField(blank=True, help_text="Who uses it, e.g. prescribers.")
    patient_groups = models.TextField(blank=True, help_text="Whose care it touches.")
    third_party_products = models.TextField(
        blank=True, help_text="Products from other makers it uses or connects to, one a line."
    )
    lifecycle_status = models.CharField(
        max_length=20, choices=LifecycleStatus.choices, default=LifecycleStatus.IN_DEVELOPMENT
    )
    medical_device = models.CharField(
        "medical device status", max_length=20, choices=MedicalDevice.choices, blank=True
    )
    # Hazard and control references are never reused, so the next number is kept here.
    next_hazard_number = models.PositiveIntegerField(default=1, editable=False)
    next_control_number = models.PositiveIntegerField(default=1, editable=False)
    next_incident_number = models.PositiveIntegerField(default=1, editable=False)
    next_change_number = models.PositiveIntegerField(default=1, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReleaseStage(models.TextChoices):
    """Where a release is in its life; the gate decides approved or blocked while in review."""

    PLANNING = "planning", "Planning"
    IN_SAFETY_REVIEW = "in_safety_review", "In safety review"
    RELEASED = "released", "Released"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReleaseStatus(models.TextChoices):
    """What a person is told about a release, one meaning each: where the gate stands while
    the release is open, else its stage. Released stays released, whatever changes later."""

    PLANNING = "planning", "Planning"
    RULES_NOT_MET = "rules_not_met", "Rules not met"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting sign-off"
    SIGN_OFF_STALE = "sign_off_stale", "Sign-off out of date"
    BLOCKED_BY_CSO = "blocked_by_cso", "Blocked by the CSO"
    APPROVED = "approved", "Approved"
    RELEASED = "released", "Released"
    WITHDRAWN = "withdrawn", "Withdrawn"


class HazardChange(models.TextChoices):
    ADDS = "adds", "Adds"
    CHANGES = "changes", "Changes"
    AFFECTS = "affects", "Affects"


validate_release_version = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._+-]*$",
    "A release version is letters, digits, dots, hyphens, underscores or plus signs, "
    "starting with a letter or digit (e.g. 2.4.0 or 2025.11-rc1).",
)


class Release(models.Model):
    """A version of a product to be shipped, with the configuration DCB0129 asks to record."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="releases")
    version = models.CharField(max_length=60, validators=[validate_release_version])
    planned_on = models.DateField(null=True, blank=True)
    stage = models.CharField(
        max_length=20, choices=ReleaseStage.choices, default=ReleaseStage.PLANNING
    )
    summary = models.TextField("summary of changes", blank=True)
    build_identifier = models.CharField(max_length=200, blank=True)
    components: models.JSONField[Any] = models.JSONField(
        default=dict, blank=True, help_text="Component name to version."
    )
    safety_settings: models.JSONField[Any] = models.JSONField(
        default=dict, blank=True, help_text="Safety-relevant setting to its value."
    )
    hazards = models.ManyToManyField(
        "hazards.Hazard", through="ReleaseHazard", related_name="releases", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    withdrawn_reason = models.TextField(blank=True, editable=False)
    # Frozen when released: what was signed and the decision, as issued.
    issued_snapshot: models.JSONField[Any] = models.JSONField(null=True, editable=False)
    issued_gate: models.JSONField[Any] = models.JSONField(null=True, editable=False)
    # Optimistic locking, as `version` is on other records (here `version` is the release's).
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version"],
                name="release_version_unique_per_product",
                violation_error_message="This product already has a release with this version.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.version}"

    @property
    def is_closed(self) -> bool:
        return self.stage in (ReleaseStage.RELEASED, ReleaseStage.WITHDRAWN)


class ReleaseHazard(models.Model):
    """A hazard the release adds, changes or affects."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="hazard_links")
    hazard = models.ForeignKey("hazards.Hazard", on_delete=models.PROTECT, related_name="+")
    change = models.CharField(max_length=10, choices=HazardChange.choices)

    class Meta:
        ordering = ["hazard__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "hazard"],
                name="release_hazard_once",
                violation_error_message="The hazard is already listed for this release.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.get_change_display().lower()} {self.hazard}"


class ChangeKind(models.TextChoices):
    RELEASE = "release", "New release"
    CONFIGURATION = "configuration", "Configuration change"
    INTEGRATION = "integration", "Integration change"
    INFRASTRUCTURE = "infrastructure", "Infrastructure change"
    DECOMMISSIONING = "decommissioning", "Decommissioning"


class ChangeSource(models.TextChoices):
    WEB = "web", "Proposed on the web"
    API = "api", "Proposed through the API"


class DecommissioningTopic(models.TextChoices):
    """What retiring a product must answer for, each with a hazard in the log."""

    DATA_RETENTION = "data_retention", "Data retention"
    HISTORIC_ACCESS = "historic_access", "Access to historic records"
    SUCCESSOR = "successor", "Transition to a successor"


class Change(models.Model):
    """A change to a product after go-live, and the CSO's assessment of its safety impact."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="changes")
    number = models.PositiveIntegerField(editable=False)
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True, help_text="Where the change is tracked.")
    components: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    built_on = models.DateField(null=True, blank=True, help_text="When the change was built.")
    source = models.CharField(max_length=10, choices=ChangeSource.choices, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    # The safety impact assessment, by the CSO.
    hazards = models.ManyToManyField(
        "hazards.Hazard", through="ChangeHazard", related_name="changes", blank=True
    )
    new_hazards = models.BooleanField(null=True, blank=True, editable=False)
    alters_clinical_risk = models.BooleanField(null=True, blank=True, editable=False)
    conclusion = models.TextField(blank=True, editable=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    assessed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"],
                name="change_reference_unique_per_product",
                violation_error_message="This change reference is already used in the product.",
            )
        ]

    @property
    def reference(self) -> str:
        return f"CH-{self.number:03d}"

    @property
    def is_assessed(self) -> bool:
        return self.assessed_at is not None

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ChangeHazard(models.Model):
    """A hazard a change touches; for decommissioning, the topic it answers for."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="hazard_links")
    hazard = models.ForeignKey("hazards.Hazard", on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=20, choices=DecommissioningTopic.choices, blank=True)

    class Meta:
        ordering = ["hazard__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "hazard", "topic"],
                name="change_hazard_once",
                violation_error_message="The hazard is already linked to this change.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.change.reference} touches {self.hazard.reference}"


def decommissioning_gaps(product: Product) -> list[str]:
    """The decommissioning topics no assessed decommissioning change answers with a hazard."""
    answered = set(
        ChangeHazard.objects.filter(
            change__product=product,
            change__kind=ChangeKind.DECOMMISSIONING,
            change__assessed_at__isnull=False,
        ).values_list("topic", flat=True)
    )
    return [t.label for t in DecommissioningTopic if t.value not in answered]
