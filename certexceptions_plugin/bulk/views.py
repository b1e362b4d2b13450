"""The status of a background import."""
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.rest import CourseAPIView


def operation_payload(operation: BulkOperation, request) -> dict:
    return {
        "id": str(operation.id),
        "kind": operation.kind,
        "status": operation.status,
        "rows_total": operation.rows_total,
        "rows_done": operation.rows_done,
        "url": request.build_absolute_uri(reverse("bulk_operation", kwargs={
            "course_id": str(operation.course_key), "operation_id": operation.id})),
        "result": operation.result,
        "error": operation.error,
    }


class BulkOperationView(CourseAPIView):
    """Progress and, once finished, the result of a background import."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def get(self, request, course_id, operation_id):  # pylint: disable=unused-argument
        operation = BulkOperation.objects.filter(id=operation_id, course_key=self.course.key).first()
        if operation is None:
            raise NotFound(_("No such operation in this course."))
        return Response(operation_payload(operation, request))
