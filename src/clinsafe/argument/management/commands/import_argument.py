"""`clinsafe import-argument FILE.yaml [MORE.yaml ...] --product SLUG --by USERNAME`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.argument.gsn_yaml import ArgumentFileError
from clinsafe.argument.services import import_argument
from clinsafe.core.management.acting import add_by_argument, find_product, find_user, run


class Command(BaseCommand):
    help = (
        "Replace a product's safety argument with one in gsn2x YAML. A file that is not a "
        "valid argument is refused with each line and reason, and nothing changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            type=Path,
            nargs="+",
            help="the argument as gsn2x YAML: one file, or one per module",
        )
        parser.add_argument("--product", required=True, help="product slug")
        add_by_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        product = find_product(options["product"])
        try:
            files = [(str(path), path.read_text(encoding="utf-8")) for path in options["file"]]
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {error}") from None
        try:
            graph = run(lambda: import_argument(actor=find_user(options["by"]), product=product,
                                                files=files))  # fmt: skip
        except ArgumentFileError as error:
            first = str(options["file"][0])
            lines = "\n".join(f"  {p.file or first}:{p.line}: {p.message}" for p in error.problems)
            raise CommandError(
                f"Not imported: the file is not a valid argument.\n{lines}"
            ) from None
        self.stdout.write(
            f"Imported {len(graph.nodes)} nodes into the argument for {product.name}."
        )
