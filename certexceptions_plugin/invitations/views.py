"""REST views for bulk invitations and external ids."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from certexceptions_plugin.bulk.results import rows_to_csv
from certexceptions_plugin.bulk.views import ERRORS, ImportTemplateView, ImportView
from certexceptions_plugin.host.port import Permission
from certexceptions_plugin.invitations import services
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.invitations.serializers import (
    ExternalIdEntrySerializer,
    ExternalIdPatchResultSerializer,
    ExternalIdPatchSerializer,
)
from certexceptions_plugin.rest import CourseAPIView, Pagination, csv_response, error_responses

SEARCH = OpenApiParameter("search", OpenApiTypes.STR, description="Part of an email, username or external id")


class InvitationImportView(ImportView):
    """Invite or enrol every person in a CSV roster and record their external ids."""

    kind = INVITATIONS


class InvitationTemplateView(ImportTemplateView):
    """A CSV template for the roster import."""

    kind = INVITATIONS


class ExternalIdsView(CourseAPIView, GenericAPIView):
    """The course's external ids (GET), or set / clear one learner's id (PATCH)."""

    course_permission = Permission.ENROLLMENT
    pagination_class = Pagination
    serializer_class = ExternalIdEntrySerializer

    @extend_schema(parameters=[SEARCH], responses={200: ExternalIdEntrySerializer(many=True), **ERRORS})
    def get(self, request, course_id):  # pylint: disable=unused-argument
        records = services.external_ids(course_key=self.course.key, search=request.query_params.get("search", ""))
        page = self.paginate_queryset(records)
        return self.get_paginated_response(services.entries(page))

    @extend_schema(request=ExternalIdPatchSerializer,
                   responses={200: ExternalIdPatchResultSerializer, **error_responses(409, 413, 415), **ERRORS})
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
