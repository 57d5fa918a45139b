from django.db import migrations

from clinsafe.audit.chain import GENESIS_HASH
from clinsafe.audit.triggers import CREATE, DROP, statements


def create_triggers(apps, schema_editor):
    for sql in statements(CREATE, schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for sql in statements(DROP, schema_editor.connection.vendor):
        schema_editor.execute(sql)


def create_head(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.create(
        pk=1, last_sequence=0, last_hash=GENESIS_HASH
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
