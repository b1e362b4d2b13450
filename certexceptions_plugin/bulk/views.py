"""The status and report of a background import."""
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.bulk.results import rows_to_csv
from certexceptions_plugin.host import get_host
from certexceptions_plugin.rest import CourseAPIView, csv_response


def operation_payload(operation: BulkOperation, request) -> dict:
    kwargs = {"course_id": str(operation.course_key), "operation_id": operation.id}
    return {
        "id": str(operation.id),
        "kind": operation.kind,
        "status": operation.status,
        "rows_total": operation.rows_total,
        "rows_done": operation.rows_done,
        "url": request.build_absolute_uri(reverse("bulk_operation", kwargs=kwargs)),
        "report_url": request.build_absolute_uri(reverse("bulk_operation_report", kwargs=kwargs)),
        "result": operation.result,
        "error": operation.error,
    }


class BulkOperationMixin:
    """Finds the URL's operation in the URL's course, for a user allowed to run that kind of import."""

    def get_operation(self) -> BulkOperation:
        operation = BulkOperation.objects.filter(id=self.kwargs["operation_id"], course_key=self.course.key).first()
        if operation is None:
            raise NotFound(_("No such operation in this course."))
        permission = operations.KINDS[operation.kind].permission
        if not get_host().has_permission(user=self.request.user, course_key=self.course.key, permission=permission):
            raise PermissionDenied()
        return operation


class BulkOperationView(BulkOperationMixin, CourseAPIView):
    """Progress and, once finished, the result of a background import."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def get(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        return Response(operation_payload(self.get_operation(), request))


class BulkOperationReportView(BulkOperationMixin, CourseAPIView):
    """The rows of a finished import as CSV (formula-safe cells), to fix failures in a spreadsheet."""

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, 403: OpenApiTypes.OBJECT,
                              404: OpenApiTypes.OBJECT})
    def get(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        operation = self.get_operation()
        if operation.status != BulkOperation.SUCCEEDED:
            raise NotFound(_("The operation has no report: it is {status}.").format(status=operation.status))
        columns = operations.KINDS[operation.kind].report_columns
        return csv_response(rows_to_csv(operation.result["rows"], columns), f"{operation.kind}_{operation.id}.csv")
