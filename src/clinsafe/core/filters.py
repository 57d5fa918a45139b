"""Filters shared by the web lists and the API lists."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

TRUE, FALSE = ("true", "1"), ("false", "0")


class YesNoSelect(forms.NullBooleanSelect):
    """Hands the field what was sent: Django's widget reads anything unknown as unset."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class YesNoField(forms.NullBooleanField):
    """true/1, false/0, or not given; anything else is an error naming what is allowed,
    where Django's field would quietly ignore the filter."""

    widget = YesNoSelect

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        text = str(value).strip().lower() if value not in (None, True, False) else value
        if text in (None, "", "unknown"):
            return None
        if text is True or text in TRUE:
            return True
        if text is False or text in FALSE:
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        pass


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField
