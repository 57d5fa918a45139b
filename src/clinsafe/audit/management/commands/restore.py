"""`clinsafe restore PATH`: load a backup bundle into an empty, migrated database."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.audit.backup import BackupError, restore_bundle


class Command(BaseCommand):
    help = (
        "Restore a backup bundle into an empty database (run `clinsafe migrate` first), all or "
        "nothing; the audit chain must verify with this server's CLINSAFE_AUDIT_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the bundle written by `clinsafe backup`")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            manifest = restore_bundle(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        total = sum(manifest["counts"].values())
        self.stdout.write(f"Restored {total} records from {path}; the audit trail verifies.")
