"""Incident log filters, declared once for the web log, its export and the API list."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from clinsafe.incidents.models import Harm, Incident, IncidentStatus


class IncidentFilterSet(django_filters.FilterSet):
    product = django_filters.CharFilter(field_name="product__slug", label="Product (slug)")
    release = django_filters.CharFilter(field_name="release__version", label="Release (version)")
    harm = django_filters.MultipleChoiceFilter(
        choices=Harm.choices, method="filter_harm", label="Harm"
    )
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)

    class Meta:
        model = Incident
        fields: list[str] = []

    def filter_harm(self, queryset: QuerySet[Incident], name: str, value: list[str]) -> QuerySet:
        """The harm as triaged, or as reported while the incident waits for triage."""
        if not value:
            return queryset
        return queryset.filter(
            Q(actual_harm__in=value) | Q(actual_harm="", reported_harm__in=value)
        )
