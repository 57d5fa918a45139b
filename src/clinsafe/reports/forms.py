"""Forms of the documents pages: the compliance assessment, the plan's approval, and the
hazard log import with its column mapping."""

from __future__ import annotations

from typing import Any

from django import forms

from clinsafe.core.forms import NHSForm
from clinsafe.gate.forms import PasswordField
from clinsafe.reports.dcb0129 import REQUIREMENTS
from clinsafe.reports.log_file import Layout, mapping_choices
from clinsafe.reports.log_import import MAX_FILE_BYTES, ImportOptions
from clinsafe.reports.models import ComplianceStatus


class ComplianceForm(NHSForm):
    """A status and the evidence for each DCB0129 requirement."""

    def __init__(self, *args: Any, evidence_hints: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for requirement in REQUIREMENTS:
            self.fields[f"status_{requirement.clause}"] = forms.ChoiceField(
                label=requirement.label,
                choices=ComplianceStatus.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"evidence_{requirement.clause}"] = forms.CharField(
                label=f"Evidence for {requirement.clause}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=f"Where it is kept: {evidence_hints[requirement.clause]}",
            )

    def answers(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            r.clause: {
                "status": data[f"status_{r.clause}"],
                "evidence": data[f"evidence_{r.clause}"],
            }
            for r in REQUIREMENTS
        }

    @staticmethod
    def initial_from(answers: dict[str, dict[str, str]]) -> dict[str, str]:
        initial = {}
        for clause, answer in answers.items():
            initial[f"status_{clause}"] = answer["status"]
            initial[f"evidence_{clause}"] = answer["evidence"]
        return initial

    def add_error(self, field: str | None, error: Any) -> None:
        # The service names a requirement by its clause; the form's field is its status.
        if field and field[0].isdigit():
            field = f"status_{field}"
        super().add_error(field, error)


class SignForm(NHSForm):
    statement = forms.CharField(
        label="Your statement",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you confirm by signing, in your own words.",
    )
    password = PasswordField()


class UploadForm(NHSForm):
    file = forms.FileField(
        label="Hazard log spreadsheet",
        help_text="An .xlsx workbook or a .csv file, up to 10 MB. Nothing is imported until "
        "you have seen what would be created.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_FILE_BYTES:,} bytes.")
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("Choose an .xlsx or .csv file.")
        return upload


class MappingForm(NHSForm):
    """What each column of the uploaded file holds, as recognised from its headings."""

    def __init__(self, *args: Any, layout: Layout | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = layout.columns if layout else []
        for index, (letter, heading, key) in enumerate(self.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=f"Column {letter}: {heading or '(no heading)'}",
                choices=mapping_choices(),
                initial=key,
            )

        self.fields["number_by_file"] = forms.BooleanField(
            label="Number hazards by their references in the file",
            help_text="NRL03 becomes H-003 and 7 becomes H-007, where the number is free. "
            "Otherwise hazards take the next references of the log; either way each keeps its "
            "reference in the file, shown beside H-nnn.",
            required=False,
        )
        self.fields["import_sound"] = forms.BooleanField(
            label="Import what can be read, and pass over the rows listed as problems",
            help_text="Each row passed over, and what was done about it, is kept with the "
            "import's record. Leave unticked to import nothing until every row can be.",
            required=False,
        )

    def options(self) -> ImportOptions:
        return ImportOptions(
            mapping=[self.cleaned_data[f"column_{i}"] for i in range(len(self.columns))],
            number_by_file=self.cleaned_data["number_by_file"],
            import_sound=self.cleaned_data["import_sound"],
        )

    def column_fields(self) -> list[Any]:
        return [self[f"column_{i}"] for i in range(len(self.columns))]

    def option_fields(self) -> list[Any]:
        return [self["number_by_file"], self["import_sound"]]


class RatingDecisionForm(NHSForm):
    decision = forms.CharField(
        label="Your decision",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the matrix's rating stands, or that you re-assessed the hazard.",
        max_length=2000,
    )
