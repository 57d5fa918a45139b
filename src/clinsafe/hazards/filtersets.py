"""Hazard log filters, declared once for the web hazard log and the API list."""

from __future__ import annotations

import re

import django_filters
from django.db.models import Q, QuerySet

from clinsafe.core.filters import YesNoFilter
from clinsafe.hazards.models import (
    LIKELIHOOD_CHOICES,
    SEVERITY_CHOICES,
    Control,
    ControlKind,
    ControlStatus,
    Hazard,
    HazardStatus,
)

RATING_CHOICES = [(r, str(r)) for r in range(1, 6)]
_REFERENCE = re.compile(r"^\s*h-?0*(\d+)\s*$", re.IGNORECASE)


class WithdrawnHiddenFilterSet(django_filters.FilterSet):
    """Withdrawn records are listed only when asked for with ``withdrawn=true``."""

    withdrawn = YesNoFilter(
        field_name="withdrawn_at", lookup_expr="isnull", exclude=True, label="Withdrawn"
    )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.form.cleaned_data.get("withdrawn") is None:
            queryset = queryset.filter(withdrawn_at__isnull=True)
        return super().filter_queryset(queryset)


class HazardFilterSet(WithdrawnHiddenFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    product = django_filters.CharFilter(field_name="product__slug", label="Product (slug)")
    status = django_filters.MultipleChoiceFilter(choices=HazardStatus.choices)
    owner = django_filters.CharFilter(field_name="owner__username", label="Owner (username)")
    initial_rating = django_filters.MultipleChoiceFilter(choices=RATING_CHOICES)
    residual_rating = django_filters.MultipleChoiceFilter(choices=RATING_CHOICES)
    initial_assessed = YesNoFilter(
        field_name="initial_rating", lookup_expr="isnull", exclude=True, label="Initial assessed"
    )
    residual_assessed = YesNoFilter(
        field_name="residual_rating", lookup_expr="isnull", exclude=True, label="Residual assessed"
    )
    initial_severity = django_filters.ChoiceFilter(choices=SEVERITY_CHOICES)
    initial_likelihood = django_filters.ChoiceFilter(choices=LIKELIHOOD_CHOICES)
    residual_severity = django_filters.ChoiceFilter(choices=SEVERITY_CHOICES)
    residual_likelihood = django_filters.ChoiceFilter(choices=LIKELIHOOD_CHOICES)
    sort = django_filters.OrderingFilter(
        fields=(
            ("number", "reference"),
            ("title", "title"),
            ("status", "status"),
            ("initial_rating", "initial_rating"),
            ("residual_rating", "residual_rating"),
            ("owner__username", "owner"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = Hazard
        fields: list[str] = []

    def search(self, queryset: QuerySet[Hazard], name: str, value: str) -> QuerySet[Hazard]:
        value = value.strip()
        if not value:
            return queryset
        match = Q(title__icontains=value) | Q(description__icontains=value)
        match |= Q(harm__icontains=value) | Q(clinical_context__icontains=value)
        match |= Q(file_reference__iexact=value)  # "NRL03": the number an imported file gave
        reference = _REFERENCE.match(value)
        if reference:
            match |= Q(number=int(reference.group(1)))
        return queryset.filter(match)


class ControlFilterSet(WithdrawnHiddenFilterSet):
    product = django_filters.CharFilter(field_name="product__slug", label="Product (slug)")
    kind = django_filters.MultipleChoiceFilter(choices=ControlKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=ControlStatus.choices)
    # Bounded, so an id beyond the database's integers is a 400, not an overflow.
    hazard = django_filters.NumberFilter(
        field_name="hazards", label="Hazard id", min_value=1, max_value=2**63 - 1
    )

    class Meta:
        model = Control
        fields: list[str] = []
