from typing import Any

from django import forms

from clinsafe.core.forms import NHSForm
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
