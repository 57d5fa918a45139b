"""Pages for organisations (members, roles, CSO appointments), a product's CSO, and the
signed-in person's own account (registration, training, API tokens)."""

from __future__ import annotations

from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import PasswordChangeView, PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinsafe.core import passwords, services
from clinsafe.core.cso import cso_position
from clinsafe.core.forms import submit
from clinsafe.core.models import (
    ApiToken,
    CSOAppointment,
    Membership,
    Notification,
    Organisation,
    ProfessionalRegistration,
)
from clinsafe.core.people_forms import (
    AcceptancePolicyForm,
    AddPersonForm,
    AppointForm,
    ChangePasswordForm,
    EndAppointmentForm,
    GrantRoleForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    RegistrationForm,
    TokenForm,
    TrainingForm,
)
from clinsafe.core.permissions import Action, allowed_actions, require, visible_organisations
from clinsafe.products.services import visible_products


def organisation_or_404(request: HttpRequest, slug: str) -> Organisation:
    return get_object_or_404(visible_organisations(request.user), slug=slug)


# --- organisation: members and appointments ----------------------------------------------


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__username", "role")
    )
    people: dict[int, dict[str, Any]] = {}
    for membership in memberships:
        person = people.setdefault(membership.user_id, {"user": membership.user, "roles": []})
        person["roles"].append(membership)
    appointments = (
        CSOAppointment.objects.filter(organisation=organisation)
        .select_related("user", "product", "organisation")
        .order_by("-starts_on")
    )
    today = timezone.localdate()
    return render(
        request,
        "core/organisation.html",
        {
            "organisation": organisation,
            "people": people.values(),
            "current": [a for a in appointments if a.ends_on is None or a.ends_on >= today],
            "past": [a for a in appointments if a.ends_on is not None and a.ends_on < today],
            "may": allowed_actions(request.user, organisation),
            "grant_form": GrantRoleForm(organisation=organisation),
            "policy_form": AcceptancePolicyForm(organisation=organisation),
        },
    )


@login_required
@require_POST
def acceptance_policy(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    require(request.user, Action.SET_ACCEPTANCE_POLICY, organisation)
    form = AcceptancePolicyForm(request.POST, organisation=organisation)
    if submit(
        form,
        lambda: services.set_acceptance_policy(
            actor=request.user, organisation=organisation, levels=form.levels()
        ),
    ):
        messages.success(request, "Risk acceptance levels saved.")
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(str(e) for e in error))
    return redirect("organisation-detail", slug=slug)


@login_required
def person_add(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    require(request.user, Action.MANAGE_MEMBERS, organisation)
    form = AddPersonForm(request.POST or None)
    added = submit(
        form,
        lambda: services.add_person(
            actor=request.user, organisation=organisation, **form.cleaned_data
        ),
    )
    if added:
        user, password = added
        return render(
            request,
            "core/person_added.html",
            {"organisation": organisation, "person": user, "password": password},
        )
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "organisation": organisation,
            "heading": "Add a person",
            "button": "Add person",
        },
    )


@login_required
@require_POST
def role_grant(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    require(request.user, Action.MANAGE_MEMBERS, organisation)
    form = GrantRoleForm(request.POST, organisation=organisation)
    if submit(
        form,
        lambda: services.grant_role(
            actor=request.user, organisation=organisation, **form.cleaned_data
        ),
    ):
        messages.success(request, "Role granted.")
    else:
        messages.error(request, _errors_in_words(form.errors))
    return redirect("organisation-detail", slug=slug)


@login_required
@require_POST
def role_revoke(request: HttpRequest, slug: str, membership: int) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    held = get_object_or_404(Membership, pk=membership, organisation=organisation)
    try:
        services.revoke_role(actor=request.user, membership=held)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{held.get_role_display()} role revoked.")
    return redirect("organisation-detail", slug=slug)


@login_required
def appointment_add(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    require(request.user, Action.APPOINT_CSO, organisation)
    form = AppointForm(
        request.POST or None, organisation=organisation, initial={"starts_on": timezone.localdate()}
    )
    if submit(
        form,
        lambda: services.appoint_cso(
            actor=request.user, organisation=organisation, **form.cleaned_data
        ),
    ):
        messages.success(request, "Appointment recorded.")
        return redirect("organisation-detail", slug=slug)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "organisation": organisation,
            "heading": "Appoint a Clinical Safety Officer",
            "button": "Record appointment",
        },
    )


@login_required
def appointment_end(request: HttpRequest, slug: str, appointment: int) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    held = get_object_or_404(CSOAppointment, pk=appointment, organisation=organisation)
    require(request.user, Action.APPOINT_CSO, organisation)
    form = EndAppointmentForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if submit(
        form,
        lambda: services.end_appointment(actor=request.user, appointment=held, **form.cleaned_data),
    ):
        messages.success(request, "Appointment ended.")
        return redirect("organisation-detail", slug=slug)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "organisation": organisation,
            "heading": f"End: {held}",
            "button": "End appointment",
        },
    )


# --- a product's CSO ---------------------------------------------------------------------


@login_required
def product_cso(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(visible_products(request.user), slug=slug)
    return render(
        request,
        "core/product_cso.html",
        {
            "product": product,
            "position": cso_position(product),
            "may": allowed_actions(request.user, product.organisation),
        },
    )


# --- my account --------------------------------------------------------------------------


def _signed_in(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # every caller is behind login_required
    return request.user


def _account_page(request: HttpRequest, new_key: str | None = None, **bound: Any) -> HttpResponse:
    user = _signed_in(request)
    registration = ProfessionalRegistration.objects.filter(user=user).first()
    initial = (
        {f: getattr(registration, f) for f in RegistrationForm.base_fields} if registration else {}
    )
    forms_by_name = {
        "registration_form": RegistrationForm(initial=initial),
        "training_form": TrainingForm(),
        "token_form": TokenForm(),
        **bound,
    }
    return render(
        request,
        "core/account.html",
        {
            "registration": registration,
            "trainings": user.trainings.all(),
            "tokens": ApiToken.objects.filter(user=user),
            "new_key": new_key,
            **forms_by_name,
        },
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """A person's notifications, newest first; looking at them marks them read."""
    user = _signed_in(request)
    shown = list(Notification.objects.filter(recipient=user)[:100])
    unread = [n.pk for n in shown if n.read_at is None]
    Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(
        request, "core/notifications.html", {"notifications": shown, "unread": set(unread)}
    )


@login_required
@require_POST
def account_registration(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    form = RegistrationForm(request.POST)
    if submit(
        form, lambda: services.record_registration(actor=user, user=user, **form.cleaned_data)
    ):
        messages.success(request, "Registration saved.")
        return redirect("account")
    return _account_page(request, registration_form=form)


@login_required
@require_POST
def account_training(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    form = TrainingForm(request.POST)
    if submit(form, lambda: services.record_training(actor=user, user=user, **form.cleaned_data)):
        messages.success(request, "Training recorded.")
        return redirect("account")
    return _account_page(request, training_form=form)


@login_required
@require_POST
def account_token(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    created = submit(form, lambda: services.create_token(actor=request.user, **form.cleaned_data))
    if created:
        return _account_page(request, new_key=created[1])
    return _account_page(request, token_form=form)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token: int) -> HttpResponse:
    owned = get_object_or_404(ApiToken, pk=token, user=request.user.pk)
    try:
        services.revoke_token(actor=request.user, token=owned)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Token {owned} revoked; it no longer works.")
    return redirect("account")


class PasswordChange(PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "core/form_page.html"
    success_url = reverse_lazy("account")
    extra_context = {"heading": "Change your password", "button": "Change password"}

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, "Password changed.")
        return super().form_valid(form)


def _errors_in_words(errors: Any) -> str:
    return " ".join(f"{message}" for messages_ in errors.values() for message in messages_)


# --- a forgotten password -----------------------------------------------------------------


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link by email; where this clinsafe sends no email, say who can give one."""
    form = PasswordResetRequestForm(request.POST or None)
    if settings.EMAIL_ENABLED and request.method == "POST" and form.is_valid():
        try:
            passwords.email_reset_link(form.cleaned_data["email"])
        except (OSError, SMTPException) as error:
            form.add_error(
                "email",
                f"clinsafe could not send email just now ({error}). Try again later, or ask "
                "the server's administrator for a link.",
            )
        else:
            return render(request, "registration/password_reset_sent.html",
                          {"hours": passwords.HOURS_VALID})  # fmt: skip
    return render(request, "registration/password_reset.html",
                  {"form": form, "email_enabled": settings.EMAIL_ENABLED})  # fmt: skip


class PasswordResetConfirm(PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        passwords.password_was_reset(form.user)
        messages.success(self.request, "Password set. Log in with your new password.")
        return response
