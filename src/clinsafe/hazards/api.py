"""REST API of the hazard log: thin serializers and views over hazards/services.py."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinsafe.api.fields import UsernameField, VersionField
from clinsafe.api.views import AppendOnlyViewSet, SafetyRecordViewSet, validated
from clinsafe.core.permissions import visible_organisations
from clinsafe.hazards import services
from clinsafe.hazards.filtersets import ControlFilterSet, HazardFilterSet
from clinsafe.hazards.models import (
    LIKELIHOOD_CHOICES,
    SEVERITY_CHOICES,
    Control,
    Hazard,
    HazardQuerySet,
    HazardStatus,
    RiskEstimate,
    Stage,
)
from clinsafe.products.models import Product
from clinsafe.products.services import visible_products
from clinsafe.risk import NHS_EXAMPLE_SCHEME, Likelihood, Severity


def _visible_hazards(request: Request) -> HazardQuerySet:
    return Hazard.objects.filter(product__organisation__in=visible_organisations(request.user))


class CurrentRiskSerializer(serializers.Serializer):
    severity = serializers.IntegerField()
    severity_label = serializers.CharField()
    likelihood = serializers.IntegerField()
    likelihood_label = serializers.CharField()
    rating = serializers.IntegerField()
    acceptability = serializers.CharField()


def _current_risk(hazard: Hazard, stage: str) -> dict[str, Any] | None:
    severity = getattr(hazard, f"{stage}_severity", None)
    if severity is None:
        return None
    likelihood = getattr(hazard, f"{stage}_likelihood")
    rating = getattr(hazard, f"{stage}_rating")
    return {
        "severity": severity,
        "severity_label": Severity(severity).label,
        "likelihood": likelihood,
        "likelihood_label": Likelihood(likelihood).label,
        "rating": rating,
        "acceptability": NHS_EXAMPLE_SCHEME.acceptability(rating).word,
    }


class HazardSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", queryset=Product.objects.none())
    causes = serializers.ListField(child=serializers.CharField(max_length=2000), required=False)
    effects = serializers.ListField(child=serializers.CharField(max_length=2000), required=False)
    owner = UsernameField(required=False, allow_null=True)
    raised_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    initial_risk = serializers.SerializerMethodField()
    residual_risk = serializers.SerializerMethodField()
    controls = serializers.SerializerMethodField()
    version = VersionField(required=False)

    class Meta:
        model = Hazard
        fields = [
            "id",
            "reference",
            "product",
            "title",
            "description",
            "causes",
            "effects",
            "harm",
            "clinical_context",
            "status",
            "status_reason",
            "owner",
            "owner_name",
            "file_reference",
            "raised_by",
            "initial_risk",
            "residual_risk",
            "controls",
            "version",
            "created_at",
            "updated_at",
            "withdrawn_at",
            "withdrawn_reason",
        ]
        # As an imported file gave them: set by the import, never typed in.
        read_only_fields = ["status", "status_reason", "owner_name", "file_reference",
                            "created_at", "updated_at"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field = self.fields["product"]
            field.queryset = visible_products(request.user)  # type: ignore[attr-defined]
        if self.instance is not None:
            self.fields["product"].read_only = True
            self.fields["version"].required = True

    @extend_schema_field(CurrentRiskSerializer(allow_null=True))
    def get_initial_risk(self, hazard: Hazard) -> dict[str, Any] | None:
        return _current_risk(hazard, Stage.INITIAL)

    @extend_schema_field(CurrentRiskSerializer(allow_null=True))
    def get_residual_risk(self, hazard: Hazard) -> dict[str, Any] | None:
        return _current_risk(hazard, Stage.RESIDUAL)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_controls(self, hazard: Hazard) -> list[str]:
        return [control.reference for control in hazard.controls.all()]

    def create(self, validated_data: dict[str, Any]) -> Hazard:
        validated_data.pop("version", None)
        hazard = services.create_hazard(actor=self.context["request"].user, **validated_data)
        return _visible_hazards(self.context["request"]).with_current_risk().get(pk=hazard.pk)

    def update(self, instance: Hazard, validated_data: dict[str, Any]) -> Hazard:
        version = validated_data.pop("version", None)
        hazard = services.edit_hazard(
            actor=self.context["request"].user,
            hazard=instance,
            version=version,
            **validated_data,
        )
        return _visible_hazards(self.context["request"]).with_current_risk().get(pk=hazard.pk)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HazardStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField()


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()
    version = VersionField()


class HazardViewSet(SafetyRecordViewSet):
    """Hazards of your organisations' products. Withdrawn ones are listed with
    ``withdrawn=true``; none is ever deleted. Status changes and withdrawal are actions."""

    serializer_class = HazardSerializer
    filterset_class = HazardFilterSet

    def get_queryset(self) -> QuerySet[Hazard]:
        return (
            _visible_hazards(self.request)
            .with_current_risk()
            .select_related("product", "owner", "raised_by")
            .prefetch_related(
                Prefetch("controls", queryset=Control.objects.order_by("number").only("number"))
            )
            .order_by("product__name", "number")
        )

    @extend_schema(request=StatusChangeSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str) -> Response:
        """Change the hazard's status; closing or transferring needs a reason."""
        hazard = self.get_object()
        data = validated(StatusChangeSerializer, request)
        services.change_hazard_status(actor=request.user, hazard=hazard, **data)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=WithdrawSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw a hazard entered in error; it stays on record."""
        hazard = self.get_object()
        data = validated(WithdrawSerializer, request)
        services.withdraw_hazard(actor=request.user, hazard=hazard, **data)
        return Response(self.get_serializer(self.get_object()).data)


class RiskEstimateSerializer(serializers.ModelSerializer):
    hazard = serializers.PrimaryKeyRelatedField(queryset=Hazard.objects.none())
    severity = serializers.ChoiceField(choices=SEVERITY_CHOICES)
    likelihood = serializers.ChoiceField(choices=LIKELIHOOD_CHOICES)
    assessed_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = RiskEstimate
        fields = [
            "id",
            "hazard",
            "stage",
            "severity",
            "likelihood",
            "rating",
            "scheme",
            "rationale",
            "stated_rating",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = ["rating", "scheme", "stated_rating", "assessed_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field = self.fields["hazard"]
            field.queryset = _visible_hazards(request)  # type: ignore[attr-defined]

    def create(self, validated_data: dict[str, Any]) -> RiskEstimate:
        return services.assess_risk(actor=self.context["request"].user, **validated_data)


class RiskEstimateViewSet(AppendOnlyViewSet):
    """Risk estimates. Creating one (re-)assesses a hazard; estimates are never changed,
    so the history of every assessment stays readable."""

    serializer_class = RiskEstimateSerializer
    filterset_fields = ["hazard", "stage"]

    def get_queryset(self) -> QuerySet[RiskEstimate]:
        return RiskEstimate.objects.filter(
            hazard__product__organisation__in=visible_organisations(self.request.user)
        ).select_related("assessed_by")


class ControlSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", queryset=Product.objects.none())
    hazards = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Hazard.objects.none(), required=False
    )
    owner = UsernameField(required=False, allow_null=True)
    version = VersionField(required=False)

    class Meta:
        model = Control
        fields = [
            "id",
            "reference",
            "product",
            "description",
            "kind",
            "origin",
            "status",
            "verification_evidence",
            "verification_link",
            "owner",
            "owner_name",
            "file_reference",
            "hazards",
            "version",
            "created_at",
            "updated_at",
            "withdrawn_at",
            "withdrawn_reason",
        ]
        read_only_fields = ["owner_name", "file_reference", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["product"].queryset = visible_products(request.user)  # type: ignore[attr-defined]
            self.fields["hazards"].child_relation.queryset = _visible_hazards(request)  # type: ignore[attr-defined]
        if self.instance is not None:
            # Links change through the link and unlink actions, each with its audit event.
            self.fields["product"].read_only = True
            self.fields["hazards"].read_only = True
            self.fields["version"].required = True

    def create(self, validated_data: dict[str, Any]) -> Control:
        validated_data.pop("version", None)
        return services.add_control(actor=self.context["request"].user, **validated_data)

    def update(self, instance: Control, validated_data: dict[str, Any]) -> Control:
        version = validated_data.pop("version", None)
        return services.edit_control(
            actor=self.context["request"].user,
            control=instance,
            version=version,
            **validated_data,
        )


class LinkSerializer(serializers.Serializer):
    hazard = serializers.IntegerField(help_text="Id of a hazard of the same product.")


class ControlViewSet(SafetyRecordViewSet):
    """Controls of your organisations' products; one control may mitigate several hazards."""

    serializer_class = ControlSerializer
    filterset_class = ControlFilterSet

    def get_queryset(self) -> QuerySet[Control]:
        return (
            Control.objects.filter(
                product__organisation__in=visible_organisations(self.request.user)
            )
            .select_related("product", "owner")
            .prefetch_related(Prefetch("hazards", queryset=Hazard.objects.only("id")))
            .order_by("product__name", "number")
        )

    @extend_schema(request=LinkSerializer, responses=ControlSerializer)
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str) -> Response:
        """Record that this control mitigates another hazard."""
        return self._relink(request, services.link_control)

    @extend_schema(request=LinkSerializer, responses=ControlSerializer)
    @action(detail=True, methods=["post"])
    def unlink(self, request: Request, pk: str) -> Response:
        """Record that this control no longer mitigates a hazard."""
        return self._relink(request, services.unlink_control)

    @extend_schema(request=WithdrawSerializer, responses=ControlSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw a control entered in error; it stays on record."""
        control = self.get_object()
        data = validated(WithdrawSerializer, request)
        services.withdraw_control(actor=request.user, control=control, **data)
        return Response(self.get_serializer(self.get_object()).data)

    def _relink(self, request: Request, service: Any) -> Response:
        control = self.get_object()
        data = validated(LinkSerializer, request)
        hazard = get_object_or_404(_visible_hazards(request), pk=data["hazard"])
        service(actor=request.user, control=control, hazard=hazard)
        return Response(self.get_serializer(self.get_object()).data)
