"""Writing many rows of a model in one statement, without building a model instance per row."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models.constants import OnConflict
from django.utils import timezone

#: The largest multi-row INSERT sent to MySQL (whose max_allowed_packet is 16 MiB or more).
MYSQL_STATEMENT_BYTES = 4 * 2**20
#: Fields that store a value of their own Python type (``str``, ``int``) as it is; so do foreign keys to them.
STORED_AS_GIVEN = (models.CharField, models.TextField, models.IntegerField, models.PositiveIntegerField,
                   models.BooleanField, models.AutoField, models.BigAutoField)


def insert_many(model, fields: Sequence[str], rows: Iterable[Sequence[Any]], *, same: Mapping[str, Any] = None,
                ignore_conflicts: bool = False) -> None:
    """
    Insert ``rows`` (each the values of ``fields``, in that order) into ``model``'s table in one ``executemany``:
    one statement for Django, which the database driver sends in as few round trips as it can.

    ``same`` holds the values every row shares. Any other field gets what ``bulk_create`` would give it: the current
    time where it has ``auto_now`` or ``auto_now_add``, else its default. Values are prepared for the database as
    their field prepares them (shared ones once; those of plain text, number and boolean fields, which must be of
    the field's type, pass as they are). As with ``bulk_create``, no signal is sent; nor are primary keys returned.
    ``ignore_conflicts`` skips rows that would break a unique constraint.
    """
    meta = model._meta  # pylint: disable=protected-access
    connection = connections[router.db_for_write(model)]
    given = [meta.get_field(name) for name in fields]
    shared = {meta.get_field(name): value for name, value in (same or {}).items()}
    now = timezone.now()
    for field in meta.local_concrete_fields:
        if field in given or field in shared or field is meta.auto_field:
            continue
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        shared[field] = now if stamped else field.get_default()
    tail = tuple(field.get_db_prep_save(value, connection) for field, value in shared.items())
    prepared = [(index, to_db) for index, field in enumerate(given) if (to_db := _preparer(field, connection))]
    params = [(*row, *tail) for row in rows] if not prepared else [_prepare(row, prepared, tail) for row in rows]
    if not params:
        return
    columns = [*given, *shared]
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    quote = connection.ops.quote_name
    sql = "{insert} {table} ({columns}) VALUES ({values}){suffix}".format(
        insert=connection.ops.insert_statement(on_conflict=on_conflict), table=quote(meta.db_table),
        columns=", ".join(quote(field.column) for field in columns), values=", ".join(["%s"] * len(columns)),
        suffix=connection.ops.on_conflict_suffix_sql(columns, on_conflict, None, None))
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            # mysqlclient sends an executemany INSERT as multi-row INSERTs of at most max_stmt_length bytes, by
            # default 64 KiB: a chunk of rows would take a dozen.
            cursor.cursor.cursor.max_stmt_length = MYSQL_STATEMENT_BYTES
        cursor.executemany(sql, params)


def _preparer(field, connection) -> Callable[[Any], Any] | None:
    """What prepares a value of ``field`` for the database; None where the value goes as it is."""
    if type(field.target_field if field.is_relation else field) in STORED_AS_GIVEN:
        return None
    if isinstance(field, models.JSONField):
        # JSONField.get_db_prep_save, without its checks for expressions, which rows never hold.
        adapt, encoder = connection.ops.adapt_json_value, field.encoder
        return lambda value: None if value is None else adapt(value, encoder)
    return lambda value: field.get_db_prep_save(value, connection)


def _prepare(row: Sequence[Any], prepared: list[tuple[int, Callable[[Any], Any]]], tail: tuple) -> list:
    values = [*row, *tail]
    for index, to_db in prepared:
        values[index] = to_db(values[index])
    return values
