"""
The views every import kind shares: the upload, its template, and the status and report of background imports.

A feature's views are subclasses naming their kind; the schema of each comes from the kind's declaration.
"""
from django.db import transaction
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.kinds import KINDS, ImportKind, Option
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.bulk.results import rows_to_csv
from certexceptions_plugin.bulk.serializers import OperationSerializer, request_serializer, result_serializer
from certexceptions_plugin.host import get_host
from certexceptions_plugin.rest import (
    CourseAPIView,
    bool_param,
    choice_param,
    csv_response,
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
        "rows_total": operation.rows_total,
        "rows_done": operation.rows_done,
        "url": _url("bulk_operation", operation, request),
        "report_url": _url("bulk_operation_report", operation, request),
        "result": operation.result,
        "error": operation.error,
    }


def _option(data, option: Option):
    if option.choices:
        return choice_param(data, option.name, option.choices, default=option.default, error_code=option.error_code)
    return bool_param(data, option.name, default=option.default)


# Under ATOMIC_REQUESTS each chunk still commits on its own, as in core's StudentsUpdateEnrollmentView.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ImportView(CourseAPIView):
    """Import a CSV file of the view's ``kind``: 200 with every row's result, or 202 and a background operation."""

    kind: ImportKind
    parser_classes = (MultiPartParser, FormParser)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.course_permission = cls.kind.permission
        extend_schema_view(post=extend_schema(
            request={"multipart/form-data": request_serializer(cls.kind)},
            responses={200: result_serializer(cls.kind), 202: OperationSerializer,
                       **error_responses(409, 413), **ERRORS},
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


class BulkOperationMixin:
    """Finds the URL's operation in the URL's course, for a user allowed to run that kind of import."""

    def get_operation(self) -> BulkOperation:
        operation = BulkOperation.objects.filter(id=self.kwargs["operation_id"], course_key=self.course.key).first()
        if operation is None:
            raise NotFound(_("No such operation in this course."))
        permission = KINDS[operation.kind].permission
        if not get_host().has_permission(user=self.request.user, course_key=self.course.key, permission=permission):
            raise PermissionDenied()
        return operation


class BulkOperationView(BulkOperationMixin, CourseAPIView):
    """Progress and, once finished, the result of a background import."""

    @extend_schema(responses={200: OperationSerializer, **error_responses(403, 404)})
    def get(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        return Response(operation_payload(self.get_operation(), request))


class BulkOperationReportView(BulkOperationMixin, CourseAPIView):
    """The rows of a finished import as CSV (formula-safe cells), to fix failures in a spreadsheet."""

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **error_responses(403, 404)})
    def get(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        operation = self.get_operation()
        if operation.status != BulkOperation.SUCCEEDED:
            raise NotFound(_("The operation has no report: it is {status}.").format(status=operation.status))
        columns = KINDS[operation.kind].report_columns
        return csv_response(rows_to_csv(operation.result["rows"], columns), f"{operation.kind}_{operation.id}.csv")
