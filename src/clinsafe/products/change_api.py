"""REST API of changes: a tracker or CI proposes one (``POST /api/changes/``), the CSO
assesses it."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinsafe.api import references
from clinsafe.api.fields import VersionField
from clinsafe.api.views import AppendOnlyViewSet, validated
from clinsafe.products import changes
from clinsafe.products.filtersets import ChangeFilterSet
from clinsafe.products.models import (
    Change,
    ChangeHazard,
    ChangeSource,
    DecommissioningTopic,
    Product,
)
from clinsafe.products.services import visible_products


class ChangeSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="slug", queryset=Product.objects.none())
    release = references.release_field("Version of the release that will carry it, if known.")
    components = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )
    proposed_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    assessed_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    hazards = serializers.SerializerMethodField()
    engagement = serializers.SerializerMethodField()

    class Meta:
        model = Change
        fields = [
            "id", "reference", "product", "kind", "title", "description", "link", "components",
            "release", "built_on", "source", "proposed_by", "proposed_at", "hazards",
            "new_hazards", "alters_clinical_risk", "conclusion", "assessed_by", "assessed_at",
            "engagement", "version",
        ]  # fmt: skip
        read_only_fields = ["source", "version"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            field = self.fields["product"]
            field.queryset = visible_products(request.user)  # type: ignore[attr-defined]

    def get_hazards(self, change: Change) -> list[dict[str, str]]:
        return [
            {"hazard": link.hazard.reference, "topic": link.topic}
            for link in change.hazard_links.all()
        ]

    def get_engagement(self, change: Change) -> str:
        return changes.engagement(change)

    def create(self, validated_data: dict[str, Any]) -> Change:
        validated_data = references.resolve_release(validated_data)
        return changes.propose_change(
            actor=self.context["request"].user, source=ChangeSource.API, **validated_data
        )


class AssessSerializer(serializers.Serializer):
    version = VersionField()
    hazards = references.reference_list("References of the hazards it touches, e.g. H-001.")
    new_hazards = serializers.BooleanField()
    alters_clinical_risk = serializers.BooleanField()
    conclusion = serializers.CharField()
    release = serializers.CharField(required=False, allow_blank=True, default="")
    decommissioning = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="For decommissioning: each topic ("
        + ", ".join(DecommissioningTopic.values)
        + ") to the hazard that answers it; a topic left out gets a new hazard.",
    )


class ChangeViewSet(AppendOnlyViewSet):
    """Changes to your organisations' products. ``POST`` proposes one (from a tracker or CI:
    title, description, link, components); it lands in the CSO's triage queue at once."""

    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet

    def get_queryset(self) -> QuerySet[Change]:
        return (
            Change.objects.filter(product__in=visible_products(self.request.user))
            .select_related("product", "release", "proposed_by", "assessed_by")
            .prefetch_related(
                Prefetch("hazard_links", queryset=ChangeHazard.objects.select_related("hazard"))
            )
            .order_by("product__name", "-number")
        )

    @extend_schema(request=AssessSerializer, responses=ChangeSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str) -> Response:
        """The CSO's safety impact assessment."""
        change = self.get_object()
        product = change.product
        data = validated(AssessSerializer, request)
        data["hazards"] = references.hazards(product, data["hazards"])
        data["release"] = references.release(product, data["release"])
        if "decommissioning" in data:
            data["decommissioning"] = {
                topic: (references.hazards(product, [ref])[0] if ref else None)
                for topic, ref in data["decommissioning"].items()
            }
        changes.assess_change(actor=request.user, change=change, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)
