"""Professional registration and training, as Priya records her own and others try."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clinsafe.audit.models import AuditEvent, EventType
from clinsafe.core import services
from clinsafe.core.regulators import REGULATORS, registration_number_error
from tests.conftest import logged_in


@pytest.mark.parametrize(
    ("regulator", "number"),
    [
        ("GMC", "1234567"),
        ("NMC", "12A3456E"),
        ("NMC", "12a3456e"),
        ("HCPC", "PA12345"),
        ("GPhC", "2012345"),
        ("GDC", "123456"),
        ("GOC", "01-12345"),
        ("GOsC", "4321"),
        ("GCC", "01234"),
        ("PSNI", "12345"),
        ("SWE", "SW12345"),
        ("GMC", "123 4567"),
    ],
)
def test_well_formed_numbers_are_accepted(regulator, number):
    assert registration_number_error(regulator, number) is None


@pytest.mark.parametrize(
    ("regulator", "number", "message"),
    [
        ("GMC", "123456", "A GMC registration number is 7 digits, e.g. 1234567."),
        (
            "NMC",
            "1234567",
            "A NMC registration number is 2 digits, a letter, 4 digits and a "
            "letter, e.g. 12A3456E.",
        ),
        (
            "HCPC",
            "12345",
            "A HCPC registration number is a 2-letter profession prefix and 4 to "
            "6 digits, e.g. PA12345.",
        ),
        ("GPhC", "GP12345", "A GPhC registration number is 7 digits, e.g. 2012345."),
        ("XYZ", "1", "Unknown regulator 'XYZ'."),
    ],
)
def test_malformed_numbers_are_refused_with_the_expected_format(regulator, number, message):
    assert registration_number_error(regulator, number) == message


def test_every_listed_regulator_explains_its_format():
    assert all(r.expected for r in REGULATORS.values())


pytestmark = pytest.mark.django_db


def register(actor, user, **fields):
    values = {
        "regulator": "GMC",
        "number": "7012345",
        "profession": "Doctor",
        "last_confirmed_on": timezone.localdate() - timedelta(days=10),
        "expires_on": timezone.localdate() + timedelta(days=300),
        **fields,
    }
    return services.record_registration(actor=actor, user=user, **values)


def test_priya_records_and_updates_her_registration(priya):
    registration = register(priya, priya)
    assert (registration.regulator, registration.number) == ("GMC", "7012345")
    updated = register(priya, priya, number="7012346", version=registration.version)
    assert (updated.number, updated.version) == ("7012346", 2)
    assert [e.event_type for e in AuditEvent.objects.all()] == [
        EventType.REGISTRATION_RECORDED,
        EventType.REGISTRATION_EDITED,
    ]


def test_a_malformed_number_is_refused_on_the_number_field(priya):
    with pytest.raises(ValidationError) as error:
        register(priya, priya, regulator="NMC", number="1234")
    assert error.value.message_dict == {
        "number": [
            "A NMC registration number is 2 digits, a letter, 4 digits and a letter, e.g. 12A3456E."
        ]
    }


def test_an_unlisted_regulator_must_be_named(priya):
    with pytest.raises(ValidationError) as error:
        register(priya, priya, regulator="OTHER", number="ABC-1")
    assert error.value.message_dict == {
        "other_regulator_name": ["Name the regulator when it is not listed."]
    }


def test_only_the_person_or_their_admin_records_credentials(priya, tom, northwind):
    from tests.conftest import make_person

    with pytest.raises(PermissionDenied, match="only your own registration"):
        register(tom, priya)
    admin = make_person("ada", northwind, "admin", "Ada Admin")
    assert register(admin, priya).user == priya


def test_training_cannot_be_in_the_future(priya):
    with pytest.raises(ValidationError) as error:
        services.record_training(
            actor=priya,
            user=priya,
            course="DCB0129",
            completed_on=timezone.localdate() + timedelta(days=1),
        )
    assert error.value.message_dict == {
        "completed_on": ["Training cannot be completed in the future."]
    }


def test_the_account_page_records_a_registration(priya):
    response = logged_in(priya).post(
        "/account/registration/",
        {
            "regulator": "GMC",
            "number": "12345",
            "profession": "Doctor",
            "last_confirmed_on": "2026-11-01",
        },
    )
    assert response.status_code == 200
    assert response.context["registration_form"].errors == {
        "number": ["A GMC registration number is 7 digits, e.g. 1234567."]
    }
