"""Serializer fields shared by the API's resources."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

MAX_VERSION = 2**31 - 1  # the largest the database's integer column holds


class UsernameField(serializers.SlugRelatedField):
    """A person, written and read as their username."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", get_user_model().objects.all())
        super().__init__(slug_field="username", **kwargs)


class VersionField(serializers.IntegerField):
    """The version the client loaded; required on update so no edit is silently lost."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_VERSION)
        kwargs.setdefault(
            "help_text",
            "Version of the record as you loaded it. Required on update; a stale version "
            "gets HTTP 409.",
        )
        super().__init__(**kwargs)
