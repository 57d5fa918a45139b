"""Web forms for people, roles, credentials, appointments and tokens (input only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import User
from django.db.models import QuerySet

from clinsafe.core.forms import NHSForm
from clinsafe.core.models import REGULATOR_CHOICES, AppointmentRole, Organisation, Role
from clinsafe.products.models import Product
from clinsafe.risk.acceptance import DCB0129_LEVELS, AcceptanceLevel


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class AddPersonForm(NHSForm):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect)


class GrantRoleForm(NHSForm):
    user = PersonChoiceField(queryset=User.objects.none(), label="Person")
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__organisation=organisation).distinct()
        self.fields["user"].queryset = members.order_by("username")  # type: ignore[attr-defined]


class AppointForm(NHSForm):
    user = PersonChoiceField(
        queryset=User.objects.none(),
        label="Person",
        help_text="Only people holding the Clinical Safety Officer or deputy role are listed.",
    )
    role = forms.ChoiceField(choices=AppointmentRole.choices, widget=forms.RadioSelect)
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        empty_label="All products of the organisation",
        label="Scope",
    )
    starts_on = forms.DateField(widget=DateInput)
    ends_on = forms.DateField(widget=DateInput, required=False)
    protected_hours_per_week = forms.DecimalField(
        min_value=0, max_value=80, decimal_places=1, help_text="Time set aside for the role."
    )
    can_block_release = forms.BooleanField(
        required=False,
        label="Grants authority to block a release",
        widget=forms.CheckboxInput,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        holders = User.objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=AppointmentRole.values,
        ).distinct()
        self.fields["user"].queryset = holders.order_by("username")  # type: ignore[attr-defined]
        products: QuerySet[Product] = organisation.products.all()
        self.fields["product"].queryset = products  # type: ignore[attr-defined]


class EndAppointmentForm(NHSForm):
    ends_on = forms.DateField(widget=DateInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class RegistrationForm(NHSForm):
    regulator = forms.ChoiceField(choices=REGULATOR_CHOICES)
    other_regulator_name = forms.CharField(
        max_length=200, required=False, help_text="Only when the regulator is not listed."
    )
    profession = forms.CharField(max_length=100, help_text="e.g. Doctor, Nurse, Pharmacist.")
    number = forms.CharField(max_length=50, label="Registration number")
    last_confirmed_on = forms.DateField(
        widget=DateInput, help_text="When you last checked the register."
    )
    expires_on = forms.DateField(
        widget=DateInput, required=False, label="Revalidation or renewal date"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TrainingForm(NHSForm):
    course = forms.CharField(max_length=200, help_text="e.g. NHS England DCB0129/0160 training.")
    completed_on = forms.DateField(widget=DateInput)


class TokenForm(NHSForm):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. CI pipeline.")


class AcceptancePolicyForm(NHSForm):
    """Who may accept each residual rating; each offers only DCB0129's level or stricter."""

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policy = organisation.acceptance_policy
        for rating, floor in DCB0129_LEVELS.items():
            self.fields[f"rating_{rating}"] = forms.ChoiceField(
                label=f"Residual rating {rating}",
                choices=[(lv.key, lv.label) for lv in AcceptanceLevel if lv >= floor],
                initial=policy.level(rating).key,
            )

    def levels(self) -> dict[int, str]:
        return {int(name.split("_")[1]): value for name, value in self.cleaned_data.items()}


class PasswordResetRequestForm(NHSForm):
    email = forms.EmailField(
        label="Email address", help_text="The address your clinsafe account has.", max_length=254
    )


class NewPasswordForm(NHSForm, SetPasswordForm):
    """Django's form for a password set from a reset link, in NHS.UK style."""


class ChangePasswordForm(NHSForm, PasswordChangeForm):
    """Django's form for changing one's password, in NHS.UK style."""
