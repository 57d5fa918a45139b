from django.urls import path, register_converter

from clinsafe.hazards import views


class ReferenceConverter:
    """H-001 or C-001 in a URL, as the number it stands for."""

    prefix = ""

    def __init__(self) -> None:
        self.regex = rf"{self.prefix}-[0-9]{{3,}}"

    def to_python(self, value: str) -> int:
        return int(value.split("-", 1)[1])

    def to_url(self, value: int) -> str:
        return f"{self.prefix}-{int(value):03d}"


class HazardReference(ReferenceConverter):
    prefix = "H"


class ControlReference(ReferenceConverter):
    prefix = "C"


register_converter(HazardReference, "hazard")
register_converter(ControlReference, "control")

urlpatterns = [
    path("", views.hazard_log, name="hazard-log"),
    path("matrix/", views.risk_matrix, name="risk-matrix"),
    path("hazards/new/", views.hazard_create, name="hazard-create"),
    path("hazards/<hazard:number>/", views.hazard_detail, name="hazard-detail"),
    path("hazards/<hazard:number>/edit/", views.hazard_edit, name="hazard-edit"),
    path("hazards/<hazard:number>/assess/<str:stage>/", views.hazard_assess, name="hazard-assess"),
    path("hazards/<hazard:number>/status/", views.hazard_status, name="hazard-status"),
    path("hazards/<hazard:number>/withdraw/", views.hazard_withdraw, name="hazard-withdraw"),
    path("hazards/<hazard:number>/controls/new/", views.control_add, name="control-add"),
    path("hazards/<hazard:number>/controls/link/", views.control_link, name="control-link"),
    path(
        "hazards/<hazard:number>/controls/<control:control>/unlink/",
        views.control_unlink,
        name="control-unlink",
    ),
    path("controls/", views.control_list, name="control-list"),
    path("controls/<control:number>/", views.control_detail, name="control-detail"),
    path("controls/<control:number>/edit/", views.control_edit, name="control-edit"),
    path("controls/<control:number>/withdraw/", views.control_withdraw, name="control-withdraw"),
]
