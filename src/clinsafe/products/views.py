"""Pages listing, registering and describing products."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from clinsafe.core.forms import run_edit, submit
from clinsafe.core.permissions import Action, allowed_actions, organisations_where, require
from clinsafe.products import services
from clinsafe.products.forms import ProductCreateForm, ProductEditForm, product_initial


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    products = services.visible_products(request.user).annotate(
        open_hazards=Count(
            "hazards", filter=Q(hazards__withdrawn_at__isnull=True, hazards__status="open")
        ),
        hazard_count=Count("hazards", filter=Q(hazards__withdrawn_at__isnull=True)),
    )
    return render(
        request,
        "products/product_list.html",
        {
            "products": products,
            "may_register": organisations_where(request.user, Action.EDIT_PRODUCT).exists(),
        },
    )


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    organisations = organisations_where(request.user, Action.EDIT_PRODUCT)
    if not organisations.exists():
        raise PermissionDenied(
            "You may not register a product: that needs the Clinical Safety Officer, deputy or "
            "organisation admin role in an organisation."
        )
    form = ProductCreateForm(request.POST or None, organisations=organisations)
    product = submit(form, lambda: services.create_product(actor=request.user, **form.cleaned_data))
    if product:
        messages.success(request, f"{product.name} registered. Raise its first hazard.")
        return redirect("hazard-log", slug=product.slug)
    return render(request, "products/product_form.html", {"form": form})


@login_required
def product_edit(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(services.visible_products(request.user), slug=slug)
    require(request.user, Action.EDIT_PRODUCT, product.organisation)
    form = ProductEditForm(request.POST or None, initial=product_initial(product))
    saved = run_edit(form, services.edit_product, actor=request.user, product=product)
    if saved:
        messages.success(request, f"{saved.name} saved.")
        return redirect("hazard-log", slug=slug)
    may = allowed_actions(request.user, product.organisation)
    return render(
        request, "products/product_form.html", {"form": form, "product": product, "may": may}
    )
