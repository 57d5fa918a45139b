from django.conf import settings
from django.db import migrations, models

from clinsafe.audit.chain import head_message, sign
from clinsafe.audit.migrations import _triggers


def sign_the_genesis_head(apps, schema_editor):
    """A chain emptied and its head reset must not verify: the empty chain's head is signed
    too, from the start."""
    ChainHead = apps.get_model("audit", "ChainHead")
    for head in ChainHead.objects.filter(last_sequence=0, signature=""):
        head.signature = sign(settings.AUDIT_KEY, head_message(0, head.last_hash))
        head.save(update_fields=["signature"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        # SQLite may rebuild the table to add a column, which drops its triggers.
        migrations.RunPython(_triggers.drop, _triggers.create),
        migrations.AddField(
            model_name="auditevent",
            name="subject_state",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(_triggers.create, _triggers.drop),
        migrations.RunPython(sign_the_genesis_head, migrations.RunPython.noop),
    ]
