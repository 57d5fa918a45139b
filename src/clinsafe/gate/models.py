"""Signatures on the way to a release: risk acceptances, sign-offs, blocks and overrides,
and the lighter records around them (hazard reviews, escalations)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from clinsafe.audit.chain import digest
from clinsafe.audit.seals import Sealed
from clinsafe.hazards.models import Hazard
from clinsafe.products.models import Release


class Signed(Sealed):
    """An electronic signature: who, in what role, when, meaning what, over which snapshot.

    The signer re-entered their password to make it. It is never changed afterwards; a
    signature whose snapshot no longer matches the records is stale, not edited.
    """

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=300)
    signer_role = models.CharField(max_length=100)
    meaning = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    statement = models.TextField()
    snapshot: models.JSONField[Any] = models.JSONField()
    snapshot_hash = models.CharField(max_length=64)

    # Fields a record may still change after signing (a block's lifting); never the signature.
    MUTABLE_FIELDS: frozenset[str] = frozenset()

    class Meta(Sealed.Meta):
        abstract = True
        ordering = ["-signed_at", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            self.pk is not None
            and not set(kwargs.get("update_fields") or ["*"]) <= self.MUTABLE_FIELDS
        ):
            raise ValueError("A signature is never changed once made.")
        super().save(*args, **kwargs)

    def twins(self) -> models.QuerySet[Any]:
        """Signatures of this kind on the same record, still standing (a lifted block is
        not one): what a second signing of the same thing would duplicate."""
        same = {
            f.attname: getattr(self, f.attname)
            for f in self._meta.concrete_fields
            if f.is_relation and f.attname != "signer_id"
        }
        return type(self)._default_manager.filter(**same)

    def problem(self) -> str:
        if digest(self.snapshot) != self.snapshot_hash:
            return "its snapshot no longer hashes to the hash that was signed"
        return super().problem()


class AcceptedAs(models.TextChoices):
    CSO = "cso", "Clinical Safety Officer"
    EXECUTIVE = "executive", "Accountable executive"


class RiskAcceptance(Signed):
    """Acceptance of a hazard's residual risk at the level its rating needs."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="acceptances")
    rating = models.PositiveSmallIntegerField()
    accepted_as = models.CharField(max_length=10, choices=AcceptedAs.choices)
    # For an executive's acceptance: the CSO's recommendation it was given, as it stood.
    recommendation = models.TextField(blank=True)

    class Meta(Signed.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.hazard.reference} rating {self.rating} accepted by {self.signer_name}"


class Escalation(Sealed):
    """A CSO's recommendation on a risk the CSO may not accept alone, for an executive."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="escalations")
    rating = models.PositiveSmallIntegerField()
    recommendation = models.TextField()
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField()
    snapshot_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-escalated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.hazard.reference} escalated at rating {self.rating}"


class HazardReview(Sealed):
    """The CSO (or a deputy) looked at this hazard as it stood; lapses when it changes."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="reviews")
    hazard_version = models.PositiveIntegerField()
    snapshot_hash = models.CharField(max_length=64)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_name = models.CharField(max_length=300)
    reviewed_at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["hazard", "-reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.hazard.reference} reviewed by {self.reviewer_name}"


class SignOff(Signed):
    """The CSO's approval of a release, as Clinical Safety Officer."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="sign_offs")

    class Meta(Signed.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.release} signed off by {self.signer_name}"


class Block(Signed):
    """A CSO's stop on a release. It stands until a CSO lifts it; an override never deletes it."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="blocks")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_by_name = models.CharField(max_length=300, blank=True)
    lift_reason = models.TextField(blank=True)

    MUTABLE_FIELDS = frozenset({"lifted_at", "lifted_by", "lifted_by_name", "lift_reason"})

    class Meta(Signed.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.release} blocked by {self.signer_name}"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


class Override(Signed):
    """An accountable executive's decision to release over a CSO block or failing rules.

    ``overridden`` keeps the blocks and rules as they stood, so every later reader sees what
    was overridden."""

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="overrides")
    overridden: models.JSONField[Any] = models.JSONField()

    class Meta(Signed.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.release} overridden by {self.signer_name}"
