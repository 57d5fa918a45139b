from django.apps import AppConfig


class GateConfig(AppConfig):
    name = "clinsafe.gate"
    label = "gate"
    verbose_name = "Release gate"
