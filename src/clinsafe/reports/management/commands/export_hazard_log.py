"""`clinsafe export-hazard-log --product SLUG --format xlsx|csv|json --output FILE`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.core.management.acting import find_product
from clinsafe.reports.records import read_log
from clinsafe.reports.spreadsheet import to_csv, to_json, to_xlsx

WRITERS = {"xlsx": to_xlsx, "csv": to_csv, "json": to_json}


class Command(BaseCommand):
    help = "Export a product's hazard log as XLSX (with a Controls sheet), CSV or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", required=True, help="product slug")
        parser.add_argument("--format", required=True, choices=sorted(WRITERS))
        parser.add_argument("--output", required=True, type=Path, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        product = find_product(options["product"])
        records = read_log(product)
        content = WRITERS[options["format"]](records)
        try:
            options["output"].write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error}") from None
        self.stdout.write(
            f"Wrote {len(records.hazards)} hazards and {len(records.controls)} controls of "
            f"{product.name} to {options['output']}."
        )
