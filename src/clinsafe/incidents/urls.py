from django.urls import path, register_converter

from clinsafe.hazards.urls import ReferenceConverter
from clinsafe.incidents import views


class IncidentReference(ReferenceConverter):
    prefix = "I"


register_converter(IncidentReference, "incident")

urlpatterns = [
    path("incidents/", views.incident_log, name="incident-log"),
    path("incidents/report/", views.incident_report, name="incident-report"),
    path("incidents/incident-log.<str:fmt>", views.incident_log_export, name="incident-log-export"),
    path("incidents/<incident:number>/", views.incident_detail, name="incident-detail"),
    path("incidents/<incident:number>/triage/", views.incident_triage, name="incident-triage"),
    path(
        "incidents/<incident:number>/external-report/",
        views.incident_external_report,
        name="incident-external-report",
    ),
    path(
        "incidents/<incident:number>/investigation/",
        views.incident_investigation,
        name="incident-investigation",
    ),
    path("incidents/<incident:number>/actions/new/", views.action_add, name="incident-action-add"),
    path(
        "incidents/<incident:number>/actions/<int:action>/done/",
        views.action_complete,
        name="incident-action-done",
    ),
    path("incidents/<incident:number>/close/", views.incident_close, name="incident-close"),
]
