"""Forms in the NHS.UK frontend style, and the bridge from service errors to form errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest

from clinsafe.core.errors import StaleEdit
from clinsafe.core.lockout import clear_failures, locked_until, record_failure

_CLASSES = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.RadioSelect: "nhsuk-radios__input",
    forms.CheckboxSelectMultiple: "nhsuk-checkboxes__input",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
}

T = TypeVar("T")


class NHSForm(forms.Form):
    """Gives each widget its NHS.UK class and points it at its hint and error message."""

    template_name = "clinsafe/form_fields.html"

    def get_context(self) -> dict[str, Any]:
        # Decorate at render time, so errors added after validation (by a service) show too.
        for name, field in self.fields.items():
            widget = field.widget
            css = next(
                (css for kind, css in _CLASSES.items() if isinstance(widget, kind)), "nhsuk-input"
            )
            if isinstance(widget, forms.RadioSelect):
                widget.template_name = "clinsafe/widgets/radios.html"
            has_error = self.is_bound and name in self.errors
            if has_error and not isinstance(widget, forms.RadioSelect):
                css += f" {css}--error"
            widget.attrs["class"] = css
            described = [f"id_{name}-hint"] if field.help_text else []
            if has_error:
                described.append(f"id_{name}-error")
            if described and not isinstance(widget, forms.RadioSelect):
                widget.attrs["aria-describedby"] = " ".join(described)
        return super().get_context()


YES_NO = [(True, "Yes"), (False, "No")]


def yes_no(label: str, help_text: str = "") -> forms.TypedChoiceField:
    """A yes-or-no question a person must answer, as radios; cleaned to a bool."""
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def run_service(form: forms.Form, action: Callable[[], T]) -> T | None:
    """Call a service function; put its validation or stale-edit error on ``form``."""
    try:
        return action()
    except StaleEdit as error:
        form.add_error(None, str(error))
    except ValidationError as error:
        add_service_errors(form, error)
    return None


def submit(form: forms.Form, action: Callable[[], T]) -> T | None:
    """Validate ``form``, then call a service; None unless both succeed."""
    return run_service(form, action) if form.is_valid() else None


def run_edit(form: forms.Form, edit: Callable[..., T], **arguments: Any) -> T | None:
    """Validate ``form``, then call an edit service with its changes and the version the
    user loaded; None unless both succeed."""
    if not form.is_valid():
        return None
    changes = dict(form.cleaned_data)
    version = changes.pop("version")
    return run_service(form, lambda: edit(version=version, **arguments, **changes))


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    errors = (
        error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    )
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages:
            text = " ".join(message.messages) if isinstance(message, ValidationError) else message
            form.add_error(target, text)


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a username after repeated failures for a while."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        retry = locked_until(username, address)
        if retry:
            raise ValidationError(
                f"Too many failed password attempts. Try again after {retry:%H:%M}.",
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            record_failure(username, address)
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        clear_failures(user.get_username())


def client_address(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None
