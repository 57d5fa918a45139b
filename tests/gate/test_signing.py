"""Signing with a re-entered password: guesses count towards the login lock-out, and a
signing form sent twice signs once."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from clinsafe.audit.models import AuditEvent
from clinsafe.gate import services
from clinsafe.gate.models import Block
from tests.conftest import PASSWORD, logged_in

pytestmark = pytest.mark.django_db


def block(cso, release, password):
    return services.block_release(actor=cso, release=release, password=password, reasons="Stop.")


def test_five_wrong_signing_passwords_lock_signing_and_login(cso, release):
    for _ in range(5):
        with pytest.raises(ValidationError, match="The password is not correct"):
            block(cso, release, "guess")
    with pytest.raises(ValidationError) as locked:
        block(cso, release, PASSWORD)
    assert locked.value.message_dict["password"][0].startswith(
        "Too many failed password attempts: signing is locked until "
    )
    assert not Block.objects.exists()
    login = Client().post("/login/", {"username": cso.username, "password": PASSWORD})
    assert "Too many failed password attempts. Try again after" in login.content.decode()


def test_guesses_at_many_usernames_from_one_address_are_locked_out(priya):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(20):
        client.post("/login/", {"username": f"someone-{n}", "password": "guess"})
    login = client.post("/login/", {"username": "priya", "password": PASSWORD})
    assert "Too many failed password attempts" in login.content.decode()
    elsewhere = Client(REMOTE_ADDR="198.51.100.4")
    assert elsewhere.post("/login/", {"username": "priya", "password": PASSWORD}).status_code == 302


def test_a_block_form_sent_twice_blocks_once(cso, release):
    url = f"/products/{release.product.slug}/releases/{release.version}/block/"
    form = {"reasons": "Dose units are wrong on the summary.", "password": PASSWORD}
    client = logged_in(cso)
    for _ in range(2):
        assert client.post(url, form).status_code == 302
    assert Block.objects.filter(release=release).count() == 1
    assert AuditEvent.objects.filter(event_type="release.blocked").count() == 1


def test_a_new_block_after_a_lifted_one_is_a_new_signature(cso, release):
    first = block(cso, release, PASSWORD)
    services.lift_block(actor=cso, block=first, reason="Fixed.")
    assert block(cso, release, PASSWORD).pk != first.pk
