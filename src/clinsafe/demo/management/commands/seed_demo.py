"""`clinsafe seed-demo`: load the demo organisation, people and e-prescribing hazard log."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinsafe.demo.story import DEMO_PASSWORD, DEMO_PRODUCT_SLUG, demo_credentials, load_demo


class Command(BaseCommand):
    help = "Load demo data (idempotent). Refused in production unless --force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though CLINSAFE_ENV=production (demo users have a published password).",
        )

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if settings.PRODUCTION and not force:
            raise CommandError(
                "Refusing to load demo data into a production configuration "
                "(CLINSAFE_ENV=production): the demo users' password is public. "
                "Use --force if you really mean it."
            )
        product = load_demo()
        hazards = product.hazards.count()
        self.stdout.write(
            f"Demo product '{product.name}' ({DEMO_PRODUCT_SLUG}): {hazards} hazards."
        )
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for username, role in demo_credentials():
            self.stdout.write(f"  {username:<14} {role}")
