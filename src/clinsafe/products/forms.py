"""Web forms for product records. They only collect input: the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from clinsafe.core.forms import NHSForm
from clinsafe.core.models import Organisation
from clinsafe.hazards.forms import VersionedForm
from clinsafe.products.models import LifecycleStatus, MedicalDevice, Product


class ProductDescriptionForm(NHSForm):
    name = forms.CharField(max_length=200)
    intended_use = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the product is for, as its safety case will state it.",
    )
    care_settings = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    intended_users = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    patient_groups = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    third_party_products = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Products from other makers it uses or connects to, one a line; the safety "
        "case report and the DTAC answers list them.",
    )
    lifecycle_status = forms.ChoiceField(
        choices=LifecycleStatus.choices, widget=forms.RadioSelect, label="Lifecycle"
    )
    medical_device = forms.ChoiceField(
        choices=MedicalDevice.choices,
        widget=forms.RadioSelect,
        required=False,
        label="Is it a medical device?",
        help_text="Under the UK Medical Devices Regulations 2002, as your regulatory file "
        "decides; the DTAC answers (C1.1.1, C1.1.2) state it.",
    )


class ProductCreateForm(ProductDescriptionForm):
    slug = forms.SlugField(
        max_length=80,
        label="Web address name",
        help_text="The short name in the product's web addresses, e.g. medsflow-epma.",
    )
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    field_order = ["organisation", "name", "slug"]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations  # type: ignore[attr-defined]
        if len(organisations) == 1:
            field.initial = organisations[0]
            field.widget = forms.HiddenInput()


class ProductEditForm(ProductDescriptionForm, VersionedForm):
    pass


def product_initial(product: Product) -> dict[str, Any]:
    fields = ("name", "intended_use", "care_settings", "intended_users", "patient_groups",
              "third_party_products")  # fmt: skip
    return {
        **{f: getattr(product, f) for f in fields},
        "lifecycle_status": product.lifecycle_status,
        "medical_device": product.medical_device,
        "version": product.version,
    }
