"""Rules of changes after go-live and decommissioning."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clinsafe.audit.models import AuditEvent
from clinsafe.core.models import Notification
from clinsafe.products import changes
from clinsafe.products.models import Change, ChangeSource, LifecycleStatus
from clinsafe.products.services import edit_product
from tests.conftest import raise_hazard


def propose(product: Any, actor: Any, **fields: Any) -> Change:
    defaults = {"kind": "configuration", "title": "Turn on renal dose alerts"}
    return changes.propose_change(actor=actor, product=product, **{**defaults, **fields})


def assess(change: Any, actor: Any, **fields: Any) -> Change:
    defaults = {"hazards": [], "new_hazards": False, "alters_clinical_risk": False,
                "conclusion": "No effect on clinical risk."}  # fmt: skip
    return changes.assess_change(
        actor=actor, change=change, version=change.version, **{**defaults, **fields}
    )


def test_anyone_proposes_a_change_and_it_reaches_the_cso(product: Any, alex: Any, cso: Any):
    change = propose(product, alex, components=["alerts", " alerts ", "renal"],
                     source=ChangeSource.API)  # fmt: skip

    assert change.reference == "CH-001"
    assert change.components == ["alerts", "renal"]
    assert not change.is_assessed
    assert Notification.objects.filter(recipient=cso, message__contains="CH-001").exists()
    assert AuditEvent.objects.filter(event_type="change.proposed", subject_id=change.pk).exists()


def test_an_outsider_may_not_propose(product: Any, charlie: Any):
    with pytest.raises(PermissionDenied):
        propose(product, charlie)


def test_a_change_cannot_join_a_closed_release(product: Any, release: Any, sam: Any):
    release.stage = "withdrawn"
    release.save()
    with pytest.raises(ValidationError) as raised:
        propose(product, sam, release=release)
    assert "release" in raised.value.error_dict


def test_only_an_appointed_cso_assesses(product: Any, sam: Any, priya: Any):
    change = propose(product, sam)
    with pytest.raises(PermissionDenied):
        assess(change, sam)
    with pytest.raises(PermissionDenied, match="not an appointed"):
        assess(change, priya)  # a CSO by role, but not appointed to the product


def test_altering_clinical_risk_needs_hazards_and_a_release(
    product: Any, release: Any, hazard: Any, sam: Any, cso: Any
):
    change = propose(product, sam)
    with pytest.raises(ValidationError) as raised:
        assess(change, cso, alters_clinical_risk=True)
    assert set(raised.value.error_dict) == {"hazards", "release"}

    assessed = assess(change, cso, alters_clinical_risk=True, hazards=[hazard], release=release)

    assert assessed.release == release
    assert list(assessed.hazards.all()) == [hazard]


def test_new_hazards_must_be_raised_and_named(product: Any, hazard: Any, sam: Any, cso: Any):
    change = propose(product, sam)
    with pytest.raises(ValidationError, match="Raise the new hazards"):
        assess(change, cso, new_hazards=True, hazards=[hazard])  # raised before the change
    new = raise_hazard(product, cso, title="Alert fatigue from renal alerts")

    assert assess(change, cso, new_hazards=True, hazards=[hazard, new]).new_hazards


def test_engagement_compares_assessment_with_build(product: Any, sam: Any, cso: Any):
    today = timezone.localdate()
    early = assess(propose(product, sam, built_on=today + timedelta(days=3)), cso)
    late = assess(propose(product, sam, built_on=today - timedelta(days=1)), cso)

    assert changes.engagement(early) == "Assessed 3 days before it was built"
    assert changes.engagement(late) == "Assessed 1 day after it was built"


def test_decommissioning_needs_its_hazards_before_the_product_is_decommissioned(
    product: Any, hazard: Any, sam: Any, cso: Any
):
    with pytest.raises(ValidationError) as raised:
        edit_product(actor=cso, product=product, version=product.version,
                     lifecycle_status=LifecycleStatus.DECOMMISSIONED)  # fmt: skip
    assert "data retention" in str(raised.value)

    change = propose(product, sam, kind="decommissioning", title="Retire MedsFlow")
    with pytest.raises(ValidationError, match="Unknown topics"):
        assess(change, cso, decommissioning={"data_retention": hazard, "archive": hazard})
    assess(change, cso, decommissioning={"data_retention": hazard})

    topics = dict(change.hazard_links.values_list("topic", "hazard__title"))
    assert topics["data_retention"] == hazard.title
    assert "Historic records" in topics["historic_access"]  # raised for the CSO to assess
    product.refresh_from_db()
    edited = edit_product(actor=cso, product=product, version=product.version,
                          lifecycle_status=LifecycleStatus.DECOMMISSIONED)  # fmt: skip
    assert edited.lifecycle_status == LifecycleStatus.DECOMMISSIONED
