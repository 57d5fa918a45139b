"""Forms in the NHS.UK frontend style, and the bridge from service errors to form errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from clinsafe.core.errors import StaleEdit

_CLASSES = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.RadioSelect: "nhsuk-radios__input",
    forms.CheckboxSelectMultiple: "nhsuk-checkboxes__input",
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


def run_service(form: forms.Form, action: Callable[[], T]) -> T | None:
    """Call a service function; put its validation or stale-edit error on ``form``."""
    try:
        return action()
    except StaleEdit as error:
        form.add_error(None, str(error))
    except ValidationError as error:
        add_service_errors(form, error)
    return None


def run_edit(form: forms.Form, edit: Callable[..., T], **arguments: Any) -> T | None:
    """Call an edit service with the form's changes and the version the user loaded."""
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
