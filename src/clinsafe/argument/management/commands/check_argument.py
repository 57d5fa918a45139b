"""`clinsafe check-argument --product SLUG [--release VERSION] [--json]`: every finding about a
product's argument on this server; `clinsafe check-argument --file A.yaml [B.yaml ...]`: the
same checks on gsn2x files alone, with no database (for an argument kept in a repository).
Exit status 0 without errors, 1 with errors, 2 when a file cannot be read as an argument."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.argument.assessment import check_release, check_working
from clinsafe.argument.checks import Facts, Finding, Report, check
from clinsafe.argument.gsn_yaml import ArgumentFileError, Parsed, UnreadableFile, parse_files
from clinsafe.core.management.acting import find_product

UNREADABLE = 2


class Command(BaseCommand):
    help = (
        "Check a product's safety argument (or the one put forward for a release) against the "
        "hazard log and the evidence, or check gsn2x argument files on their own (--file). "
        "Exits 1 when there are errors, 2 when a file is not an argument, 0 otherwise."
    )
    requires_system_checks: list[str] = []  # --file needs no database, nor a migrated one

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", help="product slug")
        parser.add_argument("--release", help="check the argument put forward for this release")
        parser.add_argument(
            "--file", nargs="+", type=Path, metavar="FILE",
            help="gsn2x YAML files of one argument, checked on their own with no server",
        )  # fmt: skip
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["file"]) == bool(options["product"]):
            raise CommandError("Give --product (an argument on this server) or --file, not both.")
        if options["file"]:
            self.check_files(options["file"], as_json=options["json"])
        else:
            self.check_product(options)

    def check_files(self, paths: list[Path], *, as_json: bool) -> None:
        try:
            files = [(str(p), p.read_text("utf-8")) for p in paths]
        except (OSError, UnicodeDecodeError) as error:
            self.stderr.write(f"clinsafe check-argument: cannot read {error}")
            raise SystemExit(UNREADABLE) from None
        try:
            parsed = parse_files(files)
        except UnreadableFile as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise SystemExit(UNREADABLE) from None
        except ArgumentFileError as error:
            self._write_problems(error, as_json, str(paths[0]))
            raise SystemExit(1) from None
        report = check(parsed.argument, Facts(records=False))
        if as_json:
            self.stdout.write(json.dumps({
                "files": [str(p) for p in paths],
                **_summary(report),
                "findings": [_finding(f, _where(parsed, f.node, paths)) for f in report.findings],
            }, indent=2))  # fmt: skip
        else:
            self.stdout.write(
                f"{', '.join(str(p) for p in paths)}: {len(parsed.argument.nodes)} nodes, "
                f"{len(report.errors)} errors, {len(report.warnings)} warnings, "
                f"{report.confidence}."
            )
            for f in report.findings:
                where = _where(parsed, f.node, paths)
                self.stdout.write(f"{where['file']}:{where['line'] or '-'}: {f.severity.upper()} "
                                  f"{f.rule}: {f.message} → {f.action}")  # fmt: skip
        if report.errors:
            raise SystemExit(1)

    def _write_problems(self, error: ArgumentFileError, as_json: bool, first: str) -> None:
        """A file's problems, each with its file (the one file, when only one is checked)."""
        if as_json:
            self.stdout.write(json.dumps({"errors": len(error.problems), "findings": [
                {"rule": p.rule or "file", "severity": "error", "file": p.file or first,
                 "line": p.line,
                 "message": p.message}
                for p in error.problems
            ]}, indent=2))  # fmt: skip
            return
        for p in error.problems:
            self.stdout.write(f"{p.file or first}:{p.line}: ERROR {p.rule or 'file'}: {p.message}")

    def check_product(self, options: dict[str, Any]) -> None:
        product = find_product(options["product"])
        if options["release"]:
            release = product.releases.filter(version=options["release"]).first()
            if release is None:
                raise CommandError(f"{product.name} has no release {options['release']!r}.")
            checked = check_release(release)
            if checked is None:
                raise CommandError(
                    f"No argument has been put forward for {product.name} {release.version}."
                )
        else:
            checked = check_working(product)
        report = checked.report
        if options["json"]:
            self.stdout.write(json.dumps({
                "product": product.slug,
                "release": checked.release.version if checked.release else None,
                "revision": checked.revision,
                **_summary(report),
                "findings": [_finding(f) for f in report.findings],
            }, indent=2))  # fmt: skip
        else:
            against = f", checked for release {checked.release.version}" if checked.release else ""
            self.stdout.write(
                f"{product.name} safety argument (revision {checked.revision}{against}): "
                f"{len(report.errors)} errors, {len(report.warnings)} warnings, "
                f"{report.confidence}."
            )
            for f in report.findings:
                self.stdout.write(f"{f.severity.upper():8} {f.rule:22} {f.node or '-':10} "
                                  f"{f.message} → {f.action}")  # fmt: skip
        if report.errors:
            raise SystemExit(1)


def _summary(report: Report) -> dict[str, Any]:
    return {"errors": len(report.errors), "warnings": len(report.warnings),
            "confidence": report.confidence}  # fmt: skip


def _finding(f: Finding, where: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity, "node": f.node, **(where or {}),
            "message": f.message, "action": f.action}  # fmt: skip


def _where(parsed: Parsed, node: str, paths: list[Path]) -> dict[str, Any]:
    """The file and line that define ``node`` (none for a finding about the whole)."""
    file = (parsed.files or {}).get(node, str(paths[0]))
    return {"file": file, "line": parsed.lines.get(node)}
