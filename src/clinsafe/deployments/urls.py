from django.urls import path

from clinsafe.deployments import deployment_views as d
from clinsafe.deployments import views

# Under organisations/<slug>/.
urlpatterns = [
    path("supplier-bundles/", views.bundle_list, name="supplier-bundle-list"),
    path("supplier-bundles/<int:pk>/", views.bundle_detail, name="supplier-bundle-detail"),
    path("deployments/", d.deployment_list, name="deployment-list"),
    path("deployments/new/", d.deployment_new, name="deployment-new"),
    path("deployments/<int:pk>/", d.deployment_detail, name="deployment-detail"),
    path("deployments/<int:pk>/hazard-log/", d.deployment_hazard_log, name="deployment-hazard-log"),
    path("deployments/<int:pk>/supplier-hazards/<str:reference>/", d.supplier_hazard,
         name="deployment-supplier-hazard"),
    path("deployments/<int:pk>/transfers/<str:reference>/", d.transfer_decide,
         name="deployment-transfer"),
    path("deployments/<int:pk>/assurance/", d.assurance_review, name="deployment-assurance"),
    path("deployments/<int:pk>/adopt/<int:bundle>/", d.bundle_adopt, name="deployment-adopt"),
    path("deployments/<int:pk>/accept-risks/", d.risks_accept, name="deployment-accept-risks"),
    path("deployments/<int:pk>/in-use-reviews/new/", d.in_use_review_new,
         name="deployment-in-use-review"),
    path("deployments/<int:pk>/decommission/", d.decommission, name="deployment-decommission"),
    path("deployments/<int:pk>/incidents/<int:number>/forward/", d.incident_forward,
         name="deployment-incident-forward"),
]  # fmt: skip
