"""Web forms of the incident log. They only collect input: the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from clinsafe.core.forms import NHSForm, yes_no
from clinsafe.core.people_forms import DateInput
from clinsafe.hazards.forms import (
    ControlReferencesField,
    HazardReferencesField,
    LinesField,
    MemberChoiceField,
    VersionedForm,
    members,
)
from clinsafe.incidents.models import ActionKind, ExternalBody, Finding, Harm, Incident
from clinsafe.incidents.services import reportable_releases
from clinsafe.products.change_forms import ReleaseChoiceField
from clinsafe.products.models import Product, Release


class ReportForm(NHSForm):
    title = forms.CharField(max_length=200, help_text="A short name for what happened.")
    description = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was seen or done, and what the product showed or failed to do.",
    )
    occurred_on = forms.DateField(label="When it happened", widget=DateInput)
    reported_on = forms.DateField(
        label="When it was reported", widget=DateInput, required=False,
        help_text="Today, unless it was reported earlier by phone or email.",
    )  # fmt: skip
    patient_affected = yes_no("Was a patient affected?")
    reported_harm = forms.ChoiceField(
        label="Harm to the patient",
        choices=Harm.choices,
        widget=forms.RadioSelect,
        help_text="The NHS patient-safety levels of harm, as far as you know now.",
    )
    release = ReleaseChoiceField(
        queryset=Release.objects.none(),
        required=False,
        empty_label="Not known",
        label="Release in use",
    )
    deployment = forms.CharField(
        max_length=200, required=False, label="Where", help_text="The site, ward or service."
    )
    detail = forms.CharField(
        label="Further detail",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything else that helps: steps, screenshots described, who was involved "
        "(no patient identifiers).",
    )

    def __init__(self, *args: Any, product: Product, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reported_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        releases = reportable_releases(user, product).order_by("-created_at")
        self.fields["release"].queryset = releases  # type: ignore[attr-defined]


class TriageForm(VersionedForm):
    actual_harm = forms.ChoiceField(
        label="Actual harm", choices=Harm.choices, widget=forms.RadioSelect
    )
    finding = forms.ChoiceField(
        label="What the incident shows", choices=Finding.choices, widget=forms.RadioSelect
    )
    hazards = HazardReferencesField(label="Hazards it realised")
    failed_controls = ControlReferencesField(
        label="Controls that failed", help_text="If a control failed, e.g. C-002; its hazards "
        "are linked too."
    )  # fmt: skip
    new_hazard_title = forms.CharField(
        label="New hazard: title",
        max_length=200,
        required=False,
        help_text="If the incident revealed a hazard the log did not have, it is raised with "
        "this title.",
    )
    new_hazard_description = forms.CharField(
        label="New hazard: description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reassessment_required = yes_no(
        "Must the linked hazards' severity or likelihood be re-assessed?",
        "Until they are, the release gate lists them as needing review. A failed control "
        "always needs re-assessment.",
    )
    external_report_required = yes_no(
        "Must it be reported externally?", "Severe harm and death always must."
    )
    external_body = forms.ChoiceField(
        label="Reported to",
        choices=[("", "Not reported externally"), *ExternalBody.choices],
        required=False,
    )
    triage_notes = forms.CharField(
        label="Triage notes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("hazards", "failed_controls"):
            self.fields[name].product = product  # type: ignore[attr-defined]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        title = data.pop("new_hazard_title").strip()
        description = data.pop("new_hazard_description").strip()
        data["new_hazard"] = (
            {"title": title, "description": description or title} if title else None
        )
        return data


class ExternalReportForm(VersionedForm):
    external_reference = forms.CharField(label="Reference given", max_length=100)
    externally_reported_on = forms.DateField(label="Reported on", widget=DateInput)


class InvestigationForm(VersionedForm):
    root_cause = forms.CharField(
        label="Root cause", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contributory_factors = LinesField(
        label="Contributory factors", required=False, help_text="One per line."
    )
    findings = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    learning = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the organisation learns, and where it is shared.",
    )


class ActionForm(NHSForm):
    kind = forms.ChoiceField(choices=ActionKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    owner = MemberChoiceField(queryset=members(None))
    due_on = forms.DateField(label="Due on", widget=DateInput)

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members(product)  # type: ignore[attr-defined]


class CompleteActionForm(NHSForm):
    outcome = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}))


def investigation_initial(incident: Incident) -> dict[str, Any]:
    fields = ("root_cause", "contributory_factors", "findings", "learning", "version")
    return {field: getattr(incident, field) for field in fields}
