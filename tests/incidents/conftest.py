"""An incident in MedsFlow, as a ward nurse would report it."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from clinsafe.incidents import services


def report(product: Any, actor: Any, **fields: Any) -> Any:
    today = timezone.localdate()
    defaults = {
        "title": "Dose shown in mg instead of micrograms",
        "description": "Digoxin 62.5 micrograms showed as 62.5 mg on the ward round.",
        "occurred_on": today - timedelta(days=2),
        "patient_affected": True,
        "reported_harm": "low",
    }
    return services.report_incident(actor=actor, product=product, **{**defaults, **fields})


def triage(incident: Any, actor: Any, **fields: Any) -> Any:
    defaults = {"actual_harm": "low", "finding": "hazard_realised", "reassessment_required": True}
    return services.triage_incident(
        actor=actor, incident=incident, version=incident.version, **{**defaults, **fields}
    )


@pytest.fixture
def incident(product: Any, sam: Any) -> Any:
    return report(product, sam)
