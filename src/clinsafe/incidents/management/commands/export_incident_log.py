"""`clinsafe export-incident-log --product SLUG --format xlsx|csv --output FILE`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.core.management.acting import find_product
from clinsafe.incidents.export import to_csv, to_xlsx
from clinsafe.incidents.models import Incident

WRITERS = {"xlsx": to_xlsx, "csv": to_csv}


class Command(BaseCommand):
    help = "Export a product's safety incident log as XLSX (with an Actions sheet) or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", required=True, help="product slug")
        parser.add_argument("--format", required=True, choices=sorted(WRITERS))
        parser.add_argument("--output", required=True, type=Path, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        product = find_product(options["product"])
        incidents = Incident.objects.filter(product=product).order_by("number")
        content = WRITERS[options["format"]](incidents)
        try:
            options["output"].write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error}") from None
        self.stdout.write(
            f"Wrote {incidents.count()} incidents of {product.name} to {options['output']}."
        )
