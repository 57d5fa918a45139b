"""`clinsafe check-argument --product SLUG [--release VERSION] [--json]`: every finding, and
exit status 1 when there are errors."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.argument.assessment import check_release, check_working
from clinsafe.core.management.acting import find_product


class Command(BaseCommand):
    help = (
        "Check a product's safety argument (or the one put forward for a release) against the "
        "hazard log and the evidence. Exits 1 when there are errors, 0 otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", required=True, help="product slug")
        parser.add_argument("--release", help="check the argument put forward for this release")
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
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
                "errors": len(report.errors),
                "warnings": len(report.warnings),
                "confidence": report.confidence,
                "findings": [
                    {"rule": f.rule, "severity": f.severity, "node": f.node,
                     "message": f.message, "action": f.action}
                    for f in report.findings
                ],
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
