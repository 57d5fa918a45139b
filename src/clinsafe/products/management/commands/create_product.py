"""`clinsafe create-product SLUG NAME --organisation SLUG --by USERNAME
[--intended-use TEXT] [--care-settings TEXT] [--intended-users TEXT] [--json]`."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinsafe.core.management.acting import add_by_argument, find_organisation, find_user, run
from clinsafe.products.services import create_product

DESCRIBED_BY = ("intended_use", "care_settings", "intended_users", "patient_groups")


class Command(BaseCommand):
    help = (
        "Put a product under clinical risk management in an organisation (its CSO or "
        "administrator), so a hazard log can be imported into it: with import-hazard-log "
        "and export-hazard-log, a migration from a spreadsheet runs end to end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the product's short name in addresses, e.g. medsflow")
        parser.add_argument("name", help="the product's name, e.g. MedsFlow")
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        for name in DESCRIBED_BY:
            parser.add_argument(f"--{name.replace('_', '-')}", default="", metavar="TEXT")
        parser.add_argument("--json", action="store_true", help="print the product as JSON")
        add_by_argument(parser)

    def handle(self, *args: Any, slug: str, name: str, **options: Any) -> None:
        organisation = find_organisation(options["organisation"])
        actor = find_user(options["by"])
        described = {field: options[field] for field in DESCRIBED_BY if options[field]}
        product = run(
            lambda: create_product(
                actor=actor, organisation=organisation, name=name, slug=slug, **described
            )
        )
        if options["json"]:
            self.stdout.write(json.dumps(
                {"slug": product.slug, "name": product.name,
                 "organisation": organisation.slug, **described}, ensure_ascii=False,
            ))  # fmt: skip
        else:
            self.stdout.write(f"Created {product.name} ({product.slug}) in {organisation.name}.")
