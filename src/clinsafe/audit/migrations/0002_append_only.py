from django.db import migrations

from clinsafe.audit.chain import GENESIS_HASH
from clinsafe.audit.migrations import _triggers


def create_head(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.create(
        pk=1, last_sequence=0, last_hash=GENESIS_HASH
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(_triggers.create, _triggers.drop),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
