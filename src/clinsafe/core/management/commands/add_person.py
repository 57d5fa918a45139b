"""`clinsafe add-person ORG USERNAME --first-name F --last-name L --role ROLE --by ADMIN`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinsafe.core.management.acting import (
    add_by_argument,
    find_organisation,
    find_user,
    run,
)
from clinsafe.core.models import Role
from clinsafe.core.services import add_person


class Command(BaseCommand):
    help = "Create a person's account with a first role; prints a one-time password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="organisation slug")
        parser.add_argument("username")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--role", choices=Role.values, required=True)
        add_by_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = find_organisation(options["organisation"])
        user, password = run(
            lambda: add_person(
                actor=find_user(options["by"]),
                organisation=organisation,
                username=options["username"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                role=options["role"],
            )
        )
        self.stdout.write(f"Added {user.get_full_name()} ({user.username}) to {organisation.name}.")
        self.stdout.write(f"One-time password (hand it over privately): {password}")
