"""Release pages and the gate's actions: short views that find the record, call a service,
and respond."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clinsafe.audit.services import history_of
from clinsafe.core.forms import run_service, submit
from clinsafe.core.permissions import Action, require
from clinsafe.gate import forms as gate_forms
from clinsafe.gate import services
from clinsafe.gate.evaluation import (
    changes_since_issued,
    evaluate,
    gate_report,
    gate_reports,
    report,
)
from clinsafe.gate.models import Block
from clinsafe.hazards.views import hazard_or_404, product_or_404, product_page
from clinsafe.products import releases
from clinsafe.products.models import Release, ReleaseStatus
from clinsafe.risk.acceptance import AcceptanceLevel

BADGE_COLOURS: dict[str, str] = {
    ReleaseStatus.APPROVED: "#007f3b",
    ReleaseStatus.RELEASED: "#005eb8",
    ReleaseStatus.BLOCKED_BY_CSO: "#d5281b",
    ReleaseStatus.RULES_NOT_MET: "#ed8b00",
    ReleaseStatus.SIGN_OFF_STALE: "#8a6d00",
}


def release_or_404(request: HttpRequest, slug: str, version: str) -> Release:
    product = product_or_404(request, slug)
    return get_object_or_404(
        Release.objects.select_related("product__organisation"), product=product, version=version
    )


# --- releases ------------------------------------------------------------------------------


@login_required
def release_list(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    releases = list(product.releases.select_related("product__organisation"))
    reports = gate_reports(releases)
    rows = [(r, reports[r.pk]["status"], reports[r.pk]) for r in releases]
    return product_page(request, "gate/release_list.html", product, rows=rows)


@login_required
def release_create(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.EDIT_RELEASE, product.organisation)
    form = gate_forms.ReleaseForm(request.POST or None, product=product)
    release = submit(
        form,
        lambda: releases.create_release(
            actor=request.user, product=product, **form.service_arguments()
        ),
    )
    if release:
        messages.success(request, f"Release {release.version} planned.")
        return redirect("release-detail", slug=slug, version=release.version)
    return product_page(request, "gate/release_form.html", product, form=form)


@login_required
def release_edit(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    require(request.user, Action.EDIT_RELEASE, release.product.organisation)
    form = gate_forms.ReleaseEditForm(
        request.POST or None, initial=gate_forms.release_initial(release), product=release.product
    )
    saved = submit(
        form,
        lambda: releases.edit_release(
            actor=request.user, release=release, **form.service_arguments()
        ),
    )
    if saved:
        messages.success(request, f"Release {saved.version} saved.")
        return redirect("release-detail", slug=slug, version=saved.version)
    return product_page(
        request, "gate/release_form.html", release.product, form=form, release=release
    )


@login_required
def release_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    return product_page(
        request,
        "gate/release_detail.html",
        release.product,
        release=release,
        gate=gate_report(release),
        changes_since_issued=changes_since_issued(release),
        links=release.hazard_links.select_related("hazard"),
        history=history_of(release),
        open_blocks=release.blocks.filter(lifted_at__isnull=True),
    )


@login_required
@require_POST
def release_start_review(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    return _act(request, release, lambda: releases.start_safety_review(actor=request.user,
                release=release), f"Release {version} is now in safety review.")  # fmt: skip


@login_required
@require_POST
def release_record_released(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    return _act(
        request,
        release,
        lambda: services.record_released(actor=request.user, release=release),
        f"Release {version} recorded as released; what was signed is frozen as issued.",
    )


@login_required
def release_withdraw(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    require(request.user, Action.EDIT_RELEASE, release.product.organisation)
    return _signing_form(
        request,
        release,
        gate_forms.WithdrawReleaseForm(request.POST or None),
        lambda data: releases.withdraw_release(actor=request.user, release=release, **data),
        heading=f"Withdraw release {version}",
        button="Withdraw release",
        done=f"Release {version} withdrawn; it stays on record.",
    )


@login_required
def release_sign_off(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    require(request.user, Action.SIGN_OFF_RELEASE, release.product.organisation)
    evaluation = evaluate(release)
    return _signing_form(
        request,
        release,
        gate_forms.SignOffForm(request.POST or None),
        lambda data: services.sign_off_release(actor=request.user, release=release, **data),
        heading=f"Sign off release {version}",
        button="Sign off as Clinical Safety Officer",
        done=f"You signed off release {version}. Its Safety Case Report and Hazard Log are "
        "being issued: they appear under Documents in a few seconds.",
        gate=report(evaluation),
        waiting=evaluation.waiting_review,
        blocks=services.open_blocks(release),
        kind="sign_off",
    )


@login_required
def release_block(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    require(request.user, Action.BLOCK_RELEASE, release.product.organisation)
    return _signing_form(
        request,
        release,
        gate_forms.BlockForm(request.POST or None),
        lambda data: services.block_release(actor=request.user, release=release, **data),
        heading=f"Block release {version}",
        button="Block the release",
        done=f"Release {version} is blocked.",
        warning=True,
    )


@login_required
def block_lift(request: HttpRequest, slug: str, version: str, pk: int) -> HttpResponse:
    release = release_or_404(request, slug, version)
    require(request.user, Action.BLOCK_RELEASE, release.product.organisation)
    block = get_object_or_404(Block, release=release, pk=pk)
    return _signing_form(
        request,
        release,
        gate_forms.LiftBlockForm(request.POST or None),
        lambda data: services.lift_block(actor=request.user, block=block, **data),
        heading=f"Lift the block on release {version}",
        button="Lift the block",
        done="Block lifted; it stays on record.",
        lifting=block,
    )


@login_required
def release_override(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    require(request.user, Action.OVERRIDE_RELEASE, release.product.organisation)
    return _signing_form(
        request,
        release,
        gate_forms.OverrideForm(request.POST or None),
        lambda data: services.override_release(actor=request.user, release=release, **data),
        heading=f"Override the release gate for {version}",
        button="Override and approve the release",
        done=f"You overrode the gate for {version}. The CSO has been told.",
        gate=gate_report(release),
        warning=True,
        kind="override",
    )


@login_required
def release_badge(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    release = release_or_404(request, slug, version)
    report = gate_report(release)
    status = report["status"]
    label = ReleaseStatus(status).label.lower()
    if report["approved_by_override"]:
        label = "approved by override"
    svg = _badge_svg("clinical safety", label, BADGE_COLOURS.get(status, "#768692"))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "no-cache, private"
    return response


# --- hazards -------------------------------------------------------------------------------


@login_required
def hazard_review(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    require(request.user, Action.REVIEW_HAZARD, hazard.product.organisation)
    form = gate_forms.ReviewForm(request.POST or None)
    if submit(form, lambda: services.review_hazard(actor=request.user, hazard=hazard,
                                                   **form.cleaned_data)):  # fmt: skip
        messages.success(request, f"You reviewed {hazard.reference} as it stands.")
        return redirect(_safe_next(request) or hazard_url(hazard))
    last_review, changes = services.changes_since_review(hazard)
    return _hazard_form(
        request, hazard, form, f"Review {hazard.reference}", "Record my review",
        whole=True, last_review=last_review, changes=changes,
        controls=hazard.controls.filter(withdrawn_at__isnull=True).order_by("number"),
    )  # fmt: skip


@login_required
def hazard_escalate(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    require(request.user, Action.ACCEPT_RISK_AS_CSO, hazard.product.organisation)
    form = gate_forms.EscalateForm(request.POST or None)
    if submit(form, lambda: services.escalate_risk(actor=request.user, hazard=hazard,
                                                   **form.cleaned_data)):  # fmt: skip
        messages.success(request, f"{hazard.reference} escalated to the accountable executive.")
        return redirect(hazard_url(hazard))
    return _hazard_form(
        request, hazard, form, f"Escalate the residual risk of {hazard.reference}", "Escalate"
    )


@login_required
def hazard_accept(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    organisation = hazard.product.organisation
    rating = hazard.residual_rating  # type: ignore[attr-defined]
    level = organisation.acceptance_policy.level(rating) if rating else None
    as_executive = level == AcceptanceLevel.EXECUTIVE
    require(
        request.user,
        Action.ACCEPT_RISK_AS_EXECUTIVE if as_executive else Action.ACCEPT_RISK_AS_CSO,
        organisation,
    )
    form = gate_forms.AcceptRiskForm(request.POST or None, as_executive=as_executive)
    if submit(form, lambda: services.accept_risk(actor=request.user, hazard=hazard,
                                                 **form.cleaned_data)):  # fmt: skip
        messages.success(request, f"You accepted the residual risk of {hazard.reference}.")
        return redirect(hazard_url(hazard))
    return _hazard_form(
        request,
        hazard,
        form,
        f"Accept the residual risk of {hazard.reference}",
        "Accept and sign",
        level=level,
        escalation=hazard.escalations.first(),
    )


def hazard_url(hazard: Any) -> str:
    return reverse("hazard-detail", args=[hazard.product.slug, hazard.number])


# --- shared steps --------------------------------------------------------------------------


def _act(
    request: HttpRequest, release: Release, action: Callable[[], Any], done: str
) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("release-detail", slug=release.product.slug, version=release.version)


def _signing_form(
    request: HttpRequest,
    release: Release,
    form: forms.Form,
    action: Callable[[dict[str, Any]], Any],
    *,
    heading: str,
    button: str,
    done: str,
    **context: Any,
) -> HttpResponse:
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(form, lambda: action(form.cleaned_data))
    ):
        messages.success(request, done)
        return redirect("release-detail", slug=release.product.slug, version=release.version)
    return product_page(
        request,
        "gate/release_action.html",
        release.product,
        release=release,
        form=form,
        heading=heading,
        button=button,
        **context,
    )


def _hazard_form(
    request: HttpRequest, hazard: Any, form: forms.Form, heading: str, button: str, **context: Any
) -> HttpResponse:
    return product_page(
        request,
        "gate/hazard_action.html",
        hazard.product,
        hazard=hazard,
        form=form,
        heading=heading,
        button=button,
        **context,
    )


def _safe_next(request: HttpRequest) -> str:
    """Where to go back to after a review (e.g. the release page), if it is on this site."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if target.startswith("/") and allowed else ""


def _badge_svg(label: str, value: str, colour: str) -> str:
    left, right = 7 * len(label) + 12, 7 * len(value) + 12
    label, value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" '
        f'aria-label="{label}: {value}"><title>{label}: {value}</title>'
        f'<rect width="{left}" height="20" fill="#425563"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,sans-serif" font-size="11">'
        f'<text x="6" y="14">{label}</text><text x="{left + 6}" y="14">{value}</text></g></svg>'
    )
