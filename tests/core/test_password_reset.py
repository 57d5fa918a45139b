"""A forgotten password: Priya asks for a link by email, or the server's administrator
prints one; the link works once, lifts a lock-out, and tells her it was used."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from clinsafe.core.models import Notification
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-long-password-for-priya"


@pytest.fixture
def mailing(settings):
    settings.EMAIL_ENABLED = True


@pytest.fixture
def priya_with_email(priya):
    priya.email = "priya.shah@northwind.example"
    priya.save()
    return priya


def set_password(client, link, password=NEW_PASSWORD):
    # Django moves the token into the session and redirects to a link without it.
    form = client.get(link, follow=True)
    return form, client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
        follow=True,
    )


def test_priya_locked_out_sets_a_new_password_from_the_emailed_link(
    mailing, priya_with_email, mailoutbox
):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "priya", "password": "wrong"})
    assert "Forgotten your password?" in client.get("/login/").text

    sent = client.post("/password-reset/", {"email": "Priya.Shah@northwind.example"})
    assert "Check your email" in sent.text
    (mail,) = mailoutbox
    assert mail.to == ["priya.shah@northwind.example"]
    link = re.search(r"http://\S+/password-reset/\S+/", mail.body).group(0)

    form, done = set_password(client, link.removeprefix("http://127.0.0.1:8000"))
    assert "Set a new password" in form.text
    assert 'class="nhsuk-input" aria-describedby="id_new_password1-hint"' in form.text
    assert "Password set. Log in with your new password." in done.text
    priya_with_email.refresh_from_db()
    assert priya_with_email.check_password(NEW_PASSWORD)
    logged_in = client.post("/login/", {"username": "priya", "password": NEW_PASSWORD})
    assert logged_in.status_code == 302, "the reset lifts the lock-out"
    (told,) = Notification.objects.filter(recipient=priya_with_email)
    assert "Your password was set with a reset link" in told.message

    again, _ = set_password(Client(), link.removeprefix("http://127.0.0.1:8000"), "other-pw-123")
    assert "This link no longer works" in again.text


def test_an_address_no_one_has_gets_the_same_answer_and_no_email(mailing, priya, mailoutbox):
    sent = Client().post("/password-reset/", {"email": "nobody@example.org"})
    assert "Check your email" in sent.text
    assert mailoutbox == []


def test_a_mistyped_address_is_named_on_the_form(mailing, priya, mailoutbox):
    page = Client().post("/password-reset/", {"email": "priya at northwind"})
    assert "Email address: Enter a valid email address." in page.text
    assert mailoutbox == []


def test_without_email_the_page_says_who_gives_a_link_and_sends_nothing(
    priya_with_email, mailoutbox
):
    page = Client().post("/password-reset/", {"email": "priya.shah@northwind.example"})
    assert "This clinsafe does not send email" in page.text
    assert "clinsafe reset-password" in page.text
    assert mailoutbox == []


def test_the_administrators_printed_link_sets_the_password_once(priya):
    out = io.StringIO()
    call_command("reset_password", "priya", stdout=out)
    link = out.getvalue().strip().removeprefix("http://127.0.0.1:8000")
    _, done = set_password(Client(), link)
    assert "Password set." in done.text
    priya.refresh_from_db()
    assert priya.check_password(NEW_PASSWORD) and not priya.check_password(PASSWORD)
    with pytest.raises(CommandError, match="No user with the username 'nobody'"):
        call_command("reset_password", "nobody")
