from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinsafe.core"
    label = "core"
    verbose_name = "Organisations and people"
