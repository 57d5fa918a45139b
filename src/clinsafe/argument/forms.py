"""Forms for the argument pages; they gather input, the services judge it."""

from __future__ import annotations

from typing import Any

from django import forms

from clinsafe.argument.graph import (
    Argument,
    Declaration,
    DefeaterKind,
    DoubtStatus,
    Kind,
    Link,
    StrategyKind,
)
from clinsafe.argument.models import ArtefactKind, ArtefactVersion
from clinsafe.argument.services import NODE_FIELDS
from clinsafe.core.forms import NHSForm
from clinsafe.hazards.models import Control
from clinsafe.products.models import Product, Release

LINK_CHOICES = [(link.value, link.value.capitalize()) for link in Link]


def _choices(enum: Any, blank: str = "") -> list[tuple[str, str]]:
    options = [(e.value, e.value.capitalize()) for e in enum]
    return [("", blank), *options] if blank else options


class NodeForm(NHSForm):
    """The fields a node of ``kind`` has; a new node may be placed under a parent."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    declaration = forms.ChoiceField(
        choices=_choices(Declaration), initial=Declaration.ASSERTED,
        help_text="Needs support: a claim still to be developed (not allowed in a release).",
    )  # fmt: skip
    hazard = forms.CharField(required=False, max_length=20, label="Hazard it addresses",
                             help_text="e.g. H-003; leave empty for other claims.")  # fmt: skip
    residual_rating = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Residual rating it states",
        choices=[("", "Not stated"), *[(str(r), str(r)) for r in range(1, 6)]],
    )  # fmt: skip
    reuse = forms.BooleanField(
        required=False, label="A reuse claim: evidence of an earlier release still holds"
    )
    strategy_kind = forms.ChoiceField(choices=_choices(StrategyKind), label="Kind of strategy")
    side_condition = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000,
        help_text="Why its claims are enough to support the parent claim.",
    )  # fmt: skip
    defeater_kind = forms.ChoiceField(
        choices=_choices(DefeaterKind), label="Kind of doubt",
        help_text="Rebutting attacks a claim; undermining attacks evidence, context or an "
        "assumption; undercutting attacks a strategy's inference.",
    )  # fmt: skip
    artefact = forms.ChoiceField(required=False, label="Artefact version")
    control = forms.ChoiceField(required=False, label="Or a control's verification")
    parent = forms.ChoiceField(required=False, label="Place it under")
    link = forms.ChoiceField(choices=LINK_CHOICES, required=False, label="Linked by")

    def __init__(self, *args: Any, kind: Kind, product: Product, graph: Argument,
                 new: bool, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        keep = {"revision", *NODE_FIELDS[kind]} | ({"parent", "link"} if new else set())
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "artefact" in self.fields:
            controls = Control.objects.filter(product=product, withdrawn_at__isnull=True)
            _choose(self.fields["artefact"], [("", "None"), *artefact_choices(product)])
            _choose(
                self.fields["control"], [("", "None"), *[(c.reference, str(c)) for c in controls]]
            )
        if new:
            _choose(
                self.fields["parent"],
                [("", "Nothing yet"), *[(n.id, f"{n.id} ({n.kind})") for n in graph.nodes]],
            )
            self.fields["link"].initial = (
                Link.CHALLENGES if kind == Kind.DEFEATER
                else Link.IN_CONTEXT_OF if kind in (Kind.CONTEXT, Kind.ASSUMPTION,
                                                    Kind.JUSTIFICATION)
                else Link.SUPPORTED_BY
            )  # fmt: skip
            self.fields[
                "link"
            ].help_text = (
                "A doubt challenges what it is placed under; other nodes are linked from it."
            )

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("revision")
        return data


class LinkForm(NHSForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    link = forms.ChoiceField(choices=LINK_CHOICES, label="Link")
    target = forms.ChoiceField(label="To")

    def __init__(self, *args: Any, graph: Argument, source: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(
            self.fields["target"],
            [(n.id, f"{n.id} ({n.kind}): {n.text[:60]}") for n in graph.nodes if n.id != source],
        )


class SettleDoubtForm(NHSForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        choices=_choices(DoubtStatus), widget=forms.RadioSelect, label="The doubt is"
    )
    rationale = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to accept a doubt as residual: why it can be carried, and what "
        "limits it. Only the product's CSO may accept one.",
    )  # fmt: skip


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One file or several, each checked as a file; cleaned to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ImportForm(NHSForm):
    file = MultipleFileField(
        label="Argument files (gsn2x YAML)",
        help_text="One file, or one per module of the argument (choose them together). They "
        "replace the whole argument. Files that are not a valid argument are refused with each "
        "line and reason, and nothing changes.",
    )


class PutForwardForm(NHSForm):
    release = forms.ModelChoiceField(queryset=Release.objects.none(), empty_label=None)

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["release"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = product.releases.exclude(stage__in=["released", "withdrawn"])
        field.to_field_name = "version"


class ArtefactForm(NHSForm):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ArtefactKind.choices)
    location = forms.CharField(required=False, max_length=500,
                               help_text="A URL, a path, or a document management id.")  # fmt: skip


class ArtefactVersionForm(NHSForm):
    label = forms.CharField(required=False, max_length=100, help_text="e.g. 2.5 final")
    release = forms.ModelChoiceField(
        queryset=Release.objects.none(),
        required=False,
        empty_label="Any release",
        help_text="The release it applies to: evidence for another release is stale.",
    )
    location = forms.CharField(required=False, max_length=500)
    file = forms.FileField(required=False, help_text="Its SHA-256 is recorded.")
    sha256 = forms.CharField(
        required=False,
        max_length=64,
        label="Or its SHA-256",
        help_text="For content kept elsewhere, e.g. a CI artefact.",
    )
    valid_until = forms.DateField(required=False, help_text="e.g. 2027-11-30")

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["release"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = product.releases.all()
        field.to_field_name = "version"

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        upload = data.pop("file")
        if upload is not None:
            data["content"], data["filename"] = upload.read(), upload.name
        return data


def _choose(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def artefact_choices(product: Product) -> list[tuple[str, str]]:
    versions = ArtefactVersion.objects.filter(artefact__product=product).select_related("artefact")
    return [(v.reference, str(v)) for v in versions]
