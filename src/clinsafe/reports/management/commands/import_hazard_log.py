"""`clinsafe import-hazard-log FILE --product SLUG [--dry-run] [--number-by-file]
[--import-sound] [--json] [--by USERNAME]`."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.core.cso import cso_position
from clinsafe.core.management.acting import find_product, find_user, run
from clinsafe.reports.log_import import ImportOptions, ImportResult, import_hazard_log


class Command(BaseCommand):
    help = (
        "Import a hazard log from an XLSX or CSV file into a product: all or nothing, unless "
        "--import-sound. Prints what it created (or, with --dry-run, would create) and every "
        "row it cannot read; exits 1, writing nothing, when any row cannot be imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the hazard log, .xlsx or .csv")
        parser.add_argument("--product", required=True, help="product slug")
        parser.add_argument("--dry-run", action="store_true", help="check, write nothing")
        parser.add_argument(
            "--number-by-file",
            action="store_true",
            help="number hazards by their references in the file (NRL03 becomes H-003)",
        )
        parser.add_argument(
            "--import-sound",
            action="store_true",
            help="import what can be read, passing over the rows that cannot (each is "
            "listed with what was done about it)",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="who imports (the audit trail names them); needed unless --dry-run, which "
            "otherwise checks as the product's CSO",
        )

    shown = -1

    def _progress(self, done: int, total: int) -> None:
        """Each step (or tenth of the way), on stderr: stdout holds the result."""
        tenth = done * 10 // total
        if tenth > self.shown:
            self.shown = tenth
            self.stderr.write(f"{done:,} of {total:,} steps done.")

    def handle(self, *args: Any, **options: Any) -> None:
        product = find_product(options["product"])
        if options["by"]:
            actor = find_user(options["by"])
        elif options["dry_run"]:
            appointment = cso_position(product).appointment
            if appointment is None:
                raise CommandError(f"{product.name} has no CSO to check as; give --by USERNAME.")
            actor = appointment.user
        else:
            raise CommandError("Say who imports with --by USERNAME: the audit trail names them.")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        result = run(
            lambda: import_hazard_log(
                actor=actor,
                product=product,
                data=data,
                filename=path.name,
                dry_run=options["dry_run"],
                options=ImportOptions(
                    number_by_file=options["number_by_file"],
                    import_sound=options["import_sound"],
                ),
                progress=self._progress,
            )
        )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(_text(result, product.name))
        if not result.ok:
            raise SystemExit(1)


def _text(result: ImportResult, product: str) -> str:
    lines = []
    if result.parsed is not None:
        layout = result.parsed.layout
        first, last = layout.header_rows
        rows = f"row {first}" if first == last else f"rows {first}–{last}"
        lines.append(f"Read sheet {layout.sheet!r}, header in {rows}.")
    verb = "Would create" if result.dry_run else "Created"
    if result.ok:
        lines.append(f"{verb} {len(result.created)} hazards and {result.controls} controls "
                     f"in {product}.")  # fmt: skip
        lines += [f"  {c.reference}{f' ({c.file_reference})' if c.file_reference else ''} "
                  f"{c.title} (row {c.row})" for c in result.created]  # fmt: skip
    else:
        lines.append(f"Not imported: {len(result.problems)} problem(s); nothing was written.")
        lines += [f"  row {p.row}{f' {p.field}' if p.field else ''}: {p.message}"
                  for p in result.problems]  # fmt: skip
        if result.importable_in_part:
            lines.append("Every problem can be passed over: --import-sound imports the rest.")
    if result.skipped:
        lines.append(f"Passed over ({len(result.skipped)}), as --import-sound asks:")
        lines += [f"  row {p.row}{f' {p.field}' if p.field else ''}: {p.message} So {p.outcome}."
                  for p in result.skipped]  # fmt: skip
    if result.mismatches:
        lines.append("Stated ratings that disagree with the matrix (kept, flagged for the CSO):")
        lines += [f"  {m.hazard} {m.stage} (row {m.row}): stated {m.stated}, matrix {m.computed}"
                  for m in result.mismatches]  # fmt: skip
    lines += [f"Note: {note}" for note in result.notes]
    return "\n".join(lines)
