"""
The views every import kind shares: the upload, its template, and the status and report of background imports.

A feature's views are subclasses naming their kind; the schema of each comes from the kind's declaration.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiRequest, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.kinds import KINDS, ImportKind, Option
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.bulk.reader import file_too_large
from certexceptions_plugin.bulk.results import csv_lines, rows_to_csv
from certexceptions_plugin.bulk.serializers import (
    FILE_ENCODING,
    OperationSerializer,
    request_serializer,
    result_serializer,
)
from certexceptions_plugin.host import get_host
from certexceptions_plugin.rest import (
    CourseAPIView,
    Pagination,
    bool_param,
    choice_param,
    csv_response,
    csv_stream_response,
    csv_upload,
    error_responses,
)

ERRORS = error_responses(400, 401, 403, 404)


def _url(name: str, operation: BulkOperation, request) -> str:
    kwargs = {"course_id": str(operation.course_key), "operation_id": operation.id}
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def operation_payload(operation: BulkOperation, request) -> dict:
    return {
        "id": str(operation.id),
        "kind": operation.kind,
        "status": operation.status,
        "dry_run": operation.dry_run,
        "rows_total": operation.rows_total,
        "rows_done": operation.rows_done,
        "summary": operation.summary,
        "error": operation.error,
        "created": operation.created,
        "modified": operation.modified,
        "url": _url("bulk_operation", operation, request),
        "rows_url": _url("bulk_operation_rows", operation, request),
        "report_url": _url("bulk_operation_report", operation, request),
    }


def _option(data, option: Option):
    if option.choices:
        return choice_param(data, option.name, option.choices, default=option.default, error_code=option.error_code)
    return bool_param(data, option.name, default=option.default)


#: Room for the multipart framing and the form's other fields around the file, in an announced body length.
MULTIPART_ALLOWANCE = 64 * 1024


class LimitedUpload(FileUploadHandler):
    """Passes an upload on to the next handlers, and stops reading the request once it passes ``limit`` bytes."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit, self.received = limit, 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise file_too_large(self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None


# Under ATOMIC_REQUESTS each chunk still commits on its own, as in core's StudentsUpdateEnrollmentView.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ImportView(CourseAPIView):
    """
    Import a CSV file of the view's ``kind``: 200 with every row's result, or 202 and a background operation.

    A body announced larger than ``CERTEXCEPTIONS_MAX_UPLOAD_BYTES`` is refused before any of it is read (before
    authentication, which may read the form for its CSRF token); a body that does not announce its length stops
    being read at the limit, so nothing past it is spooled.
    """

    kind: ImportKind
    parser_classes = (MultiPartParser,)

    def initialize_request(self, request, *args, **kwargs):
        request.upload_handlers.insert(0, LimitedUpload(request, limit=settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES))
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        length = request.META.get("CONTENT_LENGTH", "")
        if length.isdigit() and int(length) > settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES + MULTIPART_ALLOWANCE:
            raise file_too_large(settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES)
        super().initial(request, *args, **kwargs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.course_permission = cls.kind.permission
        extend_schema_view(post=extend_schema(
            request={"multipart/form-data": OpenApiRequest(request_serializer(cls.kind), encoding=FILE_ENCODING)},
            responses={200: result_serializer(cls.kind), 202: OperationSerializer,
                       **error_responses(409, 413, 415), **ERRORS},
        ))(cls)

    def post(self, request, course_id):  # pylint: disable=unused-argument
        upload = csv_upload(request)
        dry_run = bool_param(request.data, "dry_run", default=False)
        options = {option.name: _option(request.data, option) for option in self.kind.options}
        accepted = operations.import_or_submit(self.kind, course_key=self.course.key, actor=request.user,
                                               upload=upload, options=options, dry_run=dry_run)
        if accepted.body is None:
            return Response(operation_payload(accepted.operation, request), status=status.HTTP_202_ACCEPTED)
        return Response({**accepted.body, "report_url": _url("bulk_operation_report", accepted.operation, request)})


class ImportTemplateView(CourseAPIView):
    """A CSV template of the view's ``kind``: its header and an example row."""

    kind: ImportKind

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.course_permission = cls.kind.permission
        extend_schema_view(get=extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS}))(cls)

    def get(self, request, course_id):  # pylint: disable=unused-argument
        return csv_response(rows_to_csv([self.kind.template], tuple(self.kind.template)),
                            f"{self.kind.name}_template.csv")


def visible_kinds(user, course_key) -> list[str]:
    """The kinds of import whose operations ``user`` may see in the course."""
    host = get_host()
    return [name for name, kind in KINDS.items()
            if host.has_permission(user=user, course_key=course_key, permission=kind.permission)]


class BulkOperationMixin:
    """Finds the URL's operation in the URL's course, for a user allowed to run that kind of import."""

    def get_operation(self) -> BulkOperation:
        try:
            operation = BulkOperation.objects.filter(id=self.kwargs["operation_id"],
                                                     course_key=self.course.key).first()
        except ValidationError:  # matches the URL pattern, but is no UUID
            operation = None
        if operation is None:
            raise NotFound(_("No such operation in this course."))
        if operation.kind not in visible_kinds(self.request.user, self.course.key):
            raise PermissionDenied()
        operations.mark_lost([operation])
        return operation


class BulkOperationListView(CourseAPIView, GenericAPIView):
    """The course's imports, newest first, of the kinds the user may run; filter by ``kind`` and ``status``."""

    pagination_class = Pagination
    serializer_class = OperationSerializer

    @extend_schema(parameters=[OpenApiParameter("kind", OpenApiTypes.STR),
                               OpenApiParameter("status", OpenApiTypes.STR)],
                   responses={200: OperationSerializer(many=True), **ERRORS})
    def get(self, request, course_id):  # pylint: disable=unused-argument
        found = BulkOperation.objects.filter(course_key=self.course.key,
                                             kind__in=visible_kinds(request.user, self.course.key))
        for name in ("kind", "status"):
            if request.query_params.get(name):
                found = found.filter(**{name: request.query_params[name]})
        page = self.paginate_queryset(found.order_by("-created"))
        operations.mark_lost(page)
        return self.get_paginated_response([operation_payload(operation, request) for operation in page])


class BulkOperationView(BulkOperationMixin, CourseAPIView):
    """Progress and, once finished, the summary (or the error) of an import."""

    @extend_schema(responses={200: OperationSerializer, **ERRORS})
    def get(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        return Response(operation_payload(self.get_operation(), request))


class BulkOperationRetryView(BulkOperationMixin, CourseAPIView):
    """Start a failed import again from its stored file (rows already written are not written twice)."""

    @extend_schema(request=None, responses={202: OperationSerializer, **error_responses(409), **ERRORS})
    def post(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        operation = operations.retry(self.get_operation())
        return Response(operation_payload(operation, request), status=status.HTTP_202_ACCEPTED)


class BulkOperationRowsView(BulkOperationMixin, CourseAPIView, GenericAPIView):
    """The rows of an import, in file order, a page at a time; filter by ``outcome`` and ``reason``."""

    pagination_class = Pagination

    @extend_schema(parameters=[OpenApiParameter("outcome", OpenApiTypes.STR),
                               OpenApiParameter("reason", OpenApiTypes.STR)],
                   responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        rows = self.get_operation().rows.order_by("row")
        for name in ("outcome", "reason"):
            if request.query_params.get(name):
                rows = rows.filter(**{name: request.query_params[name]})
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([row.as_dict() for row in page])


class BulkOperationReportView(BulkOperationMixin, CourseAPIView):
    """The rows of an import as CSV (formula-safe cells), streamed, to fix failures in a spreadsheet."""

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS})
    def get(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        operation = self.get_operation()
        if operation.status != BulkOperation.SUCCEEDED:
            raise NotFound(_("The operation has no report: it is {status}.").format(status=operation.status))
        rows = (row.as_dict() for row in operation.rows.order_by("row").iterator(chunk_size=2000))
        return csv_stream_response(csv_lines(rows, KINDS[operation.kind].report_columns),
                                   f"{operation.kind}_{operation.id}.csv")
