"""REST views for course join codes: staff manage a course's code, learners look it up and join."""
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from certexceptions_plugin.join_codes import services
from certexceptions_plugin.join_codes.serializers import (
    JoinCodeSerializer,
    JoinCodeUpdateSerializer,
    JoinResultSerializer,
    LookupSerializer,
)
from certexceptions_plugin.join_codes.throttling import JoinCodeIPThrottle, JoinCodeUserThrottle
from certexceptions_plugin.rest import CourseAPIView, PluginAPIView, error_responses

ERRORS = error_responses(400, 401, 403, 404)


def _code_response(info, status_code=status.HTTP_200_OK):
    return Response(JoinCodeSerializer(info).data, status=status_code)


class CourseJoinCodeView(CourseAPIView):
    """The course's join code (course staff or above)."""

    @extend_schema(responses={200: JoinCodeSerializer, **ERRORS})
    def get(self, request, course_id):  # pylint: disable=unused-argument
        return _code_response(services.get_join_code(course_key=self.course.key))

    @extend_schema(request=None, responses={200: JoinCodeSerializer, 201: JoinCodeSerializer, **ERRORS,
                                            **error_responses(503)})
    def post(self, request, course_id):  # pylint: disable=unused-argument
        info, created = services.create_join_code(course_key=self.course.key, actor=request.user)
        return _code_response(info, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=JoinCodeUpdateSerializer, responses={200: JoinCodeSerializer, **ERRORS,
                                                                **error_responses(413, 415)})
    def patch(self, request, course_id):  # pylint: disable=unused-argument
        changes = JoinCodeUpdateSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        return _code_response(services.update_join_code(course_key=self.course.key, actor=request.user,
                                                        changes=changes.validated_data))


class RegenerateJoinCodeView(CourseAPIView):
    """Replace the course's code with a new one; the old code stops working at once."""

    @extend_schema(request=None, responses={200: JoinCodeSerializer, **ERRORS, **error_responses(503)})
    def post(self, request, course_id):  # pylint: disable=unused-argument
        return _code_response(services.regenerate_join_code(course_key=self.course.key, actor=request.user))


class JoinCodeQRView(CourseAPIView):
    """A QR code (SVG) of the code's ``join_url``, for projecting in class."""

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR, **ERRORS})
    def get(self, request, course_id):  # pylint: disable=unused-argument
        svg = services.qr_svg(course_key=self.course.key)
        return HttpResponse(svg, content_type="image/svg+xml")


class JoinView(PluginAPIView):
    """
    A join code, for learners. GET works without logging in, so the course can be shown first; POST joins.

    Unknown, inactive and expired codes are all 404 ``join_code_not_found``. Both methods are rate limited per
    client IP and per user (429 ``rate_limited`` with ``Retry-After``).
    """

    throttle_classes = (JoinCodeIPThrottle, JoinCodeUserThrottle)

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses={200: LookupSerializer, **error_responses(404, 429)})
    def get(self, request, code):
        return Response(LookupSerializer(services.look_up(code=code, user=request.user)).data)

    @extend_schema(request=None, responses={200: JoinResultSerializer, **error_responses(401, 403, 404, 429)})
    def post(self, request, code):
        return Response(JoinResultSerializer(services.join(code=code, user=request.user)).data)
