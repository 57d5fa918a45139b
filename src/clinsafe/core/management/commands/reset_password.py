"""`clinsafe reset-password USERNAME`: a one-time link to set a new password, printed for
the server's administrator to give the person privately (for when no email is sent)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.core.management.acting import find_user
from clinsafe.core.passwords import HOURS_VALID, reset_link


class Command(BaseCommand):
    help = (
        "Print a one-time link that sets a new password for a user (server administration); "
        f"it works once, within {HOURS_VALID} hours."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = find_user(username)
        if not user.is_active:
            raise CommandError(f"{username} is deactivated: reactivate the account first.")
        self.stdout.write(reset_link(user))
