from django.urls import path

from clinsafe.deployments import views

# Under organisations/<slug>/.
urlpatterns = [
    path("supplier-bundles/", views.bundle_list, name="supplier-bundle-list"),
    path("supplier-bundles/<int:pk>/", views.bundle_detail, name="supplier-bundle-detail"),
]
