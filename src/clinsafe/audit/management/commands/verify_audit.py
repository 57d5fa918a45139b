"""`clinsafe verify-audit`: walk the audit chain and report the first event that fails, and
every safety record that no longer matches it."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.audit.services import verify_audit_trail


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain, its signed head, the seals of signed records and "
        "every safety record against its last event; exit 1 at the first failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            nargs="?",
            const=settings.AUDIT_CHECKPOINT,
            type=Path,
            metavar="FILE",
            help="also check the chain reaches the signed checkpoint kept outside the "
            f"database (default {settings.AUDIT_CHECKPOINT}), and move it forward",
        )

    def handle(self, *args: Any, checkpoint: Path | None, **options: Any) -> None:
        result = verify_audit_trail(checkpoint)
        if not result.ok:
            raise CommandError(str(result))
        self.stdout.write(str(result))
        if checkpoint:
            self.stdout.write(f"The chain reaches the checkpoint in {checkpoint}.")
