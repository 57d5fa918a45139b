"""The audit trail: one append-only, hash-chained event per change to a safety record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class EventType(models.TextChoices):
    ORGANISATION_CREATED = "organisation.created", "Organisation created"
    PERSON_ADDED = "person.added", "Person added"
    ROLE_GRANTED = "membership.role_granted", "Role granted"
    ROLE_REVOKED = "membership.role_revoked", "Role revoked"
    REGISTRATION_RECORDED = "registration.recorded", "Professional registration recorded"
    REGISTRATION_EDITED = "registration.edited", "Professional registration edited"
    TRAINING_RECORDED = "training.recorded", "Clinical risk management training recorded"
    CSO_APPOINTED = "appointment.made", "Clinical Safety Officer appointed"
    CSO_APPOINTMENT_ENDED = "appointment.ended", "Clinical Safety Officer appointment ended"
    TOKEN_CREATED = "token.created", "API token created"
    TOKEN_REVOKED = "token.revoked", "API token revoked"
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
    RELEASE_PLANNED = "release.planned", "Release planned"
    RELEASE_EDITED = "release.edited", "Release edited"
    RELEASE_REVIEW_STARTED = "release.review_started", "Release put into safety review"
    RELEASE_RELEASED = "release.released", "Release released"
    RELEASE_WITHDRAWN = "release.withdrawn", "Release withdrawn"
    HAZARD_REVIEWED = "hazard.reviewed", "Hazard reviewed by the CSO"
    RISK_ESCALATED = "risk.escalated", "Residual risk escalated to an executive"
    RISK_ACCEPTED = "risk.accepted", "Residual risk accepted"
    RELEASE_SIGNED_OFF = "release.signed_off", "Release signed off"
    RELEASE_BLOCKED = "release.blocked", "Release blocked"
    RELEASE_BLOCK_LIFTED = "release.block_lifted", "Release block lifted"
    RELEASE_OVERRIDDEN = "release.overridden", "Release gate overridden"
    TIME_RECORDED = "health.time_recorded", "CSO time recorded"
    PROCESS_REVIEWED = "health.process_reviewed", "Risk management process reviewed"
    ARGUMENT_NODE_ADDED = "argument.node_added", "Safety argument node added"
    ARGUMENT_NODE_EDITED = "argument.node_edited", "Safety argument node edited"
    ARGUMENT_NODE_REMOVED = "argument.node_removed", "Safety argument node removed"
    ARGUMENT_LINKED = "argument.linked", "Safety argument nodes linked"
    ARGUMENT_UNLINKED = "argument.unlinked", "Safety argument link removed"
    DOUBT_SETTLED = "argument.doubt_settled", "Doubt in the safety argument settled"
    ARGUMENT_BUILT = "argument.built", "Safety argument built over all hazards"
    ARGUMENT_IMPORTED = "argument.imported", "Safety argument imported"
    ARGUMENT_PUT_FORWARD = "argument.put_forward", "Safety argument put forward for a release"
    ARTEFACT_RECORDED = "artefact.recorded", "Evidence artefact recorded"
    ARTEFACT_VERSION_ADDED = "artefact.version_added", "Evidence artefact version added"
    ARTEFACT_CONTENT_RECORDED = "artefact.content_recorded", "Evidence artefact content recorded"
    ARTEFACT_REVIEWED = "artefact.reviewed", "Evidence artefact reviewed"
    COMPLIANCE_ASSESSED = "compliance.assessed", "DCB0129 compliance assessment recorded"
    COMPLIANCE_SIGNED = "compliance.signed", "DCB0129 compliance assessment signed"
    PLAN_APPROVED = "plan.approved", "Clinical Risk Management Plan approved"
    DOCUMENT_ISSUED = "document.issued", "Document issued"
    DOCUMENT_ISSUING_RETRIED = "document.issuing_retried", "Issuing of documents tried again"
    HAZARD_LOG_IMPORTED = "hazard_log.imported", "Hazard log imported from a spreadsheet"
    RATING_MISMATCH_DECIDED = (
        "hazard_log.rating_mismatch_decided",
        "Decision on a stated rating the matrix contradicts",
    )
    SUPPLIER_BUNDLE_IMPORTED = "supplier_bundle.imported", "Supplier bundle imported"
    INCIDENT_REPORTED = "incident.reported", "Safety incident reported"
    INCIDENT_TRIAGED = "incident.triaged", "Safety incident triaged"
    INCIDENT_REPORTED_EXTERNALLY = "incident.reported_externally", "Incident reported externally"
    INCIDENT_INVESTIGATED = "incident.investigated", "Incident investigation recorded"
    INCIDENT_ACTION_ADDED = "incident.action_added", "Corrective or preventive action added"
    INCIDENT_ACTION_DONE = "incident.action_done", "Corrective or preventive action done"
    INCIDENT_CLOSED = "incident.closed", "Safety incident closed"
    CHANGE_PROPOSED = "change.proposed", "Change proposed"
    CHANGE_ASSESSED = "change.assessed", "Change safety impact assessed"
    INCIDENT_FORWARDED = "incident.forwarded", "Incident forwarded to the supplier"
    DEPLOYMENT_RECORDED = "deployment.recorded", "Deployment recorded"
    TRANSFER_DECIDED = "deployment.transfer_decided", "Transferred control accepted or rejected"
    ASSURANCE_REVIEWED = "deployment.assurance_reviewed", "Supplier assurance reviewed"
    BUNDLE_ADOPTED = "deployment.bundle_adopted", "Newer supplier bundle adopted"
    DEPLOYMENT_RISKS_ACCEPTED = (
        "deployment.risks_accepted",
        "Deployment residual risks accepted by the executive",
    )
    IN_USE_REVIEWED = "deployment.in_use_reviewed", "In-use review recorded"
    DEPLOYMENT_DECOMMISSIONED = "deployment.decommissioned", "Deployment decommissioned"
    ACCEPTANCE_POLICY_CHANGED = (
        "organisation.acceptance_policy_changed",
        ("Risk acceptance levels changed"),
    )


class AuditEvent(models.Model):
    """Names are copied as text, and the links to people and organisations carry no database
    constraint, so deleting either never touches the events that describe it."""

    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    # No choices on the column: new event types must not need a migration. record_event
    # refuses unknown types.
    event_type = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=300)
    organisation = models.ForeignKey(
        "core.Organisation",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organisation_name = models.CharField(max_length=200, blank=True)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    subject_label = models.CharField(max_length=300)
    data: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    previous_hash = models.CharField(max_length=64)
    # Digest of the subject's row as this change left it (clinsafe.audit.state).
    subject_state = models.CharField(max_length=64, blank=True)
    content_hash = models.CharField(max_length=64, unique=True)
    signature = models.CharField(max_length=64, help_text="HMAC-SHA256 of the content hash.")

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_event_type_display()}: {self.subject_label}"

    def get_event_type_display(self) -> str:
        known = self.event_type in EventType.values
        return EventType(self.event_type).label if known else self.event_type

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit events are append-only and cannot be deleted.")


class ChainHead(models.Model):
    """The one row that says where the chain ends, signed, so a cut-off tail shows."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"Audit chain head at #{self.last_sequence}"
