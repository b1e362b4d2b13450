"""Writing many rows of a model in one statement, without building a model instance per row."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models.constants import OnConflict
from django.utils import timezone


def insert_many(model, fields: Sequence[str], rows: Iterable[Sequence[Any]], *, same: Mapping[str, Any] | None = None,
                ignore_conflicts: bool = False) -> None:
    """
    Insert ``rows`` (each the values of ``fields``, in that order) into ``model``'s table in one ``executemany``:
    one statement for Django, which the database driver sends in as few round trips as it can.

    Values are what the columns hold (a foreign key's id, not its object). ``same`` holds the values every row
    shares. Any other field gets what ``bulk_create`` would give it: the current time where it has ``auto_now`` or
    ``auto_now_add``, else its default. Each value is prepared by its field for the database (shared ones once). As
    with ``bulk_create``, no signal is sent; nor are primary keys returned. ``ignore_conflicts`` skips rows that
    would break a unique constraint.
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
    prepare = [_preparer(field, connection) for field in given]
    params = [tuple(prepare_value(value) for prepare_value, value in zip(prepare, row)) + tail for row in rows]
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
        cursor.executemany(sql, params)


#: Django's own fields whose preparation for the database returns a value of this type (or ``None``) unchanged.
PLAIN_TYPES = {
    models.CharField: str, models.TextField: str, models.BooleanField: bool,
    **dict.fromkeys((models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField,
                     models.BigIntegerField, models.SmallIntegerField, models.PositiveIntegerField,
                     models.PositiveBigIntegerField, models.PositiveSmallIntegerField), int),
}


def _preparer(field, connection) -> Callable[[Any], Any]:
    """
    How to prepare the values of ``field`` for the database: with the field's ``get_db_prep_save``, except the values
    it would hand on unchanged (a ``str`` for a plain ``CharField``, an ``int`` for a key), which go as they are.
    """
    exact = type(field.target_field) if isinstance(field, models.ForeignKey) else type(field)
    plain = PLAIN_TYPES.get(exact)

    def prepare(value):
        if plain is not None and (value is None or type(value) is plain):  # pylint: disable=unidiomatic-typecheck
            return value
        return field.get_db_prep_save(value, connection)
    return prepare
