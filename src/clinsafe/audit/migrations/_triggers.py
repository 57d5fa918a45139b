"""The append-only triggers as migration steps, for every migration that must lift them."""

from clinsafe.audit.triggers import CREATE, DROP, statements


def create(apps, schema_editor):
    for sql in statements(CREATE, schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in statements(DROP, schema_editor.connection.vendor):
        schema_editor.execute(sql)
