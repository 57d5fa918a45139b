from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    name = "clinsafe.deployments"
    label = "deployments"
    verbose_name = "Deployments (DCB0160)"

    def ready(self) -> None:
        # Deployments add their own rules, and their part of what is signed, to the gate.
        from clinsafe.deployments import gate_rule  # noqa: F401
