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


#: Rows per UPDATE statement on MySQL, where they are joined to the table as a derived table.
MYSQL_UPDATE_ROWS = 1000


def update_many(model, fields: Sequence[str], rows: Iterable[Sequence[Any]], *,
                same: Mapping[str, Any] = None) -> None:
    """
    Update rows of ``model`` by primary key: each of ``rows`` is a primary key, then the values of ``fields`` in
    that order; ``same`` holds the values every row gets. Values are prepared as :func:`insert_many` prepares them;
    no signal is sent.

    ``bulk_update`` builds a ``CASE`` expression per row and field in Python, a millisecond a row. This is one
    ``executemany`` of a plain ``UPDATE`` by primary key; on MySQL, where mysqlclient would send that as one
    statement per row, the rows are joined to the table as a derived table, a thousand per statement.
    """
    meta = model._meta  # pylint: disable=protected-access
    connection = connections[router.db_for_write(model)]
    given = [meta.get_field(name) for name in fields]
    shared = {meta.get_field(name): value for name, value in (same or {}).items()}
    shared_values = [field.get_db_prep_save(value, connection) for field, value in shared.items()]
    prepared = [(index + 1, to_db) for index, field in enumerate(given) if (to_db := _preparer(field, connection))]
    params = [_prepare(row, prepared, ()) for row in rows]
    if not params:
        return
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    names = [quote(field.column) for field in given]
    shared_names = [quote(field.column) for field in shared]
    with connection.cursor() as cursor:
        if connection.vendor != "mysql":
            assignments = ", ".join(f"{name} = %s" for name in [*names, *shared_names])
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
                               [(*row[1:], *shared_values, row[0]) for row in params])
            return
        first = "SELECT " + ", ".join(f"%s AS {name}" for name in [pk, *names])
        other = "SELECT " + ", ".join(["%s"] * (len(names) + 1))
        assignments = ", ".join([*(f"{table}.{name} = v.{name}" for name in names),
                                 *(f"{table}.{name} = %s" for name in shared_names)])
        for start in range(0, len(params), MYSQL_UPDATE_ROWS):
            batch = params[start:start + MYSQL_UPDATE_ROWS]
            derived = " UNION ALL ".join([first, *[other] * (len(batch) - 1)])
            cursor.execute(f"UPDATE {table} JOIN ({derived}) AS v ON {table}.{pk} = v.{pk} SET {assignments}",
                           [*(value for row in batch for value in row), *shared_values])
