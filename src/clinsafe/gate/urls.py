from django.urls import path

from clinsafe.gate import views

# Under products/<slug>/. A release version may hold dots and plus signs, never a slash.
urlpatterns = [
    path("releases/", views.release_list, name="release-list"),
    path("releases/new/", views.release_create, name="release-create"),
    path("releases/<str:version>/", views.release_detail, name="release-detail"),
    path("releases/<str:version>/edit/", views.release_edit, name="release-edit"),
    path("releases/<str:version>/review/", views.release_start_review, name="release-start-review"),
    path(
        "releases/<str:version>/released/", views.release_record_released, name="release-released"
    ),
    path("releases/<str:version>/withdraw/", views.release_withdraw, name="release-withdraw"),
    path("releases/<str:version>/sign-off/", views.release_sign_off, name="release-sign-off"),
    path("releases/<str:version>/block/", views.release_block, name="release-block"),
    path("releases/<str:version>/blocks/<int:pk>/lift/", views.block_lift, name="block-lift"),
    path("releases/<str:version>/override/", views.release_override, name="release-override"),
    path("releases/<str:version>/badge.svg", views.release_badge, name="release-badge"),
    path("hazards/<hazard:number>/review/", views.hazard_review, name="hazard-review"),
    path("hazards/<hazard:number>/escalate/", views.hazard_escalate, name="hazard-escalate"),
    path("hazards/<hazard:number>/accept/", views.hazard_accept, name="hazard-accept"),
]
