"""Setting a forgotten password: a one-time link, sent to the person's email address or,
where this clinsafe sends no email, given by the server's administrator from the command
line. Organisation administrators cannot issue one: a link for a CSO's account would let
an administrator sign as the CSO, the separation of duties the gate depends on."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinsafe.core.lockout import clear_failures
from clinsafe.core.notifications import notify

HOURS_VALID = settings.PASSWORD_RESET_TIMEOUT // 3600


def reset_link(user: User) -> str:
    """A link that sets ``user``'s password once, until it is used, the password changes
    by other means, or HOURS_VALID hours pass (Django's signed token)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password-reset-confirm", args=[uid, token])


def email_reset_link(email: str) -> None:
    """Email a link to each active account with ``email``. Silent for an address no one
    has, so the form does not tell who has an account here."""
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        send_mail(
            "Set a new clinsafe password",
            f"Hello {user.get_full_name() or user.username},\n\n"
            f"Someone asked to set a new password for the clinsafe account {user.username}. "
            f"To set one, open this link within {HOURS_VALID} hours:\n\n{reset_link(user)}\n\n"
            "The link works once. If you did not ask, ignore this email: your password "
            "stays as it is.",
            None,
            [user.email],
        )


def password_was_reset(user: User) -> None:
    """After a reset: lift any lock-out, and tell the person, so a reset they did not make
    is seen."""
    clear_failures(user.username)
    when = f"{timezone.localtime():%H:%M on %d %B %Y}"
    notify(
        [user],
        subject="Your clinsafe password was changed",
        message=f"Your password was set with a reset link at {when}. If you did not do "
        "this, tell your organisation's administrator now.",
        link=reverse("account"),
    )
