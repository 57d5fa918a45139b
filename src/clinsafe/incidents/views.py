"""Incident log pages: short views that find the record, call a service, and respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from clinsafe.audit.services import history_of
from clinsafe.core.forms import run_edit, submit
from clinsafe.core.http import download
from clinsafe.core.permissions import Action, require
from clinsafe.hazards.forms import VersionedForm
from clinsafe.hazards.models import Hazard
from clinsafe.hazards.views import PAGE_SIZE, product_or_404, product_page
from clinsafe.incidents import export, services
from clinsafe.incidents.filtersets import IncidentFilterSet
from clinsafe.incidents.forms import (
    ActionForm,
    CompleteActionForm,
    ExternalReportForm,
    InvestigationForm,
    ReportForm,
    TriageForm,
    investigation_initial,
)
from clinsafe.incidents.models import CorrectiveAction, Incident, IncidentHazard, IncidentStatus
from clinsafe.products.models import Product
from clinsafe.products.services import visible_products
from clinsafe.reports.spreadsheet import CSV, XLSX

EXPORTS = {"xlsx": (export.to_xlsx, XLSX), "csv": (export.to_csv, CSV)}


def _incident(request: HttpRequest, slug: str, number: int) -> Incident:
    product = product_or_404(request, slug)
    return get_object_or_404(
        Incident.objects.select_related(
            "product__organisation", "release", "reported_by", "reporting_organisation",
            "triaged_by", "closed_by", "forwarded_to__product",
        ),
        product=product,
        number=number,
    )  # fmt: skip


def _filtered(request: HttpRequest, product: Product) -> IncidentFilterSet:
    incidents = Incident.objects.filter(product=product).select_related("release")
    return IncidentFilterSet(request.GET, queryset=incidents, request=request)


@login_required
def incident_log(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_or_404(request, slug)
    filterset = _filtered(request, product)
    page = Paginator(
        filterset.qs.prefetch_related(
            Prefetch("hazards", queryset=Hazard.objects.order_by("number").only("id", "number"))
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return product_page(
        request,
        "incidents/incident_log.html",
        product,
        filterset=filterset,
        page=page,
        filter_groups=[("status", "Status"), ("harm", "Harm")],
        releases=product.releases.order_by("-created_at").values_list("version", flat=True),
        query=request.GET.urlencode(),
        overdue=services.overdue_actions(Product.objects.filter(pk=product.pk)),
    )


@login_required
def incident_log_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    product = product_or_404(request, slug)
    if fmt not in EXPORTS:
        raise Http404("No such format.")
    write, content_type = EXPORTS[fmt]
    content = write(_filtered(request, product).qs)
    return download(content, content_type, f"incident-log-{slug}.{fmt}")


@login_required
def incident_report(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(services.reportable_products(request.user), slug=slug)
    member = visible_products(request.user).filter(pk=product.pk).exists()
    form = ReportForm(request.POST or None, product=product, user=request.user)
    incident = submit(
        form,
        lambda: services.report_incident(actor=request.user, product=product, **form.cleaned_data),
    )
    if incident and member:
        messages.success(request, f"{incident.reference} reported. The CSO has been told.")
        return redirect("incident-detail", slug=slug, number=incident.number)
    if incident:
        # Reported to a supplier: the reporter sees what was sent, not the supplier's log.
        return render(request, "incidents/reported.html", {"incident": incident})
    # The product's own pages are shown only to its maker's people.
    context = {"target": product, "product": product if member else None, "form": form}
    return render(request, "incidents/report.html", context)


@login_required
def incident_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    incident = _incident(request, slug, number)
    links = IncidentHazard.objects.filter(incident=incident).select_related("hazard")
    awaiting = set(links.awaiting_reassessment().values_list("pk", flat=True))
    return product_page(
        request,
        "incidents/incident_detail.html",
        incident.product,
        incident=incident,
        links=[(link, link.pk in awaiting) for link in links],
        failed_controls=incident.failed_controls.order_by("number"),
        actions=incident.actions.select_related("owner", "done_by"),
        history=history_of(incident),
    )


def _step(
    request: HttpRequest,
    incident: Incident,
    form: Form,
    done: Any,
    heading: str,
    button: str,
    message: str,
) -> HttpResponse:
    """Respond to one step of an incident's life: back to the incident once ``done``."""
    if done:
        messages.success(request, message)
        return redirect("incident-detail", slug=incident.product.slug, number=incident.number)
    return product_page(
        request, "hazards/simple_form.html", incident.product, form=form, subject=incident,
        heading=heading, button=button,
    )  # fmt: skip


@login_required
def incident_triage(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    incident = _incident(request, slug, number)
    require(request.user, Action.TRIAGE_INCIDENT, incident.product.organisation)
    if incident.status != IncidentStatus.REPORTED:
        messages.info(request, f"{incident.reference} is already triaged.")
        return redirect("incident-detail", slug=slug, number=number)
    form = TriageForm(
        request.POST or None,
        product=incident.product,
        initial={"version": incident.version, "actual_harm": incident.reported_harm,
                 "reassessment_required": True, "external_report_required": False},
    )  # fmt: skip
    done = submit(
        form,
        lambda: services.triage_incident(
            actor=request.user, incident=incident, **form.service_arguments()
        ),
    )
    return _step(
        request, incident, form, done, f"Triage {incident.reference}", "Record triage",
        f"{incident.reference} triaged.",
    )  # fmt: skip


@login_required
def incident_external_report(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    incident = _incident(request, slug, number)
    require(request.user, Action.TRIAGE_INCIDENT, incident.product.organisation)
    form = ExternalReportForm(request.POST or None, initial={"version": incident.version})
    done = submit(
        form,
        lambda: services.record_external_report(
            actor=request.user, incident=incident, **form.cleaned_data
        ),
    )
    return _step(
        request, incident, form, done,
        f"Record the external report of {incident.reference} "
        f"to {incident.get_external_body_display()}",
        "Record reference", "External reference recorded.",
    )  # fmt: skip


@login_required
def incident_investigation(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    incident = _incident(request, slug, number)
    require(request.user, Action.INVESTIGATE_INCIDENT, incident.product.organisation)
    form = InvestigationForm(request.POST or None, initial=investigation_initial(incident))
    done = run_edit(form, services.record_investigation, actor=request.user, incident=incident)
    return _step(
        request, incident, form, done, f"Investigation of {incident.reference}",
        "Save investigation", "Investigation saved.",
    )  # fmt: skip


@login_required
def action_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    incident = _incident(request, slug, number)
    require(request.user, Action.INVESTIGATE_INCIDENT, incident.product.organisation)
    form = ActionForm(request.POST or None, product=incident.product)
    done = submit(
        form,
        lambda: services.add_action(actor=request.user, incident=incident, **form.cleaned_data),
    )
    return _step(
        request, incident, form, done, f"Add an action to {incident.reference}", "Add action",
        "Action added; its owner has been told.",
    )  # fmt: skip


@login_required
def action_complete(request: HttpRequest, slug: str, number: int, action: int) -> HttpResponse:
    incident = _incident(request, slug, number)
    require(request.user, Action.INVESTIGATE_INCIDENT, incident.product.organisation)
    corrective = get_object_or_404(CorrectiveAction, incident=incident, pk=action)
    form = CompleteActionForm(request.POST or None)
    done = submit(
        form,
        lambda: services.complete_action(
            actor=request.user, action=corrective, **form.cleaned_data
        ),
    )
    return _step(
        request, incident, form, done, f"Record done: {corrective.description[:80]}",
        "Record done", "Action recorded done.",
    )  # fmt: skip


@login_required
def incident_close(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    incident = _incident(request, slug, number)
    require(request.user, Action.CLOSE_INCIDENT, incident.product.organisation)
    form = VersionedForm(request.POST or None, initial={"version": incident.version})
    done = submit(
        form,
        lambda: services.close_incident(actor=request.user, incident=incident, **form.cleaned_data),
    )
    return _step(
        request, incident, form, done, f"Close {incident.reference}", "Close incident",
        f"{incident.reference} closed.",
    )  # fmt: skip
