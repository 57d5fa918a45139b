"""REST API for the CSO position of a product and for personal API tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clinsafe.core import services
from clinsafe.core.cso import CsoPosition
from clinsafe.core.models import ApiToken


class ConcernSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class CsoPositionSerializer(serializers.Serializer):
    """Who the product's CSO is, whether the role is real, and why not."""

    appointed = serializers.SerializerMethodField()
    name = serializers.CharField(source="facts.name", default=None)
    username = serializers.CharField(source="appointment.user.username", default=None)
    profession = serializers.CharField(source="facts.registration.profession", default=None)
    regulator = serializers.CharField(source="facts.registration.regulator", default=None)
    registration_number = serializers.CharField(source="facts.registration.number", default=None)
    registration_current = serializers.BooleanField()
    last_training_on = serializers.DateField(source="facts.last_training_on", default=None)
    training_current = serializers.BooleanField()
    protected_hours_per_week = serializers.DecimalField(
        source="appointment.protected_hours_per_week",
        max_digits=4,
        decimal_places=1,
        default=None,
    )
    can_block_release = serializers.BooleanField(
        source="appointment.can_block_release", default=False
    )
    since = serializers.DateField(source="appointment.starts_on", default=None)
    scope = serializers.SerializerMethodField()
    deputies = serializers.SerializerMethodField()
    concerns = ConcernSerializer(many=True)

    def get_appointed(self, position: CsoPosition) -> bool:
        return position.appointment is not None

    def get_scope(self, position: CsoPosition) -> str | None:
        if position.appointment is None:
            return None
        return "product" if position.appointment.product_id else "organisation"

    def get_deputies(self, position: CsoPosition) -> list[str]:
        return [d.user.get_username() for d in position.deputies]


class ApiTokenSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(
        help_text="The token itself: returned once, when it is created."
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "key"]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]

    def get_key(self, token: ApiToken) -> str | None:
        return self.context.get("key")


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Your own API tokens. Only a token's hash is stored: its key is shown once."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=self.request.user.pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.create_token(actor=request.user, **serializer.validated_data)
        data = ApiTokenSerializer(token, context={"key": key}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        """Revoke the token; it stops working at once."""
        token = services.revoke_token(actor=request.user, token=self.get_object())
        return Response(ApiTokenSerializer(token).data)
