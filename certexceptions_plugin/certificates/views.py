"""REST views for bulk certificate exceptions."""
from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.bulk.results import rows_to_csv
from certexceptions_plugin.bulk.views import operation_payload
from certexceptions_plugin.certificates import services
from certexceptions_plugin.certificates.importer import ACTIONS, GRANT, TEMPLATE_HEADER
from certexceptions_plugin.certificates.serializers import (
    BulkExceptionsRequestSerializer,
    BulkExceptionsResultSerializer,
)
from certexceptions_plugin.host.port import Permission
from certexceptions_plugin.rest import CourseAPIView, bool_param, choice_param, csv_response, csv_upload


# Under ATOMIC_REQUESTS each chunk still commits on its own, as in core's StudentsUpdateEnrollmentView.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class BulkCertificateExceptionsView(CourseAPIView):
    """Grant or remove certificate exceptions for every learner in a CSV of ``username_or_email[,notes]``."""

    course_permission = Permission.CERTIFICATES
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        request={"multipart/form-data": BulkExceptionsRequestSerializer},
        responses={200: BulkExceptionsResultSerializer, 202: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT,
                   401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT,
                   409: OpenApiTypes.OBJECT, 413: OpenApiTypes.OBJECT},
    )
    def post(self, request, course_id):  # pylint: disable=unused-argument
        upload = csv_upload(request)
        action = choice_param(request.data, "action", ACTIONS, default=GRANT, error_code="invalid_action")
        dry_run = bool_param(request.data, "dry_run", default=False)
        outcome = services.upload_exceptions(course_key=self.course.key, actor=request.user, upload=upload,
                                             action=action, dry_run=dry_run)
        if isinstance(outcome, BulkOperation):
            return Response(operation_payload(outcome, request), status=status.HTTP_202_ACCEPTED)
        return Response(services.result_payload(outcome, action=action))


class BulkCertificateExceptionsTemplateView(CourseAPIView):
    """A CSV template for the bulk upload."""

    course_permission = Permission.CERTIFICATES

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, course_id):  # pylint: disable=unused-argument
        content = rows_to_csv([{"username_or_email": "learner@example.com", "notes": "Approved by the course team"}],
                              TEMPLATE_HEADER)
        return csv_response(content, "certificate_exceptions_template.csv")
