"""Change pages: the CSO's triage queue and every change, proposing one, and its safety
impact assessment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from clinsafe.audit.services import history_of
from clinsafe.core.forms import submit
from clinsafe.core.permissions import Action, require
from clinsafe.hazards.views import product_or_404, product_page
from clinsafe.products import changes
from clinsafe.products.change_forms import AssessChangeForm, ProposeChangeForm
from clinsafe.products.models import Change, ChangeKind, decommissioning_gaps


def _change(request: HttpRequest, slug: str, number: int) -> Change:
    product = product_or_404(request, slug)
    return get_object_or_404(
        Change.objects.select_related("product__organisation", "release", "proposed_by",
                                      "assessed_by"),
        product=product,
        number=number,
    )  # fmt: skip


@login_required
def change_list(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    all_changes = list(
        Change.objects.filter(product=product).select_related("release", "proposed_by")
    )
    return product_page(
        request,
        "products/change_list.html",
        product,
        queue=[c for c in all_changes if not c.is_assessed],
        assessed=[(c, changes.engagement(c)) for c in all_changes if c.is_assessed],
        decommissioning_gaps=decommissioning_gaps(product),
    )


@login_required
def change_propose(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    require(request.user, Action.PROPOSE_CHANGE, product.organisation)
    form = ProposeChangeForm(request.POST or None, product=product)
    change = submit(
        form,
        lambda: changes.propose_change(actor=request.user, product=product, **form.cleaned_data),
    )
    if change:
        messages.success(request, f"{change.reference} proposed; it waits for the CSO.")
        return redirect("change-detail", slug=slug, number=change.number)
    return product_page(
        request, "hazards/simple_form.html", product, form=form, subject=product,
        heading="Propose a change", button="Propose change",
    )  # fmt: skip


@login_required
def change_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    change = _change(request, slug, number)
    return product_page(
        request,
        "products/change_detail.html",
        change.product,
        change=change,
        links=change.hazard_links.select_related("hazard"),
        engagement=changes.engagement(change),
        history=history_of(change),
    )


@login_required
def change_assess(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    change = _change(request, slug, number)
    require(request.user, Action.ASSESS_CHANGE, change.product.organisation)
    initial = {
        "version": change.version,
        "release": change.release,
        "hazards": [link.hazard for link in change.hazard_links.filter(topic="")],
        "new_hazards": change.new_hazards,
        "alters_clinical_risk": change.alters_clinical_risk,
        "conclusion": change.conclusion,
    }
    form = AssessChangeForm(
        request.POST or None,
        initial=initial,
        product=change.product,
        decommissioning=change.kind == ChangeKind.DECOMMISSIONING,
    )
    assessed = submit(
        form,
        lambda: changes.assess_change(
            actor=request.user, change=change, **form.service_arguments()
        ),
    )
    if assessed:
        messages.success(request, f"Your assessment of {change.reference} is recorded.")
        return redirect("change-detail", slug=slug, number=number)
    return product_page(
        request, "hazards/simple_form.html", change.product, form=form, subject=change,
        heading=f"Assess the safety impact of {change.reference}", button="Record assessment",
    )  # fmt: skip
