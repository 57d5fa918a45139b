from django.urls import path

from clinsafe.reports import views

# Under products/<slug>/.
urlpatterns = [
    path("documents/", views.documents, name="documents"),
    path("documents/hazard-log.<str:fmt>", views.hazard_log_document, name="hazard-log-document"),
    path("documents/plan.<str:fmt>", views.plan_document, name="plan-document"),
    path("documents/plan/approve/", views.plan_approve, name="plan-approve"),
    path("documents/dtac.<str:fmt>", views.dtac_document, name="dtac-document"),
    path("documents/issued/<int:pk>/", views.issued_document, name="issued-document"),
    path("documents/issuing/<int:pk>/retry/", views.issuing_retry, name="issuing-retry"),
    path("hazard-log/import/", views.log_import, name="hazard-log-import"),
    path("hazard-log/import/<int:pk>/", views.log_import_job, name="hazard-log-import-job"),
    path(
        "hazard-log/import/<int:pk>/progress/",
        views.log_import_progress,
        name="hazard-log-import-progress",
    ),
    path("hazard-log/rating-flags/<int:pk>/decide/", views.rating_mismatch_decide,
         name="rating-mismatch-decide"),
    path("releases/<str:version>/safety-case-report.<str:fmt>", views.safety_case_report,
         name="safety-case-report"),
    path("releases/<str:version>/compliance/", views.compliance, name="release-compliance"),
    path("releases/<str:version>/compliance/sign/", views.compliance_sign,
         name="release-compliance-sign"),
    path("releases/<str:version>/supplier-bundle.json", views.supplier_bundle,
         name="supplier-bundle"),
]  # fmt: skip
