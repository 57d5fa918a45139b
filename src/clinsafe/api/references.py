"""Records named the way people name them (H-001, C-002, a release's version), resolved
within one product for the API's serializers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from clinsafe.hazards.forms import ControlReferencesField, HazardReferencesField, ReferencesField
from clinsafe.products.models import Product, Release


def _records(field_class: type[ReferencesField], product: Product, refs: list[str]) -> list[Any]:
    field = field_class()
    field.product = product
    try:
        return field.clean(", ".join(refs))  # type: ignore[no-any-return]
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


def hazards(product: Product, refs: list[str]) -> list[Any]:
    return _records(HazardReferencesField, product, refs)


def controls(product: Product, refs: list[str]) -> list[Any]:
    return _records(ControlReferencesField, product, refs)


def release(product: Product, version: str | None) -> Release | None:
    if not version:
        return None
    found = Release.objects.filter(product=product, version=version).first()
    if found is None:
        raise serializers.ValidationError({"release": f"{product.name} has no release {version}."})
    return found


def reference_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list,
        help_text=help_text,
    )  # fmt: skip


def release_field(help_text: str) -> serializers.CharField:
    """A record's release, written and read as its version."""
    return serializers.CharField(
        required=False, allow_null=True, source="release.version", default=None,
        help_text=help_text,
    )  # fmt: skip


def resolve_release(validated_data: dict[str, Any]) -> dict[str, Any]:
    """``validated_data`` with the version given for ``release_field`` read as the release."""
    version = validated_data.pop("release", None) or {}
    return {**validated_data, "release": release(validated_data["product"], version.get("version"))}
