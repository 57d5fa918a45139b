from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clinsafe.audit"
    label = "audit"
    verbose_name = "Audit trail"
