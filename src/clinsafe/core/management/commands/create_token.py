"""`clinsafe create-token USERNAME --name NAME`: a personal API token, printed once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinsafe.core.management.acting import find_user, run
from clinsafe.core.services import create_token


class Command(BaseCommand):
    help = "Create a personal API token for a user (server administration); prints it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="Created on the command line", help="what the token is for"
        )

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        _token, key = run(lambda: create_token(actor=find_user(username), name=name))
        self.stdout.write(key)
