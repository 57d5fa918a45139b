"""`clinsafe export-argument --product SLUG --output FILE.yaml`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.argument.gsn_yaml import dump
from clinsafe.argument.services import argument_of
from clinsafe.core.management.acting import find_product


class Command(BaseCommand):
    help = "Write a product's safety argument as gsn2x YAML (gsn2x can draw it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", required=True, help="product slug")
        parser.add_argument("--output", type=Path, required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        product = find_product(options["product"])
        graph = argument_of(product).graph
        try:
            options["output"].write_text(dump(graph), encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error}") from None
        self.stdout.write(f"Wrote {len(graph.nodes)} nodes to {options['output']}.")
