"""A deploying organisation's deployments (DCB0160): the list, recording one, its overview,
its hazard log beside the supplier's, and the local CSO's and executive's decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from clinsafe.core.cso import cso_position
from clinsafe.core.forms import NHSForm, run_service, submit
from clinsafe.core.permissions import Action, allowed_actions, require
from clinsafe.core.views import organisation_or_404
from clinsafe.deployments import in_use, services
from clinsafe.deployments.forms import (
    AcceptRisksForm,
    AssuranceReviewForm,
    DecommissionForm,
    DeploymentForm,
    InUseReviewForm,
    TransferDecisionForm,
)
from clinsafe.deployments.models import Deployment, SupplierBundle
from clinsafe.deployments.records import (
    arrival,
    assurance_checks,
    go_live,
    latest_review,
    newer_bundle,
    next_review_due,
    open_release,
    residual_risks,
    risk_acceptance,
    transfers,
)
from clinsafe.gate.evaluation import gate_report
from clinsafe.hazards.models import Hazard
from clinsafe.incidents.models import Incident
from clinsafe.products.models import Release
from clinsafe.reports.services import plan_status


def deployment_or_404(request: HttpRequest, slug: str, pk: int) -> Deployment:
    organisation = organisation_or_404(request, slug)
    return get_object_or_404(
        Deployment.objects.select_related("bundle", "record", "organisation"),
        organisation=organisation,
        pk=pk,
    )


@login_required
def deployment_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    rows = []
    for deployment in Deployment.objects.filter(organisation=organisation).select_related(
        "bundle", "record", "organisation"
    ):
        went_live = go_live(deployment)
        pending = open_release(deployment)
        due = next_review_due(deployment, went_live)
        rows.append(
            {
                "deployment": deployment,
                "went_live": went_live,
                "pending": pending,
                "gate": gate_report(pending)["status"] if pending else None,
                "review_due": due,
                "review_overdue": due is not None and due < timezone.localdate(),
            }
        )
    return render(
        request,
        "deployments/deployment_list.html",
        {
            "organisation": organisation,
            "rows": rows,
            "may": allowed_actions(request.user, organisation),
        },
    )


@login_required
def deployment_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    require(request.user, Action.RECORD_DEPLOYMENT, organisation)
    form = DeploymentForm(
        request.POST or None,
        organisation=organisation,
        initial={"version": request.GET.get("version", "")},
    )

    def record() -> Deployment:
        data = dict(form.cleaned_data)
        kind, pk = form.source()
        del data["version"]
        if kind == "bundle":
            bundle = get_object_or_404(SupplierBundle, organisation=organisation, pk=pk)
        else:
            release = get_object_or_404(Release, product__organisation=organisation, pk=pk)
            bundle = services.bundle_of_own_release(
                actor=request.user, organisation=organisation, release=release
            )
        return services.record_deployment(
            actor=request.user, organisation=organisation, bundle=bundle, **data
        )

    deployment = submit(form, record)
    if deployment is not None:
        messages.success(request, f"Recorded the deployment of {deployment}.")
        return redirect("deployment-detail", organisation.slug, deployment.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "organisation": organisation,
            "heading": "Record a deployment",
            "button": "Record deployment",
        },
    )


@login_required
def deployment_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    record = deployment.record
    went_live, pending = go_live(deployment), open_release(deployment)
    due = next_review_due(deployment, went_live)
    newer = newer_bundle(deployment)
    gate = gate_report(pending) if pending else None
    return render(
        request,
        "deployments/deployment_detail.html",
        {
            "organisation": deployment.organisation,
            "deployment": deployment,
            "record": record,
            "went_live": went_live,
            "pending": pending,
            "gate": gate,
            "state": {"went_live": went_live, "pending": pending, "gate": gate and gate["status"]},
            "position": cso_position(record),
            "plan": plan_status(record),
            "arrival": arrival(deployment, newer) if newer else None,
            "checks": assurance_checks(deployment.bundle),
            "review": latest_review(deployment),
            "transfers": transfers(deployment),
            "risks": residual_risks(deployment),
            "acceptance": risk_acceptance(deployment),
            "in_use_reviews": deployment.in_use_reviews.select_related("report", "recorded_by"),
            "review_due": due,
            "review_overdue": due is not None and due < timezone.localdate(),
            "incidents": Incident.objects.filter(product=record).select_related(
                "forwarded_to__product"
            ),
            "may": allowed_actions(request.user, deployment.organisation),
        },
    )


@login_required
def deployment_hazard_log(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    local = (
        Hazard.objects.filter(product=deployment.record)
        .in_log()
        .with_current_risk()
        .order_by("number")
    )
    return render(
        request,
        "deployments/deployment_hazard_log.html",
        {
            "organisation": deployment.organisation,
            "deployment": deployment,
            "local": local,
            "supplier": deployment.bundle.content["hazard_log"]["hazards"],
            "transfers": transfers(deployment),
            "may": allowed_actions(request.user, deployment.organisation),
        },
    )


@login_required
@require_safe
def supplier_hazard(request: HttpRequest, slug: str, pk: int, reference: str) -> HttpResponse:
    """One of the supplier's hazards as its bundle gives it: read-only on this side."""
    deployment = deployment_or_404(request, slug, pk)
    log = deployment.bundle.content["hazard_log"]
    hazard = next((h for h in log["hazards"] if h["reference"] == reference), None)
    if hazard is None:
        raise Http404(f"The supplier's bundle has no hazard {reference}.")
    controls = [c for c in log["controls"] if c["reference"] in hazard["controls"]]
    return render(
        request,
        "deployments/supplier_hazard.html",
        {
            "organisation": deployment.organisation,
            "deployment": deployment,
            "bundle": deployment.bundle,
            "hazard": hazard,
            "controls": controls,
            "may": allowed_actions(request.user, deployment.organisation),
        },
    )


def _form_page(
    request: HttpRequest, deployment: Deployment, form: NHSForm, heading: str, button: str,
    **extra: Any,
) -> HttpResponse:  # fmt: skip
    return render(
        request,
        "deployments/deployment_form.html",
        {
            "organisation": deployment.organisation,
            "deployment": deployment,
            "form": form,
            "heading": heading,
            "button": button,
            **extra,
        },
    )


def _done(request: HttpRequest, deployment: Deployment, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("deployment-detail", deployment.organisation.slug, deployment.pk)


@login_required
def transfer_decide(request: HttpRequest, slug: str, pk: int, reference: str) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    require(request.user, Action.DECIDE_TRANSFER, deployment.organisation)
    transfer = next((t for t in transfers(deployment) if t.reference == reference), None)
    if transfer is None:
        raise Http404(f"{reference} is not a control the supplier transferred.")
    form = TransferDecisionForm(request.POST or None)
    made = submit(
        form,
        lambda: services.decide_transfer(
            actor=request.user, deployment=deployment, reference=reference, **form.cleaned_data
        ),
    )
    if made is not None:
        raised = f" Raised local hazard {made.local_hazard.reference}." if made.local_hazard else ""
        return _done(
            request, deployment, f"{reference} {made.get_decision_display().lower()}.{raised}"
        )
    return _form_page(
        request, deployment, form, f"Decide on {reference}", "Record decision", transfer=transfer
    )


@login_required
def assurance_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    require(request.user, Action.REVIEW_ASSURANCE, deployment.organisation)
    form = AssuranceReviewForm(request.POST or None)
    if submit(
        form,
        lambda: services.review_assurance(
            actor=request.user, deployment=deployment, **form.cleaned_data
        ),
    ):
        return _done(request, deployment, "Your review of the supplier's evidence is recorded.")
    return _form_page(
        request,
        deployment,
        form,
        f"Review the supplier's evidence for {deployment.bundle.release_version}",
        "Record review",
        checks=assurance_checks(deployment.bundle),
    )


@login_required
def bundle_adopt(request: HttpRequest, slug: str, pk: int, bundle: int) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    require(request.user, Action.ADOPT_BUNDLE, deployment.organisation)
    newer = get_object_or_404(SupplierBundle, organisation=deployment.organisation, pk=bundle)
    form = NHSForm(request.POST or None)
    if submit(
        form,
        lambda: services.adopt_bundle(actor=request.user, deployment=deployment, bundle=newer),
    ):
        return _done(
            request, deployment, f"The deployment moves to {newer.release_version}: review again "
            "what the supplier changed.",
        )  # fmt: skip
    return _form_page(
        request,
        deployment,
        form,
        f"Move to {newer.product_name} {newer.release_version}",
        f"Adopt {newer.release_version}",
        arrival=arrival(deployment, newer),
    )


@login_required
def risks_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    require(request.user, Action.ACCEPT_DEPLOYMENT_RISKS, deployment.organisation)
    form = AcceptRisksForm(request.POST or None)
    if submit(
        form,
        lambda: services.accept_deployment_risks(
            actor=request.user, deployment=deployment, **form.cleaned_data
        ),
    ):
        return _done(request, deployment, "You accepted the deployment's residual risks.")
    return _form_page(
        request,
        deployment,
        form,
        "Accept the residual risks",
        "Sign and accept",
        risks=residual_risks(deployment),
    )


@login_required
def in_use_review_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    require(request.user, Action.RECORD_IN_USE_REVIEW, deployment.organisation)
    form = InUseReviewForm(request.POST or None, initial={"held_on": timezone.localdate()})
    review = submit(
        form,
        lambda: in_use.record_in_use_review(
            actor=request.user, deployment=deployment, **form.cleaned_data
        ),
    )
    if review is not None:
        return _done(
            request, deployment, f"In-use review recorded; report version "
            f"{review.report.document_version} issued.",
        )  # fmt: skip
    return _form_page(
        request, deployment, form, "Record an in-use review", "Record and issue report"
    )


@login_required
def decommission(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    require(request.user, Action.DECOMMISSION_DEPLOYMENT, deployment.organisation)
    form = DecommissionForm(request.POST or None)
    if submit(
        form,
        lambda: in_use.decommission_deployment(
            actor=request.user, deployment=deployment, **form.cleaned_data
        ),
    ):
        return _done(request, deployment, "Decommissioned; the final report is issued.")
    return _form_page(
        request,
        deployment,
        form,
        "Decommission the deployment",
        "Decommission and issue the final report",
        change_link=reverse("change-propose", args=[deployment.record.slug]),
    )


@login_required
@require_POST
def incident_forward(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    deployment = deployment_or_404(request, slug, pk)
    incident = get_object_or_404(Incident, product=deployment.record, number=number)
    form = NHSForm(request.POST)
    forwarded = run_service(
        form,
        lambda: in_use.forward_incident(
            actor=request.user, deployment=deployment, incident=incident
        ),
    )
    if forwarded is None:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(
            request,
            f"{incident.reference} forwarded to {deployment.bundle.supplier_name} as "
            f"{forwarded.reference}.",
        )
    return redirect("deployment-detail", deployment.organisation.slug, deployment.pk)
