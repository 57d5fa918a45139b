from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "clinsafe.reports"
    label = "reports"
    verbose_name = "Documents and interchange"

    def ready(self) -> None:
        # The gate holds a release pending until its compliance assessment is signed, and
        # a sign-off issues the release's documents; work queued at a backup is queued
        # again on restore.
        from clinsafe.reports import compliance_rule, import_jobs, issuing  # noqa: F401
