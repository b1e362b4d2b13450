"""
The declaration of one kind of CSV import, and the registry of kinds.

A feature declares its import once, in ``bulk``'s vocabulary: from the declaration come the upload and template
views, the request and response serializers (and so the OpenAPI schema), the JSON rows, the CSV report columns,
the background operation and the management command. Kinds are registered in ``AppConfig.ready()``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rest_framework import serializers

from certexceptions_plugin.bulk.engine import Importer
from certexceptions_plugin.bulk.reader import Cells, CsvFormat
from certexceptions_plugin.bulk.results import BulkResult, Code
from certexceptions_plugin.host.port import Permission

#: The columns every row reports around a kind's own fields: ``row`` first, then these last.
ROW_START, ROW_END = ("row",), ("outcome", "reason", "message")


@dataclass(frozen=True)
class Option:
    """A form field of the upload besides ``file`` and ``dry_run``: true/false, or one of ``choices``."""

    name: str
    default: bool | str
    help_text: str
    choices: tuple[str, ...] = ()
    #: The ``error_code`` of a value that is not one of the choices.
    error_code: str = "invalid_request"

    def serializer_field(self) -> serializers.Field:
        if self.choices:
            return serializers.ChoiceField(choices=self.choices, default=self.default, help_text=self.help_text)
        return serializers.BooleanField(default=self.default, help_text=self.help_text)


@dataclass(frozen=True)
class ImportKind:
    """Everything that makes one kind of import (certificate exceptions, invitations) what it is."""

    #: Names the lock, the background operations and the report files.
    name: str
    #: What the actor must hold on the course to run the import or read its operations.
    permission: Permission
    csv_format: CsvFormat
    #: ``(course_key, actor, header, **options) -> Importer``; ``header`` is the file's header row or ``None``.
    make_importer: Callable[..., Importer]
    outcomes: type[Code]
    reasons: type[Code]
    #: The kind's own row fields, in report order, with their serializer fields.
    row_fields: Mapping[str, serializers.Field]
    #: The row field that names the row's person (in command output and core-style errors).
    identifier_field: str
    #: What the file may hold, for the upload's OpenAPI description.
    file_help: str
    #: The header and an example row of the downloadable template.
    template: Mapping[str, str]
    options: Sequence[Option] = ()
    #: The kind's own summary counts beside the outcomes, for the schema.
    counts: Sequence[str] = ()
    #: ``(result, options) -> dict`` of keys the kind adds to the response body, with their serializer fields.
    extend_payload: Callable[[BulkResult, Mapping[str, Any]], dict] | None = None
    payload_fields: Mapping[str, serializers.Field] = field(default_factory=dict)

    @property
    def report_columns(self) -> tuple[str, ...]:
        return (*ROW_START, *self.row_fields, *ROW_END)

    def default_options(self) -> dict[str, Any]:
        return {option.name: option.default for option in self.options}

    def importer(self, *, course_key, actor, header: Cells | None, options: Mapping[str, Any]) -> Importer:
        return self.make_importer(course_key=course_key, actor=actor, header=header, **options)


KINDS: dict[str, ImportKind] = {}


def register(*kinds: ImportKind) -> None:
    for kind in kinds:
        KINDS[kind.name] = kind
