"""REST API of the incident log: thin serializers and views over incidents/services.py."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinsafe.api import references
from clinsafe.api.fields import UsernameField, VersionField
from clinsafe.api.views import AppendOnlyViewSet, validated
from clinsafe.core.permissions import visible_organisations
from clinsafe.hazards.models import Control, Hazard
from clinsafe.incidents import services
from clinsafe.incidents.filtersets import IncidentFilterSet
from clinsafe.incidents.models import (
    ActionKind,
    CorrectiveAction,
    ExternalBody,
    Finding,
    Harm,
    Incident,
)
from clinsafe.products.models import Product


class CorrectiveActionSerializer(serializers.ModelSerializer):
    owner = UsernameField()
    done_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = ["id", "kind", "description", "owner", "due_on", "overdue", "done_at",
                  "done_by", "outcome"]  # fmt: skip
        read_only_fields = ["done_at", "outcome"]


class IncidentSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", queryset=Product.objects.none())
    release = references.release_field("Version of the release in use, if known.")
    reported_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    reporting_organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    # Empty until the incident is triaged.
    actual_harm = serializers.ChoiceField(choices=Harm.choices, allow_blank=True, read_only=True)
    finding = serializers.ChoiceField(choices=Finding.choices, allow_blank=True, read_only=True)
    external_body = serializers.ChoiceField(
        choices=ExternalBody.choices, allow_blank=True, read_only=True
    )
    hazards = serializers.SerializerMethodField()
    failed_controls = serializers.SerializerMethodField()
    actions = CorrectiveActionSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "reference", "product", "release", "deployment", "title", "description",
            "detail", "occurred_on", "reported_on", "reported_by", "reporting_organisation",
            "patient_affected", "reported_harm", "status", "actual_harm", "finding",
            "triage_notes", "hazards", "failed_controls", "triaged_at",
            "external_report_required", "external_body", "external_reference",
            "externally_reported_on", "root_cause", "contributory_factors", "findings",
            "learning", "actions", "closed_at", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "status", "actual_harm", "finding", "triage_notes", "triaged_at",
            "external_report_required", "external_body", "external_reference",
            "externally_reported_on", "root_cause", "contributory_factors", "findings",
            "learning", "closed_at", "version",
        ]  # fmt: skip
        extra_kwargs = {"reported_on": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field = self.fields["product"]
            field.queryset = services.reportable_products(request.user)  # type: ignore[attr-defined]

    def get_hazards(self, incident: Incident) -> list[str]:
        return [h.reference for h in incident.hazards.all()]

    def get_failed_controls(self, incident: Incident) -> list[str]:
        return [c.reference for c in incident.failed_controls.all()]

    def create(self, validated_data: dict[str, Any]) -> Incident:
        validated_data = references.resolve_release(validated_data)
        return services.report_incident(actor=self.context["request"].user, **validated_data)


class TriageSerializer(serializers.Serializer):
    version = VersionField()
    actual_harm = serializers.ChoiceField(choices=Harm.choices)
    finding = serializers.ChoiceField(choices=Finding.choices)
    hazards = references.reference_list("References of the hazards it realised, e.g. H-001.")
    failed_controls = references.reference_list("References of controls that failed.")
    new_hazard_title = serializers.CharField(required=False, allow_blank=True, default="")
    new_hazard_description = serializers.CharField(required=False, allow_blank=True, default="")
    reassessment_required = serializers.BooleanField()
    external_report_required = serializers.BooleanField()
    external_body = serializers.ChoiceField(
        choices=ExternalBody.choices, required=False, allow_blank=True, default=""
    )
    triage_notes = serializers.CharField(required=False, allow_blank=True, default="")


class ExternalReportSerializer(serializers.Serializer):
    version = VersionField()
    external_reference = serializers.CharField(max_length=100)
    externally_reported_on = serializers.DateField()


class InvestigationSerializer(serializers.Serializer):
    version = VersionField()
    root_cause = serializers.CharField(required=False, allow_blank=True)
    contributory_factors = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False
    )
    findings = serializers.CharField(required=False, allow_blank=True)
    learning = serializers.CharField(required=False, allow_blank=True)


class NewActionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    description = serializers.CharField()
    owner = UsernameField()
    due_on = serializers.DateField()


class CloseSerializer(serializers.Serializer):
    version = VersionField()


class DoneSerializer(serializers.Serializer):
    action = serializers.IntegerField(help_text="Id of the action.")
    outcome = serializers.CharField()


class IncidentViewSet(AppendOnlyViewSet):
    """The safety incident log of your organisations' products, filterable by product,
    release, harm and status. Anyone may report (a deploying organisation to its
    supplier, too); triage, investigation, actions and closing are actions."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet

    def get_queryset(self) -> QuerySet[Incident]:
        return (
            Incident.objects.filter(
                product__organisation__in=visible_organisations(self.request.user)
            )
            .select_related("product__organisation", "release", "reported_by",
                            "reporting_organisation")
            .prefetch_related(
                Prefetch("hazards", queryset=Hazard.objects.order_by("number")),
                Prefetch("failed_controls", queryset=Control.objects.order_by("number")),
                Prefetch("actions", queryset=CorrectiveAction.objects.select_related(
                    "owner", "done_by")),
            )
            .order_by("product__name", "-number")
        )  # fmt: skip

    def _respond(self, pk: str) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=TriageSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str) -> Response:
        """Triage against the hazard log: harm, finding, hazards and controls, re-assessment,
        external reporting."""
        incident = self.get_object()
        data = validated(TriageSerializer, request)
        product = incident.product
        data["new_hazard"] = services.new_hazard(
            data.pop("new_hazard_title"), data.pop("new_hazard_description")
        )
        data["hazards"] = references.hazards(product, data["hazards"])
        data["failed_controls"] = references.controls(product, data["failed_controls"])
        services.triage_incident(actor=request.user, incident=incident, **data)
        return self._respond(pk)

    @extend_schema(request=ExternalReportSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="external-report")
    def external_report(self, request: Request, pk: str) -> Response:
        """Record the reference the external body gave the report."""
        data = validated(ExternalReportSerializer, request)
        services.record_external_report(actor=request.user, incident=self.get_object(), **data)
        return self._respond(pk)

    @extend_schema(request=InvestigationSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def investigation(self, request: Request, pk: str) -> Response:
        """Record root cause, contributory factors, findings and learning."""
        data = validated(InvestigationSerializer, request)
        services.record_investigation(actor=request.user, incident=self.get_object(), **data)
        return self._respond(pk)

    @extend_schema(request=NewActionSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def actions(self, request: Request, pk: str) -> Response:
        """Add a corrective or preventive action with its owner and due date."""
        data = validated(NewActionSerializer, request)
        services.add_action(actor=request.user, incident=self.get_object(), **data)
        return self._respond(pk)

    @extend_schema(request=DoneSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="actions/done")
    def action_done(self, request: Request, pk: str) -> Response:
        """Record one of the incident's actions done, with what was done."""
        incident = self.get_object()
        data = validated(DoneSerializer, request)
        corrective = incident.actions.filter(pk=data["action"]).first()
        if corrective is None:
            raise serializers.ValidationError({"action": "The incident has no such action."})
        services.complete_action(actor=request.user, action=corrective, outcome=data["outcome"])
        return self._respond(pk)

    @extend_schema(request=CloseSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close the incident; it needs its findings and learning."""
        data = validated(CloseSerializer, request)
        services.close_incident(actor=request.user, incident=self.get_object(), **data)
        return self._respond(pk)
