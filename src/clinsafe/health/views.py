"""CSO health pages and the board report: short views that gather the check and respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST
from weasyprint import HTML

from clinsafe.core.forms import submit
from clinsafe.core.http import download
from clinsafe.core.permissions import Action, allowed_actions, require
from clinsafe.core.services import active_appointments
from clinsafe.core.views import organisation_or_404
from clinsafe.hazards.views import product_or_404, product_page
from clinsafe.health import services
from clinsafe.health.evidence import default_period, health_check
from clinsafe.health.forms import PeriodForm, ProcessReviewForm, TimeForm
from clinsafe.health.models import ProcessReview, TimeRecord
from clinsafe.health.report import board_report
from clinsafe.health.worklist import worklist


def _period(request: HttpRequest) -> tuple[PeriodForm, tuple]:  # type: ignore[type-arg]
    default = default_period(timezone.localdate())
    form = PeriodForm(request.GET or None, initial={"start": default[0], "end": default[1]})
    return form, form.period(default)


@login_required
def product_health(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    period_form, (start, end) = _period(request)
    check = health_check(product, start, end)
    appointed = active_appointments(organisation=product.organisation).filter(user=request.user.pk)
    return product_page(
        request,
        "health/product_health.html",
        product,
        check=check,
        period_form=period_form,
        time_form=TimeForm() if appointed.exists() else None,
        time_records=TimeRecord.objects.filter(
            user=request.user.pk, organisation=product.organisation
        )[:8],
    )


@login_required
def needs_me(request: HttpRequest, slug: str) -> HttpResponse:
    """The signed-in person's own work in the product."""
    product = product_or_404(request, slug)
    return product_page(request, "health/needs_me.html", product,
                        work=worklist(request.user, product))  # fmt: skip


@login_required
@require_POST
def time_record(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    form = TimeForm(request.POST)
    if submit(
        form,
        lambda: services.record_time(
            actor=request.user, organisation=product.organisation, **form.cleaned_data
        ),
    ):
        messages.success(request, "Time recorded.")
    else:
        for field, errors in form.errors.items():
            text = " ".join(str(e) for e in errors)
            messages.error(request, f"{field.replace('_', ' ').capitalize()}: {text}")
    return redirect("product-health", slug=slug)


@login_required
def organisation_health(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    period_form, (start, end) = _period(request)
    may = allowed_actions(request.user, organisation)
    form = ProcessReviewForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.REVIEW_PROCESS, organisation)
        if submit(
            form,
            lambda: services.record_process_review(
                actor=request.user, organisation=organisation, **form.cleaned_data
            ),
        ):
            messages.success(request, "Process review recorded.")
            return redirect("organisation-health", slug=slug)
    return render(
        request,
        "health/organisation_health.html",
        {
            "organisation": organisation,
            "checks": [health_check(p, start, end) for p in organisation.products.all()],
            "period_form": period_form,
            "start": start,
            "end": end,
            "may": may,
            "form": form,
            "process_reviews": ProcessReview.objects.filter(organisation=organisation)[:5],
        },
    )


@login_required
def board_report_page(request: HttpRequest, slug: str, pdf: bool = False) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    _form, (start, end) = _period(request)
    context = board_report(organisation, start, end)
    if not pdf:
        return render(request, "health/board_report.html", context)
    html = render_to_string("health/board_report.html", {**context, "for_print": True})
    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    return download(
        document, "application/pdf", f"board-report-{organisation.slug}-{start}-{end}.pdf"
    )
