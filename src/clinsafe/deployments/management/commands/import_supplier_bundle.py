"""`clinsafe import-supplier-bundle FILE --organisation SLUG --by USERNAME`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.core.management.acting import add_by_argument, find_organisation, find_user, run
from clinsafe.deployments.compare import compare
from clinsafe.deployments.services import import_supplier_bundle


class Command(BaseCommand):
    help = (
        "Import a supplier's bundle into a deploying organisation as the supplier's read-only "
        "record of that product version; refused, saying why, if it fails the schema or its "
        "manifest. Prints what the supplier added, changed and removed since the last one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the bundle, JSON")
        parser.add_argument("--organisation", required=True, help="the deploying organisation")
        add_by_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = find_organisation(options["organisation"])
        try:
            data = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        bundle = run(
            lambda: import_supplier_bundle(
                actor=find_user(options["by"]), organisation=organisation, data=data
            )
        )
        self.stdout.write(f"Imported {bundle} into {organisation.name}.")
        if bundle.previous is not None:
            comparison = compare(bundle.previous.content, bundle.content)
            for kind, counts in comparison.counts.items():
                self.stdout.write(
                    f"  {kind} since {bundle.previous.release_version}: {counts['added']} added, "
                    f"{counts['changed']} changed, {counts['removed']} removed"
                )
