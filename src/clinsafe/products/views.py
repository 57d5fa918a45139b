"""Pages listing products."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinsafe.products.services import visible_products


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    products = visible_products(request.user).annotate(
        open_hazards=Count(
            "hazards", filter=Q(hazards__withdrawn_at__isnull=True, hazards__status="open")
        ),
        hazard_count=Count("hazards", filter=Q(hazards__withdrawn_at__isnull=True)),
    )
    return render(request, "products/product_list.html", {"products": products})
