from django.urls import path, register_converter

from clinsafe.hazards.urls import ReferenceConverter
from clinsafe.products import change_views


class ChangeReference(ReferenceConverter):
    prefix = "CH"


register_converter(ChangeReference, "change")

urlpatterns = [
    path("changes/", change_views.change_list, name="change-list"),
    path("changes/new/", change_views.change_propose, name="change-propose"),
    path("changes/<change:number>/", change_views.change_detail, name="change-detail"),
    path("changes/<change:number>/assess/", change_views.change_assess, name="change-assess"),
]
