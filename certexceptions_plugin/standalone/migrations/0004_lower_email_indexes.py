"""
Indexes on ``LOWER(email)`` of the accounts and of the pending invitations, where emails are compared that way.

The hosts find emails ignoring case (``host.accounts.email_in``): on MySQL and MariaDB a plain ``IN`` does, and
the column's index serves it, as in the LMS; elsewhere (SQLite, PostgreSQL) it compares ``LOWER(email)``, which only
an index on that expression serves. Without one, every chunk of a roster import scans both tables.
"""
from django.conf import settings
from django.db import migrations

#: (index, model, columns after LOWER(email)): an invitation is looked up by email within one course.
INDEXES = (
    ("standalone_user_email_lower", settings.AUTH_USER_MODEL, ()),
    ("standalone_cea_email_lower", "standalone.CourseEnrollmentAllowed", ("course_id",)),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "mysql":
        return
    quote = schema_editor.quote_name
    for name, model, columns in INDEXES:
        table = apps.get_model(model)._meta.db_table
        expressions = ", ".join([f"LOWER({quote('email')})", *map(quote, columns)])
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({expressions})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "mysql":
        return
    for name, _model, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ("standalone", "0003_user_retirement_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
