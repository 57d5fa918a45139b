"""Shared parts of the people commands: who acts, and turning service errors into CLI errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, CommandParser

from clinsafe.core.models import Organisation
from clinsafe.products.models import Product

T = TypeVar("T")


def add_by_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--by",
        required=True,
        metavar="USERNAME",
        help="Who does this (their roles are checked, and the audit trail names them).",
    )


def find_user(username: str, what: str = "user") -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"No {what} with the username {username!r}.") from None


def find_organisation(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise CommandError(f"No organisation with the slug {slug!r}.") from None


def find_product(slug: str) -> Product:
    try:
        return Product.objects.get(slug=slug)
    except Product.DoesNotExist:
        raise CommandError(f"No product with the slug {slug!r}.") from None


def run(action: Callable[[], T]) -> T:
    """Call a service; report a refusal or invalid input as a command error naming the field."""
    try:
        return action()
    except PermissionDenied as error:
        raise CommandError(str(error)) from None
    except ValidationError as error:
        details = (
            "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            if hasattr(error, "error_dict")
            else " ".join(error.messages)
        )
        raise CommandError(details) from None
