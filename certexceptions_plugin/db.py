"""Writing many rows of the plugin's own tables at once."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connections, models, router

#: The largest multi-row INSERT sent to MySQL.
MYSQL_STATEMENT_BYTES = 4 * 2**20
#: Fields whose values of their own Python type (``str``, ``int``) go to the database as they are.
STORED_AS_GIVEN = (models.CharField, models.TextField, models.IntegerField, models.PositiveIntegerField)


def insert_many(model, fields: Sequence[str], rows: Iterable[Sequence[Any]],
                constants: Mapping[str, Any] | None = None) -> None:
    """
    Insert ``rows`` (each the values of ``fields``, in order) into ``model``'s table with one ``executemany``;
    ``constants`` give fields whose value is the same for every row.

    Values are converted as ``bulk_create`` converts them (``get_db_prep_save``; plain text and numbers, which
    must be of their field's type, as they are), constants once, but no model instance is built: for append-only tables of many rows (audit events, row results). Defaults are not applied,
    so every column without a database default is given, ``auto_now_add`` ones as constants.
    """
    constants = constants or {}
    connection = connections[router.db_for_write(model)]
    meta, quote = model._meta, connection.ops.quote_name  # pylint: disable=protected-access
    varying = [meta.get_field(name) for name in fields]
    fixed = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in constants.items()]
    columns = [meta.get_field(name).column for name in constants] + [field.column for field in varying]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(column) for column in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    prepare = [_as_given if type(field) in STORED_AS_GIVEN else field.get_db_prep_save  # noqa: E721
               for field in varying]
    params = [(*fixed, *(to_db(value, connection) for to_db, value in zip(prepare, row))) for row in rows]
    if params:
        with connection.cursor() as cursor:
            if connection.vendor == "mysql":
                # mysqlclient sends an executemany INSERT as multi-row INSERTs of at most max_stmt_length bytes,
                # 64 KiB by default: a chunk's rows then take a dozen. MySQL's max_allowed_packet is 16 MiB or more.
                cursor.cursor.cursor.max_stmt_length = MYSQL_STATEMENT_BYTES
            cursor.executemany(sql, params)


def _as_given(value, connection):  # pylint: disable=unused-argument
    return value
