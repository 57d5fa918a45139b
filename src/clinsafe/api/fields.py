"""Serializer fields shared by the API's resources."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from clinsafe.core.permissions import visible_organisations

MAX_VERSION = 2**31 - 1  # the largest the database's integer column holds


class UsernameField(serializers.SlugRelatedField):
    """A person, written and read as their username. Only people who share an organisation
    with the requester are found: anyone else's username answers as one that does not
    exist, so usernames of other organisations cannot be learnt by trying them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", get_user_model().objects.all())
        super().__init__(slug_field="username", **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        if request is None:
            return get_user_model().objects.none()
        shared = visible_organisations(request.user)
        people = get_user_model().objects.filter(memberships__organisation__in=shared)
        return people.distinct()


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
