"""Web forms of the hazard log. They only collect input: the rules live in services.py."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from clinsafe.core.formats import person_name
from clinsafe.core.forms import NHSForm
from clinsafe.hazards.models import (
    Control,
    ControlKind,
    ControlOrigin,
    ControlStatus,
    Hazard,
    HazardStatus,
)
from clinsafe.products.models import Product
from clinsafe.risk import Likelihood, Severity

User = get_user_model()


class LinesField(forms.CharField):
    """A list of short texts, typed one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ReferencesField(forms.CharField):
    """References of a product's hazards or controls, e.g. ``H-001, H-004``; set
    ``product`` before validating."""

    model: type[Hazard] | type[Control]
    prefix: str
    kind: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"{self.kind.capitalize()} references separated by commas, e.g. {self.prefix}-001, "
            f"{self.prefix}-004.",
        )
        super().__init__(*args, **kwargs)
        self.product: Product | None = None
        self.pattern = re.compile(rf"{self.prefix}-?(\d+)", re.IGNORECASE)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(record.reference for record in value)
        return value

    def to_python(self, value: Any) -> list[Any]:  # type: ignore[override]
        text = super().to_python(value) or ""
        words = [w for w in re.split(r"[\s,;]+", text) if w]
        bad = [w for w in words if not self.pattern.fullmatch(w)]
        if bad:
            raise ValidationError(
                f"{', '.join(bad)} is not a {self.kind} reference like {self.prefix}-001."
            )
        numbers = [int(self.pattern.fullmatch(w).group(1)) for w in words]  # type: ignore[union-attr]
        found = {
            r.number: r
            for r in self.model.objects.filter(product=self.product, number__in=numbers)  # type: ignore[misc]
        }
        missing = [f"{self.prefix}-{n:03d}" for n in numbers if n not in found]
        if missing:
            raise ValidationError(f"This product has no {self.kind} {', '.join(missing)}.")
        return [found[n] for n in dict.fromkeys(numbers)]


class HazardReferencesField(ReferencesField):
    model, prefix, kind = Hazard, "H", "hazard"


class ControlReferencesField(ReferencesField):
    model, prefix, kind = Control, "C", "control"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


def members(product: Product | None) -> Any:
    """People of the product's organisation, for choosing an owner."""
    if product is None:
        return User.objects.none()
    return User.objects.filter(memberships__organisation=product.organisation_id).distinct()


class VersionedForm(NHSForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class HazardForm(NHSForm):
    title = forms.CharField(max_length=200, help_text="A short name for the hazard.")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The hazard itself: the potential source of harm, e.g. a dose shown in the "
        "wrong unit.",
    )
    causes = LinesField(required=False, help_text="One cause per line.")
    effects = LinesField(required=False, help_text="One effect per line.")
    harm = forms.CharField(
        label="Potential clinical harm",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What could happen to a patient.",
    )
    clinical_context = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where and for whom it matters: care setting, users, patient group.",
    )
    owner = MemberChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner")

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members(product)  # type: ignore[attr-defined]


class HazardEditForm(HazardForm, VersionedForm):
    pass


def hazard_initial(hazard: Hazard) -> dict[str, Any]:
    fields = ("title", "description", "causes", "effects", "harm", "clinical_context", "version")
    return {**{f: getattr(hazard, f) for f in fields}, "owner": hazard.owner_id}


class ChoiceHintsRadio(forms.RadioSelect):
    """Radios with the DCB0129 meaning of each choice shown as its hint."""

    def __init__(self, hints: dict[int, str]) -> None:
        super().__init__()
        self.hints = hints

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for _group, options, _index in context["widget"]["optgroups"]:
            for option in options:
                option["hint"] = self.hints.get(int(option["value"]), "")
        return context


class AssessRiskForm(NHSForm):
    severity = forms.TypedChoiceField(
        coerce=int,
        choices=[(s.value, s.label) for s in reversed(Severity)],
        widget=ChoiceHintsRadio({s.value: s.meaning for s in Severity}),
        help_text="The worst credible harm, counted in patients harmed.",
    )
    likelihood = forms.TypedChoiceField(
        coerce=int,
        choices=[(lk.value, lk.label) for lk in reversed(Likelihood)],
        widget=ChoiceHintsRadio({lk.value: lk.meaning for lk in Likelihood}),
        help_text="How likely that harm is, given the hazard.",
    )
    rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this severity and likelihood. Required when a residual severity is "
        "lowered or a residual rating is above the initial one.",
    )


class StatusForm(VersionedForm):
    status = forms.ChoiceField(choices=HazardStatus.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to close or transfer a hazard.",
    )


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it was entered in error. It stays on record, marked withdrawn.",
    )


class ControlForm(NHSForm):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(choices=ControlKind.choices, widget=forms.RadioSelect)
    origin = forms.ChoiceField(
        choices=ControlOrigin.choices,
        widget=forms.RadioSelect,
        initial=ControlOrigin.ADDITIONAL,
        help_text="Existing: already in place before this assessment. Additional: added because "
        "of it.",
    )
    status = forms.ChoiceField(
        choices=ControlStatus.choices, widget=forms.RadioSelect, initial=ControlStatus.PROPOSED
    )
    verification_evidence = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the control was shown to work, e.g. a test report. Required to verify.",
    )
    verification_link = forms.URLField(
        required=False, max_length=500, assume_scheme="https", label="Link to the evidence"
    )
    owner = MemberChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner")

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members(product)  # type: ignore[attr-defined]


class ControlEditForm(ControlForm, VersionedForm):
    pass


def control_initial(control: Control) -> dict[str, Any]:
    fields = (
        "description",
        "kind",
        "origin",
        "status",
        "verification_evidence",
        "verification_link",
        "version",
    )
    return {**{f: getattr(control, f) for f in fields}, "owner": control.owner_id}


class LinkControlForm(NHSForm):
    control = forms.ModelChoiceField(queryset=Control.objects.none(), label="Existing control")

    def __init__(self, *args: Any, hazard: Hazard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["control"].queryset = (  # type: ignore[attr-defined]
            Control.objects.filter(product=hazard.product_id, withdrawn_at__isnull=True).exclude(
                hazards=hazard
            )
        )
