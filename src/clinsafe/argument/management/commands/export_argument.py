"""`clinsafe export-argument --product SLUG --output FILE.yaml` (or a folder, for an argument
imported as several module files: each file is written back into it)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.argument.gsn_yaml import dump_files
from clinsafe.argument.services import argument_of
from clinsafe.core.management.acting import find_product


class Command(BaseCommand):
    help = "Write a product's safety argument as gsn2x YAML (gsn2x can draw it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", required=True, help="product slug")
        parser.add_argument(
            "--output", type=Path, required=True,
            help="the file to write, or a folder for an argument kept in modules",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        product = find_product(options["product"])
        graph = argument_of(product).graph
        output: Path = options["output"]
        files = dump_files(graph)
        try:
            if graph.modules:
                output.mkdir(parents=True, exist_ok=True)
                for name, text in files:
                    (output / Path(name).name).write_text(text, encoding="utf-8")
            else:
                output.write_text(files[0][1], encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error}") from None
        where = f"{len(files)} module files in {output}" if graph.modules else str(output)
        self.stdout.write(f"Wrote {len(graph.nodes)} nodes to {where}.")
