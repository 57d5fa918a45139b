"""`clinsafe backup PATH`: export the whole database to a bundle (a zip)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinsafe.audit.backup import export_bundle


class Command(BaseCommand):
    help = "Export every record to a backup bundle (zip). The audit key is not included."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="where to write the bundle, e.g. backup.zip")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        manifest = export_bundle(path)
        total = sum(manifest["counts"].values())
        self.stdout.write(f"Wrote {total} records to {path} (SHA-256 {manifest['sha256']}).")
