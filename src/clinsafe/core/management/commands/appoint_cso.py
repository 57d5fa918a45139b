"""`clinsafe appoint-cso ORG USERNAME [--product SLUG] --hours H [--can-block] --by WHO`."""

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinsafe.core.management.acting import (
    add_by_argument,
    find_organisation,
    find_product,
    find_user,
    run,
)
from clinsafe.core.models import AppointmentRole
from clinsafe.core.services import appoint_cso


class Command(BaseCommand):
    help = "Appoint a (deputy) Clinical Safety Officer for a product or a whole organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="organisation slug")
        parser.add_argument("username")
        parser.add_argument("--product", help="product slug; omit for every product")
        parser.add_argument("--deputy", action="store_true", help="appoint a deputy CSO")
        parser.add_argument("--hours", type=Decimal, required=True, help="protected hours a week")
        parser.add_argument(
            "--can-block", action="store_true", help="grant authority to block a release"
        )
        add_by_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = find_organisation(options["organisation"])
        product = find_product(options["product"]) if options["product"] else None
        appointment = run(
            lambda: appoint_cso(
                actor=find_user(options["by"]),
                organisation=organisation,
                user=find_user(options["username"]),
                role=AppointmentRole.DEPUTY if options["deputy"] else AppointmentRole.CSO,
                product=product,
                protected_hours_per_week=options["hours"],
                can_block_release=options["can_block"],
            )
        )
        self.stdout.write(f"Appointed: {appointment}.")
