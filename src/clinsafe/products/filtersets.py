"""Filters of changes, declared once for the API list."""

from __future__ import annotations

import django_filters

from clinsafe.core.filters import YesNoFilter
from clinsafe.products.models import Change, ChangeKind


class ChangeFilterSet(django_filters.FilterSet):
    product = django_filters.CharFilter(field_name="product__slug", label="Product (slug)")
    release = django_filters.CharFilter(field_name="release__version", label="Release (version)")
    kind = django_filters.MultipleChoiceFilter(choices=ChangeKind.choices)
    assessed = YesNoFilter(
        field_name="assessed_at", lookup_expr="isnull", exclude=True, label="Assessed"
    )

    class Meta:
        model = Change
        fields: list[str] = []
