from django.urls import path

from clinsafe.health import views

urlpatterns = [
    path("products/<slug:slug>/cso-health/", views.product_health, name="product-health"),
    path("products/<slug:slug>/needs-me/", views.needs_me, name="needs-me"),
    path("products/<slug:slug>/cso-health/time/", views.time_record, name="time-record"),
    path(
        "organisations/<slug:slug>/cso-health/",
        views.organisation_health,
        name="organisation-health",
    ),
    path("organisations/<slug:slug>/board-report/", views.board_report_page, name="board-report"),
    path(
        "organisations/<slug:slug>/board-report.pdf",
        views.board_report_page,
        {"pdf": True},
        name="board-report-pdf",
    ),
]
