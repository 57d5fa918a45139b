"""`clinsafe verify-audit`: walk the audit chain and report the first event that fails."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clinsafe.audit.services import verify_audit_trail


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and signatures; exit 1 at the first failure."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_audit_trail()
        if not result.ok:
            raise CommandError(str(result))
        self.stdout.write(str(result))
