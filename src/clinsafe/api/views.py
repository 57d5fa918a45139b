"""The one shape of every API resource over safety records: list, read, create, update;
never delete (safety records are withdrawn, not deleted)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request


class AppendOnlyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Filters narrow lists; a record stays reachable by its id, withdrawn or not.
        return super().filter_queryset(queryset) if self.action == "list" else queryset


class SafetyRecordViewSet(mixins.UpdateModelMixin, AppendOnlyViewSet):
    pass


def validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The body of an action's request, checked by ``serializer_class``."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
