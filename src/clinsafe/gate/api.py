"""REST API of releases and the gate, for people and for CI pipelines: list and plan
releases, record their configuration, and ask the gate."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinsafe.api.fields import VersionField
from clinsafe.api.views import SafetyRecordViewSet
from clinsafe.gate.evaluation import gate_report, gate_reports
from clinsafe.hazards.models import Hazard
from clinsafe.products import releases
from clinsafe.products.models import HazardChange, Product, Release, ReleaseStatus
from clinsafe.products.services import visible_products


class ReleaseHazardSerializer(serializers.Serializer):
    hazard = serializers.RegexField(
        r"^H-\d{3,9}$",
        help_text="Hazard reference, e.g. H-001.",
        error_messages={"invalid": "Give a hazard reference such as H-001."},
    )
    change = serializers.ChoiceField(choices=HazardChange.choices)

    def to_representation(self, instance: Any) -> dict[str, str]:
        return {"hazard": instance.hazard.reference, "change": instance.change}


class ReleaseSerializer(serializers.ModelSerializer):
    product: serializers.SlugRelatedField[Product] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    status = serializers.SerializerMethodField()
    components = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False
    )
    safety_settings = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False
    )
    hazards = ReleaseHazardSerializer(many=True, required=False, source="hazard_links")
    revision = VersionField(
        required=False,
        help_text="Revision of the release as you loaded it. Required on update; a stale "
        "revision gets HTTP 409.",
    )

    class Meta:
        model = Release
        fields = [
            "id",
            "product",
            "version",
            "planned_on",
            "stage",
            "status",
            "summary",
            "hazards",
            "build_identifier",
            "components",
            "safety_settings",
            "released_at",
            "revision",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["stage", "released_at", "created_at", "updated_at"]

    def get_status(self, release: Release) -> ReleaseStatus:
        reports = self.context.get("gate_reports") or {}
        return ReleaseStatus((reports.get(release.pk) or gate_report(release))["status"])

    def validate_hazards(self, links: list[dict[str, str]]) -> list[tuple[Hazard, str]]:
        """References as hazards of this release's product."""
        product = self.instance.product if self.instance else self.context["product"]
        numbers = {int(link["hazard"].split("-")[1]) for link in links}
        found = {h.number: h for h in Hazard.objects.filter(product=product, number__in=numbers)}
        missing = sorted(f"H-{n:03d}" for n in numbers - set(found))
        if missing:
            raise serializers.ValidationError(f"{product.name} has no hazard {', '.join(missing)}.")
        return [(found[int(link["hazard"].split("-")[1])], link["change"]) for link in links]

    def create(self, validated_data: dict[str, Any]) -> Release:
        validated_data.pop("revision", None)
        return releases.create_release(
            actor=self.context["request"].user,
            product=self.context["product"],
            hazards=validated_data.pop("hazard_links", []),
            **validated_data,
        )

    def update(self, instance: Release, validated_data: dict[str, Any]) -> Release:
        return releases.edit_release(
            actor=self.context["request"].user,
            release=instance,
            revision=validated_data.pop("revision", None),
            hazards=validated_data.pop("hazard_links", None),
            **validated_data,
        )


class RuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["passed", "pending", "blocked"])
    outcome_label = serializers.CharField(
        required=False, help_text="In words: Met, Still to be met, Stops the release."
    )
    message = serializers.CharField()
    references = serializers.ListField(child=serializers.CharField())


class SignatureSerializer(serializers.Serializer):
    signer = serializers.CharField()
    role = serializers.CharField()
    meaning = serializers.CharField()
    signed_at = serializers.DateTimeField()
    statement = serializers.CharField()
    snapshot_hash = serializers.CharField()
    stale = serializers.BooleanField()


class BlockSerializer(SignatureSerializer):
    open = serializers.BooleanField()
    lifted_at = serializers.DateTimeField(allow_null=True)
    lifted_by = serializers.CharField()
    lift_reason = serializers.CharField()


class OverrideSerializer(SignatureSerializer):
    overridden = serializers.DictField(help_text="The blocks and failing rules it overrode.")


class WaitingSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()


class GateSerializer(serializers.Serializer):
    """The gate's answer: the decision, every rule, the sign-off, blocks and overrides."""

    product = serializers.CharField()
    release = serializers.CharField()
    status = serializers.ChoiceField(choices=ReleaseStatus.choices)
    status_label = serializers.CharField(
        required=False, help_text="The status as people are told it: Sign-off out of date."
    )
    decision = serializers.ChoiceField(choices=["approved", "pending", "blocked"])
    approved_by_override = serializers.BooleanField()
    message = serializers.CharField()
    frozen = serializers.BooleanField(help_text="Released: the decision is frozen as issued.")
    snapshot_hash = serializers.CharField()
    rules = RuleSerializer(many=True)
    waiting_review = WaitingSerializer(many=True)
    sign_off = SignatureSerializer(allow_null=True)
    changed_since_sign_off = serializers.ListField(
        child=serializers.CharField(),
        default=list,  # a report frozen before this was recorded has none
        help_text="With the status sign_off_stale: what changed since the CSO signed, in words.",
    )
    blocks = BlockSerializer(many=True)
    overrides = OverrideSerializer(many=True)


@extend_schema(parameters=[OpenApiParameter("product_slug", str, OpenApiParameter.PATH)])
class ReleaseViewSet(SafetyRecordViewSet):
    """Releases of a product, by version. CI can plan one and record its configuration."""

    serializer_class = ReleaseSerializer
    lookup_field = "version"
    lookup_value_regex = r"[^/]+"
    filterset_fields = ["stage"]

    def product(self) -> Product:
        return get_object_or_404(
            visible_products(self.request.user), slug=self.kwargs["product_slug"]
        )

    def get_queryset(self) -> QuerySet[Release]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a request
            return Release.objects.none()
        return (
            Release.objects.filter(product=self.product())
            .select_related("product__organisation")
            .prefetch_related("hazard_links__hazard")
            .order_by("-created_at", "-id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if "product_slug" in self.kwargs:
            context["product"] = self.product()
        return context

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("many") and args:
            # A list reads the product's hazard log once, not once per release.
            context = kwargs.setdefault("context", self.get_serializer_context())
            context["gate_reports"] = gate_reports(args[0])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(responses=GateSerializer)
    @action(detail=True, methods=["get"])
    def gate(self, request: Request, product_slug: str, version: str) -> Response:
        """The gate's decision for the release: ask it before shipping."""
        return Response(GateSerializer(gate_report(self.get_object())).data)
