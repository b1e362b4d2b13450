"""
The indexes the LMS's account look-ups rely on, on Django's ``auth_user`` table.

edx-platform adds an index on ``auth_user.email`` (common/djangoapps/student/migrations/0004_add_email_index.py;
0010_auto_20170207_0458.py notes production databases keep it). On MySQL, the LMS's database, its collations compare
case-insensitively, so the plain indexes serve the plugin's case-insensitive look-ups; elsewhere those compare
``LOWER(column)``, which only an index on that expression serves.
"""
from django.db import migrations

INDEXES = (
    ("standalone_auth_user_email", "email", ()),
    ("standalone_auth_user_lower_username", "LOWER(username)", ("mysql",)),
    ("standalone_auth_user_lower_email", "LOWER(email)", ("mysql",)),
)


def create_indexes(apps, schema_editor):  # pylint: disable=unused-argument
    for name, expression, skip_on in INDEXES:
        if schema_editor.connection.vendor not in skip_on:
            schema_editor.execute(f"CREATE INDEX {name} ON auth_user ({expression})")


def drop_indexes(apps, schema_editor):  # pylint: disable=unused-argument
    for name, _expression, skip_on in INDEXES:
        if schema_editor.connection.vendor not in skip_on:
            on_table = " ON auth_user" if schema_editor.connection.vendor == "mysql" else ""
            schema_editor.execute(f"DROP INDEX {name}{on_table}")


class Migration(migrations.Migration):
    atomic = False  # MySQL cannot run DDL inside a transaction

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("standalone", "0003_user_retirement_status"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
