"""Routes of the REST API, its OpenAPI schema and interactive documentation."""

from typing import Any

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from clinsafe.core.api import ApiTokenViewSet
from clinsafe.deployments.api import DeploymentViewSet
from clinsafe.gate.api import ReleaseViewSet
from clinsafe.hazards.api import ControlViewSet, HazardViewSet, RiskEstimateViewSet
from clinsafe.incidents.api import IncidentViewSet
from clinsafe.products.api import ProductViewSet
from clinsafe.products.change_api import ChangeViewSet

router = DefaultRouter()
router.register("products", ProductViewSet, basename="api-product")
router.register(
    r"products/(?P<product_slug>[^/.]+)/releases", ReleaseViewSet, basename="api-release"
)
router.register("hazards", HazardViewSet, basename="api-hazard")
router.register("risk-estimates", RiskEstimateViewSet, basename="api-riskestimate")
router.register("controls", ControlViewSet, basename="api-control")
router.register("incidents", IncidentViewSet, basename="api-incident")
router.register("changes", ChangeViewSet, basename="api-change")
router.register("deployments", DeploymentViewSet, basename="api-deployment")
router.register("tokens", ApiTokenViewSet, basename="api-token")


@extend_schema(exclude=True)
class NoSuchOperation(APIView):
    """Any other path under /api/: a 404 in JSON, as every API answer is, rather than the
    site's HTML page (e.g. /api/hazards/0.5/, which no route takes)."""

    permission_classes: list[Any] = []

    def http_method_not_allowed(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotFound()


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
    re_path(r"", NoSuchOperation.as_view()),
]
