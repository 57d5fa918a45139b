from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "clinsafe.incidents"
    label = "incidents"
    verbose_name = "Safety incidents"

    def ready(self) -> None:
        # The gate holds a release pending while an incident against the product waits for
        # triage or its hazards for re-assessment.
        from clinsafe.incidents import gate_rule  # noqa: F401
