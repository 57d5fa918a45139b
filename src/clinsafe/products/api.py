"""REST API for products."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from clinsafe.api.fields import VersionField
from clinsafe.api.views import SafetyRecordViewSet
from clinsafe.core.api import CsoPositionSerializer
from clinsafe.core.cso import cso_position
from clinsafe.core.models import Organisation
from clinsafe.core.permissions import visible_organisations
from clinsafe.health.api import CsoHealthSerializer
from clinsafe.health.evidence import default_period, health_check
from clinsafe.health.forms import PeriodForm
from clinsafe.products import services
from clinsafe.products.models import Product


class ProductSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all()
    )
    version = VersionField(required=False)

    class Meta:
        model = Product
        fields = [
            "id",
            "slug",
            "name",
            "organisation",
            "intended_use",
            "care_settings",
            "intended_users",
            "patient_groups",
            "lifecycle_status",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field = self.fields["organisation"]
            field.queryset = visible_organisations(request.user)  # type: ignore[attr-defined]
        if self.instance is not None:
            # A product's slug and organisation identify it; they do not change.
            self.fields["slug"].read_only = True
            self.fields["organisation"].read_only = True
            self.fields["version"].required = True

    def create(self, validated_data: dict[str, Any]) -> Product:
        validated_data.pop("version", None)
        return services.create_product(actor=self.context["request"].user, **validated_data)

    def update(self, instance: Product, validated_data: dict[str, Any]) -> Product:
        version = validated_data.pop("version", None)
        return services.edit_product(
            actor=self.context["request"].user,
            product=instance,
            version=version,
            **validated_data,
        )


class ProductViewSet(SafetyRecordViewSet):
    """Products of your organisations. Looked up by slug; never deleted."""

    serializer_class = ProductSerializer
    lookup_field = "slug"
    filterset_fields = ["lifecycle_status", "organisation__slug"]

    def get_queryset(self) -> Any:
        return services.visible_products(self.request.user).order_by("name")

    @extend_schema(responses=CsoPositionSerializer)
    @action(detail=True, methods=["get"])
    def cso(self, request: Request, slug: str) -> Response:
        """Who is this product's Clinical Safety Officer, and is the role real?"""
        return Response(CsoPositionSerializer(cso_position(self.get_object())).data)

    @extend_schema(
        responses=CsoHealthSerializer,
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Period start (a year ago)"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Period end (today)"),
        ],
    )
    @action(detail=True, methods=["get"], url_path="cso-health")
    def cso_health(self, request: Request, slug: str) -> Response:
        """The CSO health check: each need of a real CSO, sound, at risk or hollow, with the
        evidence from the records and the thresholds that decided it."""
        period = PeriodForm(request.query_params)
        if request.query_params and not period.is_valid():
            raise ValidationError(period.errors.get_json_data())
        start, end = period.period(default_period(timezone.localdate()))
        check = health_check(self.get_object(), start, end)
        return Response(CsoHealthSerializer(check.as_data()).data)
