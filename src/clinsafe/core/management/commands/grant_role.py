"""`clinsafe grant-role ORG USERNAME ROLE --by ADMIN`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinsafe.core.management.acting import (
    add_by_argument,
    find_organisation,
    find_user,
    run,
)
from clinsafe.core.models import Role
from clinsafe.core.services import grant_role


class Command(BaseCommand):
    help = "Give a person another role in an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="organisation slug")
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        add_by_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = find_organisation(options["organisation"])
        membership = run(
            lambda: grant_role(
                actor=find_user(options["by"]),
                organisation=organisation,
                user=find_user(options["username"]),
                role=options["role"],
            )
        )
        self.stdout.write(f"{membership}.")
