"""The one shape of every API resource over safety records: list, read, create, update;
never delete (safety records are withdrawn, not deleted)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets


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
