"""Hazard log pages: short views that find the record, call a service, and respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinsafe.audit.services import history_of
from clinsafe.core.forms import run_edit, submit
from clinsafe.core.permissions import Action, allowed_actions, require
from clinsafe.gate.evaluation import hazard_signatures
from clinsafe.hazards import services
from clinsafe.hazards.filtersets import ControlFilterSet, HazardFilterSet
from clinsafe.hazards.forms import (
    AssessRiskForm,
    ControlEditForm,
    ControlForm,
    HazardEditForm,
    HazardForm,
    LinkControlForm,
    StatusForm,
    WithdrawForm,
    control_initial,
    hazard_initial,
)
from clinsafe.hazards.matrix import matrix_grid
from clinsafe.hazards.models import Control, Hazard, RiskEstimate, Stage
from clinsafe.incidents.models import IncidentHazard
from clinsafe.products.models import ChangeHazard, Product
from clinsafe.products.services import visible_products
from clinsafe.risk import NHS_EXAMPLE_SCHEME

PAGE_SIZE = 50
CARRIED_FILTERS = (
    "initial_severity",
    "initial_likelihood",
    "residual_severity",
    "residual_likelihood",
    "initial_rating",
    "initial_assessed",
    "residual_assessed",
    "sort",
)
# Columns a person may show beside the reference and title, in the order shown, each with
# the key it sorts by (or "").
LOG_COLUMNS = {
    "status": ("Status", "status"),
    "initial_risk": ("Initial risk", "initial_rating"),
    "initial_severity": ("Initial severity", ""),
    "initial_likelihood": ("Initial likelihood", ""),
    "residual_risk": ("Residual risk", "residual_rating"),
    "residual_severity": ("Residual severity", ""),
    "residual_likelihood": ("Residual likelihood", ""),
    "causes": ("Causes", ""),
    "owner": ("Owner", "owner"),
    "file_reference": ("Reference in the imported file", ""),
}
DEFAULT_COLUMNS = ("status", "initial_risk", "residual_risk", "owner")
DENSITIES = ("comfortable", "compact")


# --- access helpers ----------------------------------------------------------------------


def product_or_404(request: HttpRequest, slug: str) -> Product:
    return get_object_or_404(visible_products(request.user), slug=slug)


def hazard_or_404(request: HttpRequest, slug: str, number: int) -> Hazard:
    product = product_or_404(request, slug)
    return get_object_or_404(
        Hazard.objects.with_current_risk().select_related("product__organisation", "owner"),
        product=product,
        number=number,
    )


def _control(request: HttpRequest, slug: str, number: int) -> Control:
    product = product_or_404(request, slug)
    return get_object_or_404(
        Control.objects.select_related("product__organisation", "owner"),
        product=product,
        number=number,
    )


def product_page(
    request: HttpRequest, template: str, product: Product, **context: Any
) -> HttpResponse:
    may = allowed_actions(request.user, product.organisation)
    return render(request, template, {"product": product, "may": may, **context})


# --- hazard log --------------------------------------------------------------------------


@login_required
def hazard_log(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    hazards = Hazard.objects.filter(product=product).with_current_risk().select_related("owner")
    filterset = HazardFilterSet(request.GET, queryset=hazards, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    shown, density = _log_view(request, product)
    return product_page(
        request,
        "hazards/hazard_log.html",
        product,
        filterset=filterset,
        page=page,
        sort=request.GET.get("sort", ""),
        owners=product.organisation.memberships.values_list("user__username", flat=True)
        .distinct()
        .order_by("user__username"),
        columns=[(key, *LOG_COLUMNS[key]) for key in LOG_COLUMNS if key in shown],
        choices=[(key, label) for key, (label, _sort) in LOG_COLUMNS.items()],
        shown=shown,
        density=density,
        densities=DENSITIES,
        # Filters set elsewhere (matrix cell links, sorting) survive the filter form.
        carried=[(k, v) for k in CARRIED_FILTERS for v in request.GET.getlist(k)],
    )


def _log_view(request: HttpRequest, product: Product) -> tuple[list[str], str]:
    """The columns and density the person chose for the hazard log: from the form when it
    was just sent (and kept in their session), else as they last chose, else the default,
    with the imported file's reference for a log that came from a file."""
    kept = request.session.get("hazard_log_view")
    if "view" in request.GET:
        kept = {
            "columns": [c for c in request.GET.getlist("columns") if c in LOG_COLUMNS],
            "density": request.GET.get("density") if request.GET.get("density") in DENSITIES
            else DENSITIES[0],
        }  # fmt: skip
        request.session["hazard_log_view"] = kept
    if kept:
        return kept["columns"], kept["density"]
    imported = product.hazards.exclude(file_reference="").exists()
    return [*DEFAULT_COLUMNS, *(["file_reference"] if imported else [])], DENSITIES[0]


@login_required
def risk_matrix(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    stage = request.GET.get("stage", Stage.RESIDUAL)
    if stage not in Stage.values:
        raise Http404("No such stage.")
    counts = (
        Hazard.objects.filter(product=product)
        .in_log()
        .with_current_risk()
        .values(f"{stage}_severity", f"{stage}_likelihood")
        .annotate(n=Count("id"))
    )
    cells = {(c[f"{stage}_severity"], c[f"{stage}_likelihood"]): c["n"] for c in counts}
    not_assessed = cells.pop((None, None), 0)
    return product_page(
        request,
        "hazards/risk_matrix.html",
        product,
        stage=stage,
        stages=Stage.choices,
        grid=matrix_grid(cells, link_stage=stage),
        not_assessed=not_assessed,
        meanings=[
            (r, NHS_EXAMPLE_SCHEME.acceptability(r).meaning) for r in NHS_EXAMPLE_SCHEME.ratings
        ],
    )


@login_required
def hazard_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    estimates = RiskEstimate.objects.filter(hazard=hazard).select_related("assessed_by")
    links = IncidentHazard.objects.filter(hazard=hazard)
    controls = hazard.controls.select_related("owner").order_by("number")
    marks: dict[tuple[int, int], list[str]] = {}
    for stage in Stage.values:
        severity = getattr(hazard, f"{stage}_severity")
        if severity:
            marks.setdefault((severity, getattr(hazard, f"{stage}_likelihood")), []).append(stage)
    return product_page(
        request,
        "hazards/hazard_detail.html",
        hazard.product,
        hazard=hazard,
        estimates=estimates,
        controls=controls,
        grid=matrix_grid({}, marks=marks),
        history=history_of(hazard),
        signatures=hazard_signatures(hazard),
        incident_links=links.select_related("incident"),
        awaiting_reassessment=set(links.awaiting_reassessment().values_list("pk", flat=True)),
        change_links=ChangeHazard.objects.filter(hazard=hazard).select_related("change"),
        mismatches=hazard.rating_mismatches.select_related("log_import", "decided_by"),
    )


@login_required
def hazard_create(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.CREATE_HAZARD, product.organisation)
    form = HazardForm(request.POST or None, product=product)
    hazard = submit(
        form,
        lambda: services.create_hazard(actor=request.user, product=product, **form.cleaned_data),
    )
    if hazard:
        messages.success(request, f"{hazard.reference} raised. Now assess its initial risk.")
        return redirect("hazard-detail", slug=slug, number=hazard.number)
    return product_page(request, "hazards/hazard_form.html", product, form=form)


@login_required
def hazard_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    require(request.user, Action.EDIT_HAZARD, hazard.product.organisation)
    form = HazardEditForm(
        request.POST or None, initial=hazard_initial(hazard), product=hazard.product
    )
    saved = run_edit(form, services.edit_hazard, actor=request.user, hazard=hazard)
    if saved:
        messages.success(request, f"{saved.reference} saved.")
        return redirect("hazard-detail", slug=slug, number=number)
    return product_page(
        request, "hazards/hazard_form.html", hazard.product, form=form, hazard=hazard
    )


@login_required
def hazard_assess(request: HttpRequest, slug: str, number: int, stage: str) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    if stage not in Stage.values:
        raise Http404("No such stage.")
    require(request.user, Action.ASSESS_RISK, hazard.product.organisation)
    current = {
        "severity": getattr(hazard, f"{stage}_severity"),
        "likelihood": getattr(hazard, f"{stage}_likelihood"),
    }
    form = AssessRiskForm(request.POST or None, initial=current)
    estimate = submit(
        form,
        lambda: services.assess_risk(
            actor=request.user, hazard=hazard, stage=stage, **form.cleaned_data
        ),
    )
    if estimate:
        messages.success(
            request, f"{stage.capitalize()} risk of {hazard.reference}: {estimate.rating}."
        )
        return redirect("hazard-detail", slug=slug, number=number)
    return product_page(
        request,
        "hazards/assess_form.html",
        hazard.product,
        form=form,
        hazard=hazard,
        stage=Stage(stage),
    )


@login_required
def hazard_status(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    require(request.user, Action.CHANGE_HAZARD_STATUS, hazard.product.organisation)
    form = StatusForm(
        request.POST or None, initial={"status": hazard.status, "version": hazard.version}
    )
    saved = submit(
        form,
        lambda: services.change_hazard_status(
            actor=request.user, hazard=hazard, **form.cleaned_data
        ),
    )
    if saved:
        messages.success(request, f"{saved.reference} is now {saved.get_status_display()}.")
        return redirect("hazard-detail", slug=slug, number=number)
    return product_page(
        request,
        "hazards/simple_form.html",
        hazard.product,
        form=form,
        subject=hazard,
        heading=f"Change the status of {hazard.reference}",
        button="Change status",
    )


@login_required
def hazard_withdraw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    require(request.user, Action.WITHDRAW_HAZARD, hazard.product.organisation)
    form = WithdrawForm(request.POST or None, initial={"version": hazard.version})
    saved = submit(
        form,
        lambda: services.withdraw_hazard(actor=request.user, hazard=hazard, **form.cleaned_data),
    )
    if saved:
        messages.success(request, f"{saved.reference} withdrawn; it stays on record.")
        return redirect("hazard-detail", slug=slug, number=number)
    return product_page(
        request,
        "hazards/simple_form.html",
        hazard.product,
        form=form,
        subject=hazard,
        heading=f"Withdraw {hazard.reference}",
        button="Withdraw hazard",
        warning=True,
    )


# --- controls ----------------------------------------------------------------------------


@login_required
def control_list(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    controls = (
        Control.objects.filter(product=product)
        .select_related("owner")
        .prefetch_related(
            Prefetch("hazards", queryset=Hazard.objects.order_by("number").only("id", "number"))
        )
    )
    filterset = ControlFilterSet(request.GET, queryset=controls, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return product_page(
        request,
        "hazards/control_list.html",
        product,
        filterset=filterset,
        page=page,
        filter_groups=[("kind", "Kind"), ("status", "Status")],
    )


@login_required
def control_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    product = hazard.product
    require(request.user, Action.ADD_CONTROL, product.organisation)
    form = ControlForm(request.POST or None, product=product)
    control = submit(
        form,
        lambda: services.add_control(
            actor=request.user, product=product, hazards=[hazard], **form.cleaned_data
        ),
    )
    if control:
        messages.success(request, f"{control.reference} added to {hazard.reference}.")
        return redirect("hazard-detail", slug=slug, number=number)
    link_form = LinkControlForm(hazard=hazard)
    return product_page(
        request,
        "hazards/control_form.html",
        product,
        form=form,
        hazard=hazard,
        link_form=link_form,
    )


@login_required
@require_POST
def control_link(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    product = hazard.product
    require(request.user, Action.LINK_CONTROL, product.organisation)
    link_form = LinkControlForm(request.POST, hazard=hazard)
    linked = submit(
        link_form,
        lambda: services.link_control(
            actor=request.user, control=link_form.cleaned_data["control"], hazard=hazard
        ),
    )
    if linked:
        messages.success(request, f"{linked.reference} now mitigates {hazard.reference}.")
        return redirect("hazard-detail", slug=slug, number=number)
    return product_page(
        request,
        "hazards/control_form.html",
        product,
        form=ControlForm(product=product),
        hazard=hazard,
        link_form=link_form,
    )


@login_required
@require_POST
def control_unlink(request: HttpRequest, slug: str, number: int, control: int) -> HttpResponse:
    hazard = hazard_or_404(request, slug, number)
    linked = _control(request, slug, control)
    try:
        services.unlink_control(actor=request.user, control=linked, hazard=hazard)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{linked.reference} no longer linked to {hazard.reference}.")
    return redirect("hazard-detail", slug=slug, number=number)


@login_required
def control_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    control = _control(request, slug, number)
    hazards = control.hazards.with_current_risk().order_by("number")
    return product_page(
        request,
        "hazards/control_detail.html",
        control.product,
        control=control,
        hazards=hazards,
        history=history_of(control),
    )


@login_required
def control_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    control = _control(request, slug, number)
    require(request.user, Action.EDIT_CONTROL, control.product.organisation)
    form = ControlEditForm(
        request.POST or None, initial=control_initial(control), product=control.product
    )
    saved = run_edit(form, services.edit_control, actor=request.user, control=control)
    if saved:
        messages.success(request, f"{saved.reference} saved.")
        return redirect("control-detail", slug=slug, number=number)
    return product_page(
        request, "hazards/control_form.html", control.product, form=form, control=control
    )


@login_required
def control_withdraw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    control = _control(request, slug, number)
    require(request.user, Action.WITHDRAW_CONTROL, control.product.organisation)
    form = WithdrawForm(request.POST or None, initial={"version": control.version})
    saved = submit(
        form,
        lambda: services.withdraw_control(actor=request.user, control=control, **form.cleaned_data),
    )
    if saved:
        messages.success(request, f"{saved.reference} withdrawn; it stays on record.")
        return redirect("control-detail", slug=slug, number=number)
    return product_page(
        request,
        "hazards/simple_form.html",
        control.product,
        form=form,
        subject=control,
        heading=f"Withdraw {control.reference}",
        button="Withdraw control",
        warning=True,
    )
