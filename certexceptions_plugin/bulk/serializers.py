"""The request and response shapes of an import kind, derived from its declaration (for the OpenAPI schema)."""
from __future__ import annotations

import copy

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certexceptions_plugin.bulk.kinds import ImportKind
from certexceptions_plugin.bulk.models import BulkOperation

DRY_RUN_HELP = "Plan and report without writing anything."


def _serializer(name: str, fields: dict) -> type[serializers.Serializer]:
    # Each serializer gets its own copies: a DRF field instance belongs to one serializer.
    return type(name, (serializers.Serializer,), {key: copy.deepcopy(value) for key, value in fields.items()})


def _prefix(kind: ImportKind) -> str:
    return "".join(part.capitalize() for part in kind.name.split("_"))


@extend_schema_field({"type": "string", "format": "binary"})
class CsvFileField(serializers.FileField):
    """An uploaded file: bytes in a multipart part (a ``FileField`` alone is described as a URL)."""


#: The upload's ``file`` part: a CSV file whose name ends in ``.csv`` (else 400 ``not_csv``).
FILE_ENCODING = {"file": {
    "contentType": "text/csv",
    "headers": {"Content-Disposition": {
        "description": "The file's name must end in .csv.",
        "schema": {"type": "string", "pattern": r'filename="[^"]*\.[cC][sS][vV]"',
                   "example": 'form-data; name="file"; filename="upload.csv"'},
    }},
}}


def request_serializer(kind: ImportKind) -> type[serializers.Serializer]:
    return _serializer(f"{_prefix(kind)}ImportRequest", {
        "file": CsvFileField(help_text=kind.file_help),
        "dry_run": serializers.BooleanField(default=False, help_text=DRY_RUN_HELP),
        **{option.name: option.serializer_field() for option in kind.options},
    })


def row_serializer(kind: ImportKind) -> type[serializers.Serializer]:
    return _serializer(f"{_prefix(kind)}Row", {
        "row": serializers.IntegerField(help_text="1-based line number in the file."),
        **kind.row_fields,
        "outcome": serializers.ChoiceField(choices=kind.outcomes.choices()),
        "reason": serializers.ChoiceField(choices=kind.reasons.choices(), allow_null=True,
                                          help_text="Why the row failed, or a note on what was done."),
        "message": serializers.CharField(help_text="What happened to the row, in words."),
    })


def result_serializer(kind: ImportKind) -> type[serializers.Serializer]:
    summary = _serializer(f"{_prefix(kind)}Summary", {
        name: serializers.IntegerField() for name in ("rows", *map(str, kind.outcomes), *kind.counts)})
    return _serializer(f"{_prefix(kind)}ImportResult", {
        "dry_run": serializers.BooleanField(),
        "summary": summary(),
        "rows": row_serializer(kind)(many=True),
        **kind.payload_fields,
        "report_url": serializers.URLField(help_text="The rows as a CSV file."),
    })


class OperationSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """An import: its progress and, once it has finished, its summary or error; its rows are a page away."""

    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=[status for status, _ in BulkOperation.STATUSES])
    dry_run = serializers.BooleanField()
    rows_total = serializers.IntegerField()
    rows_done = serializers.IntegerField()
    summary = serializers.DictField(child=serializers.IntegerField(), allow_null=True,
                                    help_text="Once succeeded: rows per outcome, as a small upload's summary.")
    error = serializers.JSONField(allow_null=True, help_text="Once failed: {message, error_code}.")
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField(help_text="The last progress: a running import not moving for "
                                                   "CERTEXCEPTIONS_OPERATION_STALE_SECONDS has lost its worker.")
    url = serializers.URLField()
    rows_url = serializers.URLField(help_text="The rows, a page at a time (?outcome=, ?reason=).")
    report_url = serializers.URLField(help_text="Every row as a CSV file.")
