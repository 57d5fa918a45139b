from django.db import migrations, models

from clinsafe.audit.seals import sealing


class Migration(migrations.Migration):
    dependencies = [
        ("gate", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="block",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="escalation",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="hazardreview",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="override",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="riskacceptance",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="signoff",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        sealing(
            "gate", "Block", "Escalation", "HazardReview", "Override", "RiskAcceptance", "SignOff"
        ),
    ]
