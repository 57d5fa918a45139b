from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "clinsafe.health"
    label = "health"
    verbose_name = "CSO function health"
