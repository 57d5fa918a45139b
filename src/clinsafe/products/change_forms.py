"""Web forms of changes. They only collect input: the rules live in changes.py."""

from __future__ import annotations

from typing import Any

from django import forms

from clinsafe.core.forms import NHSForm, yes_no
from clinsafe.core.people_forms import DateInput
from clinsafe.hazards.forms import HazardReferencesField, LinesField, VersionedForm
from clinsafe.hazards.models import Hazard
from clinsafe.products.models import ChangeKind, DecommissioningTopic, Product, Release


class ReleaseChoiceField(forms.ModelChoiceField):
    """A release of the product, shown by its version."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.version)


def _open_releases(product: Product) -> Any:
    return Release.objects.filter(product=product, released_at__isnull=True).exclude(
        stage="withdrawn"
    )


class ProposeChangeForm(NHSForm):
    kind = forms.ChoiceField(choices=ChangeKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    link = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="The ticket or pull request, if there is one.",
    )
    components = LinesField(required=False, help_text="The components it touches, one a line.")
    release = ReleaseChoiceField(
        queryset=Release.objects.none(),
        required=False,
        empty_label="Not yet in a release",
        label="Release that will carry it",
    )
    built_on = forms.DateField(
        label="Built on", required=False, widget=DateInput, help_text="Leave empty until built."
    )

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = _open_releases(product)  # type: ignore[attr-defined]


class AssessChangeForm(VersionedForm):
    hazards = HazardReferencesField(label="Hazards it touches")
    new_hazards = yes_no(
        "Do new hazards arise?", "If so, raise them in the hazard log first and list them above."
    )
    alters_clinical_risk = yes_no(
        "Does it alter clinical risk?", "If so, a release must carry it: its sign-off issues "
        "a new Safety Case Report."
    )  # fmt: skip
    release = ReleaseChoiceField(
        queryset=Release.objects.none(),
        required=False,
        empty_label="Not in a release",
        label="Release that carries it",
    )
    conclusion = forms.CharField(
        label="Your conclusion", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The change's safety impact, and what must happen before it goes live.",
    )  # fmt: skip

    def __init__(self, *args: Any, product: Product, decommissioning: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hazards"].product = product  # type: ignore[attr-defined]
        self.fields["release"].queryset = _open_releases(product)  # type: ignore[attr-defined]
        if decommissioning:
            hazards = Hazard.objects.filter(product=product).in_log()
            for topic in DecommissioningTopic:
                self.fields[f"topic_{topic.value}"] = forms.ModelChoiceField(
                    queryset=hazards,
                    required=False,
                    label=f"Hazard for {topic.label.lower()}",
                    empty_label="Raise a new hazard for this",
                )

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        topics = {t.value: data.pop(f"topic_{t.value}", None) for t in DecommissioningTopic}
        decommissioning = any(f"topic_{t}" in self.fields for t in topics)
        data["decommissioning"] = topics if decommissioning else None
        return data
