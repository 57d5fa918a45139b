from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    name = "clinsafe.deployments"
    label = "deployments"
    verbose_name = "Deployments (DCB0160)"
