"""Routes of the REST API, its OpenAPI schema and interactive documentation."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

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

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
