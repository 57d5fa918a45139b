"""The health check read from histories made through the services, with named people."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from clinsafe.demo.history import days_ago
from clinsafe.gate import services as gate
from clinsafe.health.evidence import default_period, health_check
from clinsafe.health.services import record_process_review, record_time
from tests.conftest import PASSWORD, argue_for
from tests.gate.conftest import assessed, review_all, sign_off

pytestmark = pytest.mark.django_db


def check(product):
    return health_check(product, *default_period(timezone.localdate()))


def need(product, key):
    return next(n for n in check(product).needs if n.key == key)


def ship(cso, sam, release, product, *, created, reviewed, released):
    """A release made ``created`` days ago, reviewed and signed ``reviewed`` days ago and
    recorded released ``released`` days ago."""
    with days_ago(reviewed):
        review_all(cso, release)
        argue_for(release, cso, sam)
        sign_off(cso, release)
    with days_ago(released):
        gate.record_released(actor=sam, release=release)


def test_a_cso_engaged_weeks_before_release_is_sound(cso, sam, product):
    from clinsafe.products.releases import create_release

    with days_ago(40):
        assessed(product, cso, initial=(1, 2), residual=(1, 1))
        release = create_release(actor=sam, product=product, version="1.0")
    ship(cso, sam, release, product, created=40, reviewed=30, released=5)
    judged = need(product, "early_engagement")
    assert judged.status == "sound"
    # 25 days, counted in local dates: 24 late in the evening when a clock change lies
    # between the review and the release.
    now = timezone.now()
    days = (
        timezone.localdate(now - timedelta(days=5)) - timezone.localdate(now - timedelta(days=30))
    ).days
    assert days in (24, 25)
    assert judged.evidence[0].endswith(f"CSO first acted {days} days before.")


def test_a_cso_first_seen_on_release_day_is_hollow(cso, sam, tom, product):
    from clinsafe.products.releases import create_release

    with days_ago(40):
        assessed(product, tom, initial=(1, 2), residual=(1, 1))
        release = create_release(actor=sam, product=product, version="1.0")
    ship(cso, sam, release, product, created=40, reviewed=3, released=3)
    judged = need(product, "early_engagement")
    assert judged.status == "hollow"
    assert judged.evidence[0].endswith("CSO first acted 0 days before. Signed off on release day.")


def test_understanding_counts_what_the_cso_raised_reviewed_or_assessed(cso, tom, product):
    mine = assessed(product, cso, initial=(1, 2), residual=(1, 1), title="Mine")
    assessed(product, tom, initial=(1, 2), residual=(1, 1), title="Tom's")
    assessed(product, tom, initial=(1, 2), residual=(1, 1), title="Also Tom's")
    gate.review_hazard(actor=cso, hazard=mine)
    judged = need(product, "understanding")
    assert judged.evidence[0] == "The CSO raised, reviewed or re-assessed 1 of 3 hazards (33%)."
    assert judged.status == "at_risk"


def test_authority_records_blocks_and_the_overrides_by_name(cso, helen, release):
    from tests.gate.test_services import JUSTIFICATION

    gate.block_release(actor=cso, release=release, password=PASSWORD, reasons="Untested.")
    gate.override_release(
        actor=helen, release=release, password=PASSWORD, justification=JUSTIFICATION
    )
    judged = need(release.product, "authority")
    assert judged.evidence[1] == "Blocks issued in the period: 1."
    assert judged.evidence[2].startswith("Blocks overridden: 1: 2.4.0 by Helen Ward on")


def test_recorded_time_and_process_reviews_are_evidence(cso, product, tom):
    from datetime import timedelta

    today = timezone.localdate()
    record_time(actor=cso, organisation=product.organisation, week_starting=today, hours="6.5")
    assert need(product, "time").evidence[2].startswith("Time the CSO recorded: 6.5 h")
    assert need(product, "process").status == "hollow"
    record_process_review(
        actor=cso,
        organisation=product.organisation,
        held_on=today - timedelta(days=10),
        findings="Process followed; training refreshed.",
        next_due_on=today + timedelta(days=300),
    )
    assert need(product, "process").status == "sound"
    with pytest.raises(PermissionDenied, match="Only a Clinical Safety Officer"):
        record_time(actor=tom, organisation=product.organisation, week_starting=today, hours=2)
