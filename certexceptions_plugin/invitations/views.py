"""REST views for bulk invitations and external ids."""
from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from edx_rest_framework_extensions.paginators import DefaultPagination
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.bulk.results import rows_to_csv
from certexceptions_plugin.bulk.views import operation_payload
from certexceptions_plugin.host.port import Permission
from certexceptions_plugin.invitations import services
from certexceptions_plugin.invitations.importer import EXTERNAL_ID_MODES, REPLACE, TEMPLATE_HEADER
from certexceptions_plugin.invitations.serializers import (
    BulkInviteRequestSerializer,
    BulkInviteResultSerializer,
    ExternalIdEntrySerializer,
    ExternalIdPatchResultSerializer,
    ExternalIdPatchSerializer,
)
from certexceptions_plugin.rest import CourseAPIView, bool_param, choice_param, csv_response, csv_upload

ERRORS = {code: OpenApiTypes.OBJECT for code in (400, 401, 403, 404)}
SEARCH = OpenApiParameter("search", OpenApiTypes.STR, description="Part of an email, username or external id")


# Under ATOMIC_REQUESTS each chunk still commits on its own, as in core's StudentsUpdateEnrollmentView.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class BulkInviteView(CourseAPIView):
    """Invite or enrol every person in a CSV roster and record their external ids."""

    course_permission = Permission.ENROLLMENT
    parser_classes = (MultiPartParser, FormParser)

    @extend_schema(
        request={"multipart/form-data": BulkInviteRequestSerializer},
        responses={200: BulkInviteResultSerializer, 202: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT,
                   413: OpenApiTypes.OBJECT, **ERRORS},
    )
    def post(self, request, course_id):  # pylint: disable=unused-argument
        upload = csv_upload(request)
        params = {
            "dry_run": bool_param(request.data, "dry_run", default=False),
            "auto_enroll": bool_param(request.data, "auto_enroll", default=True),
            "email_learners": bool_param(request.data, "email_learners", default=False),
            "existing_external_ids": choice_param(request.data, "existing_external_ids", EXTERNAL_ID_MODES,
                                                  default=REPLACE),
        }
        outcome = services.upload_invitations(course_key=self.course.key, actor=request.user, upload=upload,
                                              **params)
        if isinstance(outcome, BulkOperation):
            return Response(operation_payload(outcome, request), status=status.HTTP_202_ACCEPTED)
        return Response(services.result_payload(outcome))


class BulkInviteTemplateView(CourseAPIView):
    """A CSV template for the bulk invitation upload."""

    course_permission = Permission.ENROLLMENT

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS})
    def get(self, request, course_id):  # pylint: disable=unused-argument
        content = rows_to_csv([{"email": "learner@example.com", "name": "Ada Lovelace", "external_id": "S0001"}],
                              TEMPLATE_HEADER)
        return csv_response(content, "invitations_template.csv")


class ExternalIdsView(CourseAPIView, GenericAPIView):
    """The course's external ids (GET), or set / clear one learner's id (PATCH)."""

    course_permission = Permission.ENROLLMENT
    pagination_class = DefaultPagination
    parser_classes = (JSONParser, FormParser, MultiPartParser)
    serializer_class = ExternalIdEntrySerializer

    @extend_schema(parameters=[SEARCH], responses={200: ExternalIdEntrySerializer(many=True), **ERRORS})
    def get(self, request, course_id):  # pylint: disable=unused-argument
        records = services.external_ids(course_key=self.course.key, search=request.query_params.get("search", ""))
        page = self.paginate_queryset(records)
        return self.get_paginated_response(services.entries(page))

    @extend_schema(request=ExternalIdPatchSerializer,
                   responses={200: ExternalIdPatchResultSerializer, 409: OpenApiTypes.OBJECT, **ERRORS})
    def patch(self, request, course_id):  # pylint: disable=unused-argument
        body = ExternalIdPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.set_external_id(course_key=self.course.key, actor=request.user,
                                         learner=body.validated_data["learner"],
                                         external_id=body.validated_data["external_id"])
        return Response(entry)


class ExternalIdsCsvView(CourseAPIView):
    """The course's external ids as CSV (``username,email,external_id,status``), to join with grade reports."""

    course_permission = Permission.ENROLLMENT

    @extend_schema(parameters=[SEARCH], responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS})
    def get(self, request, course_id):  # pylint: disable=unused-argument
        rows = services.external_ids_csv_rows(course_key=self.course.key,
                                              search=request.query_params.get("search", ""))
        return csv_response(rows_to_csv(list(rows), services.EXPORT_COLUMNS), "external_ids.csv")
