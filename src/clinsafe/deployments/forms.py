from typing import Any

from django import forms

from clinsafe.core.forms import NHSForm, yes_no
from clinsafe.core.models import Organisation
from clinsafe.core.people_forms import DateInput
from clinsafe.deployments.models import AssuranceConclusion, SupplierBundle, TransferDecisionKind
from clinsafe.products.models import Release
from clinsafe.reports.bundle import MAX_BUNDLE_BYTES


class BundleUploadForm(NHSForm):
    file = forms.FileField(
        label="Supplier bundle (JSON)",
        help_text="The bundle your supplier exported from clinsafe for a product version.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BUNDLE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BUNDLE_BYTES:,} bytes.")
        return upload


class DeploymentForm(NHSForm):
    """What a health organisation records of a deployment; the version comes from a bundle it
    has received, or from a release of a product it makes itself."""

    version = forms.ChoiceField(
        label="Product version deployed",
        help_text="From a supplier bundle you have imported, or a release of your own product.",
    )
    site = forms.CharField(
        label="Site or service", max_length=200, help_text="e.g. Riverside Community Hospital."
    )
    clinical_scope = forms.CharField(
        label="Local clinical scope and intended use",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What it is used for here, and what it is not used for.",
    )
    user_groups = forms.CharField(
        label="User groups", widget=forms.Textarea(attrs={"rows": 2}), help_text="Who uses it."
    )
    patient_groups = forms.CharField(
        label="Patient groups", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    operating_environment = forms.CharField(
        label="Operating environment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Hosting, devices, networks and the local systems it connects to.",
    )
    go_live_on = forms.DateField(label="Planned go-live date", widget=DateInput())
    review_interval_months = forms.IntegerField(
        label="Months between in-use reviews", min_value=1, max_value=36, initial=12
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bundles = SupplierBundle.objects.filter(organisation=organisation).defer("content")
        releases = Release.objects.filter(product__organisation=organisation).exclude(
            product__deployment__isnull=False
        )
        version = self.fields["version"]
        assert isinstance(version, forms.ChoiceField)
        version.choices = [
            ("", "Choose a version"),
            *[(f"bundle:{b.pk}", f"{b} (supplier bundle)") for b in bundles],
            *[
                (f"release:{r.pk}", f"{r} (your own product)")
                for r in releases.select_related("product")
            ],
        ]
        self.organisation = organisation

    def source(self) -> tuple[str, int]:
        kind, pk = self.cleaned_data["version"].split(":")
        return kind, int(pk)


class TransferDecisionForm(NHSForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (TransferDecisionKind.ACCEPTED, "Accept: we implement it locally"),
            (TransferDecisionKind.REJECTED, "Reject: we do not implement it"),
        ],
        widget=forms.RadioSelect,
    )
    implementation = forms.CharField(
        label="If accepted: how it is implemented, and by whom",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    reasons = forms.CharField(
        label="If rejected: why",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="A rejected control is raised as a local hazard, for you to control.",
    )


class AssuranceReviewForm(NHSForm):
    conclusion = forms.ChoiceField(
        label="Your conclusion", choices=AssuranceConclusion.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="What you found in the supplier's evidence",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Name any condition go-live rests on.",
    )


class AcceptRisksForm(NHSForm):
    statement = forms.CharField(
        label="Your statement as accountable executive", widget=forms.Textarea(attrs={"rows": 3})
    )
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput,
        help_text="Re-enter your password to sign.",
    )


class InUseReviewForm(NHSForm):
    held_on = forms.DateField(label="Held on", widget=DateInput())
    findings = forms.CharField(label="Findings", widget=forms.Textarea(attrs={"rows": 5}))
    continue_use = yes_no("May the deployment stay in use?")


class DecommissionForm(NHSForm):
    decommissioned_on = forms.DateField(label="Decommissioned on", widget=DateInput())
    successor = forms.CharField(
        label="Succeeding system",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What replaces it, or that nothing does.",
    )
    data_migration = forms.CharField(
        label="Data migration and retention", widget=forms.Textarea(attrs={"rows": 3})
    )
    historic_access = forms.CharField(
        label="Access to historic records", widget=forms.Textarea(attrs={"rows": 3})
    )
