from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import Http404
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from clinsafe.core.forms import LoginForm
from clinsafe.products.views import product_create, product_edit, product_list
from clinsafe.reports.views import supplier_bundle_schema


class FrontendAsset(RedirectView):
    """The NHS.UK frontend's stylesheet asks for its icons at /assets/...; they are served
    with the rest of the frontend under /static/nhsuk/assets/."""

    permanent = True

    def get_redirect_url(self, *args: Any, name: str = "", **kwargs: Any) -> str:
        if not finders.find(f"nhsuk/assets/{name}"):
            raise Http404(name)
        return static(f"nhsuk/assets/{name}")


urlpatterns = [
    path("assets/<path:name>", FrontendAsset.as_view(), name="frontend-asset"),
    path("", RedirectView.as_view(pattern_name="product-list"), name="home"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("products/", product_list, name="product-list"),
    path("", include("clinsafe.core.urls")),
    path("", include("clinsafe.health.urls")),
    path("products/new/", product_create, name="product-create"),
    path("products/<slug:slug>/edit/", product_edit, name="product-edit"),
    path("products/<slug:slug>/", include("clinsafe.hazards.urls")),
    path("products/<slug:slug>/", include("clinsafe.gate.urls")),
    path("products/<slug:slug>/", include("clinsafe.argument.urls")),
    path("products/<slug:slug>/", include("clinsafe.reports.urls")),
    path("products/<slug:slug>/", include("clinsafe.incidents.urls")),
    path("products/<slug:slug>/", include("clinsafe.products.urls")),
    path("organisations/<slug:slug>/", include("clinsafe.deployments.urls")),
    path("schemas/supplier-bundle-v1.json", supplier_bundle_schema, name="supplier-bundle-schema"),
    path("api/", include("clinsafe.api.urls")),
]
