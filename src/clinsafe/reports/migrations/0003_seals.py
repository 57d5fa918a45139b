from django.db import migrations, models

from clinsafe.audit.seals import sealing


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_alter_issueddocument_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="compliancesignature",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="planapproval",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        sealing("reports", "ComplianceSignature", "PlanApproval"),
    ]
