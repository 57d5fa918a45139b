"""`clinsafe export-supplier-bundle --product SLUG --release VERSION --output FILE`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.core.management.acting import find_product
from clinsafe.products.models import Release
from clinsafe.reports.bundle import export_bundle


class Command(BaseCommand):
    help = (
        "Export a release's hazard log, controls, safety case and signatures as one JSON "
        "bundle for a deploying organisation, with a SHA-256 manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", required=True, help="product slug")
        parser.add_argument("--release", required=True, help="release version")
        parser.add_argument("--output", required=True, type=Path, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        product = find_product(options["product"])
        release = Release.objects.filter(product=product, version=options["release"]).first()
        if release is None:
            raise CommandError(f"{product.name} has no release {options['release']!r}.")
        try:
            options["output"].write_bytes(export_bundle(release))
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error}") from None
        self.stdout.write(f"Wrote the bundle of {release} to {options['output']}.")
