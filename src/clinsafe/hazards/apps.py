from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "clinsafe.hazards"
    label = "hazards"
    verbose_name = "Hazard log"
