from django.db import migrations, models

from clinsafe.audit.seals import sealing


class Migration(migrations.Migration):
    dependencies = [
        ("deployments", "0002_deployment_assurancereview_inusereview_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="residualriskacceptance",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        sealing("deployments", "ResidualRiskAcceptance"),
    ]
