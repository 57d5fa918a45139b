from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "clinsafe.reports"
    label = "reports"
    verbose_name = "Documents and interchange"

    def ready(self) -> None:
        # The gate holds a release pending until its compliance assessment is signed, and
        # a sign-off issues the release's documents.
        from clinsafe.reports import compliance_rule, issuing  # noqa: F401
