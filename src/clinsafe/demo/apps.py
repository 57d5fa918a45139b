from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "clinsafe.demo"
    label = "demo"
    verbose_name = "Demo data"
