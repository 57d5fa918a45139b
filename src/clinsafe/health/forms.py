"""Forms of the CSO health check. They only collect input: the rules live in services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from clinsafe.core.forms import NHSForm
from clinsafe.core.people_forms import DateInput


class PeriodForm(forms.Form):
    """The period a health check or board report covers; a year to today by default."""

    start = forms.DateField(label="From", widget=DateInput)
    end = forms.DateField(label="To", widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The period must start before it ends.")
        return data

    def period(self, default: tuple[date, date]) -> tuple[date, date]:
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return default


class TimeForm(NHSForm):
    week_starting = forms.DateField(
        label="Week beginning", widget=DateInput, help_text="Any day of the week will do."
    )
    hours = forms.DecimalField(max_digits=4, decimal_places=1, min_value=0.5, max_value=80)
    note = forms.CharField(required=False, max_length=500, help_text="What the time went on.")


class ProcessReviewForm(NHSForm):
    held_on = forms.DateField(label="Held on", widget=DateInput)
    findings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the review found about the process, and what will change.",
    )
    next_due_on = forms.DateField(label="Next review due", widget=DateInput)
