"""
An index on ``(LOWER(email), course_id)`` of the pending invitations, where emails are compared that way.

The hosts find invitations by email ignoring case (``host.accounts.email_in``): on MySQL and MariaDB a plain ``IN``
does, and the LMS's index on ``(email, course_id)`` serves it; elsewhere (SQLite, PostgreSQL) it compares
``LOWER(email)``, which only an index on that expression serves. Without one, every chunk of a roster import scans
the course's invitations, three times.
"""
from django.db import migrations

NAME, TABLE = "standalone_cea_lower_email_course", "standalone_courseenrollmentallowed"


def create_index(apps, schema_editor):  # pylint: disable=unused-argument
    if schema_editor.connection.vendor != "mysql":
        schema_editor.execute(f"CREATE INDEX {NAME} ON {TABLE} (LOWER(email), course_id)")


def drop_index(apps, schema_editor):  # pylint: disable=unused-argument
    if schema_editor.connection.vendor != "mysql":
        schema_editor.execute(f"DROP INDEX {NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ("standalone", "0004_auth_user_lookup_indexes"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
