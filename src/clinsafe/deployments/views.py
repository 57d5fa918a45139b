"""A deploying organisation's supplier bundles: the list with an import form, and each
bundle's read-only record with what changed since the one before."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from clinsafe.core.forms import submit
from clinsafe.core.permissions import allowed_actions
from clinsafe.core.views import organisation_or_404
from clinsafe.deployments.compare import compare
from clinsafe.deployments.forms import BundleUploadForm
from clinsafe.deployments.models import SupplierBundle
from clinsafe.deployments.services import import_supplier_bundle
from clinsafe.incidents.services import reportable_products


@login_required
def bundle_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    form = BundleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        bundle = submit(
            form,
            lambda: import_supplier_bundle(
                actor=request.user,
                organisation=organisation,
                data=form.cleaned_data["file"].read(),
            ),
        )
        if bundle is not None:
            messages.success(request, f"Imported {bundle}.")
            return redirect("supplier-bundle-detail", organisation.slug, bundle.pk)
    return render(
        request,
        "deployments/bundle_list.html",
        {
            "organisation": organisation,
            "bundles": SupplierBundle.objects.filter(organisation=organisation).defer("content"),
            "form": form,
            "may": allowed_actions(request.user, organisation),
        },
    )


@login_required
def bundle_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_or_404(request, slug)
    bundle = get_object_or_404(SupplierBundle, organisation=organisation, pk=pk)
    previous = bundle.previous
    content = bundle.content
    return render(
        request,
        "deployments/bundle_detail.html",
        {
            "organisation": organisation,
            "bundle": bundle,
            "content": content,
            "transferred": [
                c
                for c in content["hazard_log"]["controls"]
                if c["transferred_to_deploying_organisation"]
            ],
            "previous": previous,
            "comparison": compare(previous.content, content) if previous else None,
            "deployments": bundle.deployments.select_related("bundle"),
            "may": allowed_actions(request.user, organisation),
            # The supplier keeps its log here too: incidents can be reported to it directly.
            "supplier_product": reportable_products(request.user)
            .filter(pk__in=[bundle.supplier_product_id])
            .first(),
        },
    )
