"""`clinsafe create-organisation SLUG NAME --kind KIND --by ADMIN`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinsafe.core.management.acting import (
    add_by_argument,
    find_user,
    run,
)
from clinsafe.core.models import OrganisationKind
from clinsafe.core.services import create_organisation


class Command(BaseCommand):
    help = "Create an organisation (platform administrators only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--kind", choices=OrganisationKind.values, required=True)
        add_by_argument(parser)

    def handle(self, *args: Any, slug: str, name: str, kind: str, by: str, **options: Any) -> None:
        organisation = run(
            lambda: create_organisation(actor=find_user(by), name=name, slug=slug, kind=kind)
        )
        self.stdout.write(f"Created {organisation.name} ({organisation.slug}).")
