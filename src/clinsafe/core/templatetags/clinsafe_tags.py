"""Template tags used on every page: the one way to show a rating."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from clinsafe.core.formats import long_date, long_datetime
from clinsafe.risk import NHS_EXAMPLE_SCHEME, Likelihood, Severity

register = template.Library()

# The colour only reinforces the number and word, which carry the meaning.
_TAG_COLOURS = {1: "green", 2: "aqua-green", 3: "yellow", 4: "orange", 5: "red"}


@register.simple_tag
def rating_tag(rating: int | None) -> str:
    if rating is None:
        return mark_safe('<span class="nhsuk-tag nhsuk-tag--grey">Not assessed</span>')
    word = NHS_EXAMPLE_SCHEME.acceptability(rating).word
    return format_html(
        '<strong class="nhsuk-tag nhsuk-tag--{}" title="Risk rating {} of 5: {}">{} {}</strong>',
        _TAG_COLOURS[rating],
        rating,
        word,
        rating,
        word,
    )


register.filter("long_date", long_date)  # 2 December 2026, the one date format people read
register.filter("long_datetime", long_datetime)


@register.filter
def supplier_ref(references: str | list[str], bundle: Any) -> str:
    """A supplier's reference, or a list of them, with its mark: H-003 to MF:H-003."""
    if isinstance(references, str):
        return str(bundle.reference(references))
    return ", ".join(bundle.reference(r) for r in references)


@register.filter
def severity_label(value: int | None) -> str:
    return Severity(value).label if value else ""


@register.filter
def likelihood_label(value: int | None) -> str:
    return Likelihood(value).label if value else ""


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with ``changes`` applied (None removes a key); page resets."""
    params = context["request"].GET.copy()
    params.pop("page", None) if "page" not in changes else None
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(list(params.lists()), doseq=True) if params else "?"


@register.filter
def sort_state(current: str, column: str) -> str:
    """aria-sort value of ``column`` given the current ``sort`` parameter."""
    if current == column:
        return "ascending"
    if current == f"-{column}":
        return "descending"
    return "none"


@register.filter
def next_sort(current: str, column: str) -> str:
    return f"-{column}" if current == column else column


@register.simple_tag
def hazard_href(slug: str, reference: str, view: str = "hazard-detail") -> str:
    """The page of the hazard with ``reference`` (e.g. H-004), as gate reports name them."""
    return reverse(view, args=[slug, int(reference.split("-", 1)[1])])
