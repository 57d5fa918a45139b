"""Who is the CSO, and is the role real? The concerns, the page and the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clinsafe.core import services
from clinsafe.core.cso_role import CsoFacts, RegistrationFacts, hollow_role_concerns
from clinsafe.core.models import CSOAppointment
from tests.conftest import api_as, logged_in, make_person

TODAY = date(2026, 11, 22)
SOUND = CsoFacts(
    name="Priya Shah",
    registration=RegistrationFacts(
        "GMC", "Doctor", "7012345", TODAY - timedelta(days=30), TODAY + timedelta(days=300)
    ),
    last_training_on=TODAY - timedelta(days=200),
    protected_hours_per_week=Decimal(16),
    can_block_release=True,
)


def codes(facts):
    return [c.code for c in hollow_role_concerns(facts, TODAY)]


def test_a_real_cso_raises_no_concern():
    assert codes(SOUND) == []


def test_each_way_the_role_is_hollow_is_named():
    from dataclasses import replace

    lapsed = replace(SOUND.registration, expires_on=TODAY - timedelta(days=1))
    unchecked = replace(SOUND.registration, last_confirmed_on=TODAY - timedelta(days=400))
    assert codes(None) == ["no_cso"]
    assert codes(replace(SOUND, registration=None)) == ["not_registered"]
    assert codes(replace(SOUND, registration=lapsed)) == ["registration_lapsed"]
    assert codes(replace(SOUND, registration=unchecked)) == ["registration_unconfirmed"]
    assert codes(replace(SOUND, last_training_on=None)) == ["no_training"]
    assert codes(replace(SOUND, last_training_on=TODAY - timedelta(days=4 * 365))) == [
        "training_lapsed"
    ]
    assert codes(replace(SOUND, protected_hours_per_week=Decimal(0))) == ["no_protected_time"]
    assert codes(replace(SOUND, can_block_release=False)) == ["no_authority"]


def test_the_words_say_what_is_wrong():
    from dataclasses import replace

    [concern] = hollow_role_concerns(replace(SOUND, can_block_release=False), TODAY)
    assert concern.message == (
        "Priya Shah has no authority to block a release: accountability without authority."
    )


pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_data):
    """The demo, loaded once for the module."""


@pytest.mark.parametrize(
    ("slug", "concerns"),
    [
        ("demo-eprescribing", []),
        ("demo-triage", ["no_cso"]),
        ("demo-letters", ["not_registered"]),
        (
            "demo-results-viewer",
            ["registration_lapsed", "training_lapsed", "no_protected_time", "no_authority"],
        ),
    ],
)
def test_the_cso_page_shows_the_demo_concerns(demo, slug, concerns):
    from django.contrib.auth.models import User

    viewer = User.objects.get(username="viewer")
    page = logged_in(viewer).get(f"/products/{slug}/cso/")
    assert [c.code for c in page.context["position"].concerns] == concerns
    html = page.content.decode()
    for code in concerns:
        assert f'data-concern="{code}"' in html
    api = api_as(viewer).get(f"/api/products/{slug}/cso/").json()
    assert [c["code"] for c in api["concerns"]] == concerns


def test_the_page_names_a_sound_cso_with_her_facts(demo):
    from django.contrib.auth.models import User

    page = logged_in(User.objects.get(username="viewer")).get("/products/demo-eprescribing/cso/")
    html = page.content.decode()
    assert "Priya Shah" in html and "GMC 7012345" in html and "16.0 hours a week" in html
    api = (
        api_as(User.objects.get(username="viewer"))
        .get("/api/products/demo-eprescribing/cso/")
        .json()
    )
    assert api["appointed"] and api["registration_current"] and api["can_block_release"]
    assert api["username"] == "cso" and api["scope"] == "product"


def test_another_organisation_cannot_see_the_cso_page(demo):
    from django.contrib.auth.models import User

    outsider = User.objects.get(username="riverside-cso")
    assert logged_in(outsider).get("/products/demo-eprescribing/cso/").status_code == 404
    assert api_as(outsider).get("/api/products/demo-eprescribing/cso/").status_code == 404


class TestAppointments:
    def test_the_person_must_hold_the_cso_role(self, northwind, product, tom):
        admin = make_person("ada", northwind, "admin", "Ada Admin")
        with pytest.raises(ValidationError) as error:
            services.appoint_cso(
                actor=admin,
                organisation=northwind,
                user=tom,
                product=product,
                protected_hours_per_week=4,
            )
        assert error.value.message_dict["user"] == [
            "Tom Okafor does not hold the Clinical Safety Officer role in Northwind "
            "Health; an organisation admin must grant it first."
        ]

    def test_a_scope_has_one_cso_at_a_time(self, northwind, product, priya):
        admin = make_person("ada", northwind, "admin", "Ada Admin")
        other = make_person("olu", northwind, "cso", "Olu Ade")
        first = services.appoint_cso(
            actor=admin,
            organisation=northwind,
            user=priya,
            product=product,
            protected_hours_per_week=8,
        )
        with pytest.raises(ValidationError, match=r"Priya Shah is already CSO"):
            services.appoint_cso(
                actor=admin,
                organisation=northwind,
                user=other,
                product=product,
                protected_hours_per_week=8,
            )
        services.end_appointment(
            actor=admin, appointment=first, ends_on=first.starts_on, reason="Moved on"
        )
        later = services.appoint_cso(
            actor=admin,
            organisation=northwind,
            user=other,
            product=product,
            starts_on=first.starts_on + timedelta(days=1),
            protected_hours_per_week=8,
        )
        assert later.user == other


def test_the_organisation_page_query_count_does_not_grow_with_appointments(northwind, priya):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = make_person("ada", northwind, "admin", "Ada Admin")
    client = logged_in(admin)

    def appoint_and_end(n):
        # Past appointments, as records from before clinsafe (no one may end one in the past
        # through it); organisation-wide ones name their organisation on the page.
        start = date(2020, 1, 1) + timedelta(days=10 * n)
        CSOAppointment.objects.create(organisation=northwind, user=priya, role="cso",
                                      starts_on=start, ends_on=start, appointed_by=admin,
                                      protected_hours_per_week=4, ended_reason="Done")  # fmt: skip

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/organisations/northwind/").status_code == 200
        return len(captured)

    appoint_and_end(1)
    once = queries()
    for n in range(2, 7):
        appoint_and_end(n)
    assert queries() == once
