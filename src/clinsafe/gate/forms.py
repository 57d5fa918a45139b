"""Web forms of releases and the gate. They only collect input: the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clinsafe.core.forms import NHSForm
from clinsafe.hazards.forms import HazardReferencesField
from clinsafe.products.models import HazardChange, Product, Release


class SettingsField(forms.CharField):
    """A flat map of names to values, typed one ``name = value`` per line."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{k} = {v}" for k, v in value.items())
        return value

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        entries: dict[str, str] = {}
        for number, line in enumerate((super().to_python(value) or "").splitlines(), 1):
            if not line.strip():
                continue
            name, sep, setting = line.partition("=")
            if not sep or not name.strip():
                raise ValidationError(f"Line {number} must read 'name = value', not {line!r}.")
            entries[name.strip()] = setting.strip()
        return entries


class ReleaseForm(NHSForm):
    version = forms.CharField(max_length=60, help_text="As the release will be known, e.g. 2.4.0.")
    planned_on = forms.DateField(
        label="Planned release date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    summary = forms.CharField(
        label="Summary of changes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What changes for users and for patient care.",
    )
    adds = HazardReferencesField(label="Hazards this release adds")
    changes = HazardReferencesField(label="Hazards this release changes")
    affects = HazardReferencesField(label="Hazards this release otherwise affects")
    build_identifier = forms.CharField(
        max_length=200, required=False, help_text="The CI build or commit that is shipped."
    )
    components = SettingsField(required=False, help_text="One component per line: name = version.")
    safety_settings = SettingsField(
        label="Safety-relevant settings",
        required=False,
        help_text="One per line: setting = value, e.g. dose_alerts = on.",
    )

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for change in HazardChange.values:
            self.fields[change].product = product  # type: ignore[attr-defined]

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned data as the release services take it."""
        data = dict(self.cleaned_data)
        data["hazards"] = [(h, change) for change in HazardChange.values for h in data.pop(change)]
        return data


class ReleaseEditForm(ReleaseForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)


def release_initial(release: Release) -> dict[str, Any]:
    initial: dict[str, Any] = {
        field: getattr(release, field)
        for field in ("version", "planned_on", "summary", "build_identifier", "components",
                      "safety_settings", "revision")
    }  # fmt: skip
    for change in HazardChange.values:
        initial[change] = [
            link.hazard for link in release.hazard_links.all() if link.change == change
        ]
    return initial


class PasswordField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label="Your password",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            help_text="Signing is an electronic signature: enter your own password to confirm it.",
            **kwargs,
        )


class SignOffForm(NHSForm):
    statement = forms.CharField(
        label="Your statement as Clinical Safety Officer",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you have assured and on what basis; it is shown with your signature.",
    )
    password = PasswordField()


class BlockForm(NHSForm):
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why the release must not ship, and what would lift the block.",
    )
    password = PasswordField()


class LiftBlockForm(NHSForm):
    reason = forms.CharField(
        label="Why the block is lifted", widget=forms.Textarea(attrs={"rows": 3})
    )


class OverrideForm(NHSForm):
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="At least a few sentences: why releasing now is justified despite the CSO's "
        "position, and what you have put in place. Every later reader of this release sees it.",
    )
    password = PasswordField()


class WithdrawReleaseForm(NHSForm):
    reason = forms.CharField(
        label="Why the release is withdrawn", widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(NHSForm):
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything you noticed; it is kept with the review.",
    )


class EscalateForm(NHSForm):
    recommendation = forms.CharField(
        label="Your recommendation to the accountable executive",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Whether you recommend accepting the residual risk, and why.",
    )


class AcceptRiskForm(NHSForm):
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    password = PasswordField()

    def __init__(self, *args: Any, as_executive: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rationale"]
        if as_executive:
            field.label = "Benefit–risk justification"
            field.help_text = "Why the clinical benefit outweighs this residual risk."
        else:
            field.label = "ALARP rationale"
            field.help_text = "Why reducing the risk further is impractical or disproportionate."
