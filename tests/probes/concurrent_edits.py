"""Many threads edit one hazard at once, each with the version it read: every edit either
lands or is refused as stale, none is lost, and the audit chain still verifies.

Run by tests/hazards/test_concurrency.py against a fresh PostgreSQL database:
    DATABASE_URL=postgres://... python -m tests.probes.concurrent_edits
Prints the outcome as JSON."""

from __future__ import annotations

import json
import os
import random
import threading
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinsafe.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from clinsafe.audit.models import AuditEvent
    from clinsafe.audit.services import verify_audit_trail
    from clinsafe.core.errors import StaleEdit
    from clinsafe.core.models import Membership, Organisation
    from clinsafe.hazards.models import Hazard
    from clinsafe.hazards.services import create_hazard, edit_hazard
    from clinsafe.products.models import Product

    call_command("migrate", verbosity=0)
    cso = User.objects.create_user("priya")
    organisation = Organisation.objects.create(name="Northwind", slug="nw", kind="manufacturer")
    Membership.objects.create(user=cso, organisation=organisation, role="cso")
    product = Product.objects.create(organisation=organisation, name="MedsFlow", slug="medsflow")
    hazard = create_hazard(actor=cso, product=product, title="Start", description="Shared.")
    landed: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()

    def editor(number: int) -> None:
        for attempt in range(8):
            title = f"Edit {number}-{attempt}"
            current = Hazard.objects.get(pk=hazard.pk)
            time.sleep(random.uniform(0, 0.01))  # noqa: S311 - jitter, not security
            try:
                edit_hazard(actor=cso, hazard=current, version=current.version, title=title)
                outcome = landed
            except StaleEdit:
                outcome = refused
            with lock:
                outcome.append(title)
        connection.close()

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = Hazard.objects.get(pk=hazard.pk)
    edits = AuditEvent.objects.filter(event_type="hazard.edited", subject_id=hazard.pk).order_by(
        "sequence"
    )
    print(
        json.dumps(
            {
                "landed": len(landed),
                "refused": len(refused),
                "version": final.version,
                "final_title": final.title,
                "edited_titles": [e.data["changes"]["title"][1] for e in edits],
                "landed_titles": sorted(landed),
                "chain_ok": verify_audit_trail().ok,
            }
        )
    )


if __name__ == "__main__":
    main()
