"""
What every plugin view shares: authentication, the course permission check, and the error shape
``{"message": <sentence>, "error_code": <snake_case>}``.
"""
from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable

import jwt
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import connections, transaction
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from edx_rest_framework_extensions.auth.jwt.authentication import JwtAuthentication
from edx_rest_framework_extensions.auth.jwt.decoder import get_verification_jwk_key_set
from edx_rest_framework_extensions.auth.session.authentication import SessionAuthenticationAllowInactiveUser
from edx_rest_framework_extensions.paginators import DefaultPagination
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certexceptions_plugin.errors import PluginError
from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import CourseInfo, Permission

log = logging.getLogger(__name__)
# The LMS's COURSE_ID_PATTERN (openedx.core.constants), copied so the package imports without edx-platform.
COURSE_ID_PATTERN = r"(?P<course_id>[^/+]+(/|\+)[^/+]+(/|\+)[^/?]+)"


@csrf_exempt  # it changes nothing: a POST with a session cookie gets this JSON 404, not Django's HTML CSRF 403
def not_found(request, course_id=None):
    """
    The JSON 404 of a path under the plugin's own prefixes that no route of it serves: a course id that is none,
    an unknown sub-path, an operation id that is no UUID.
    """
    try:
        if course_id is not None:
            CourseKey.from_string(course_id)
    except InvalidKeyError:
        message = _("Course not found: {course_id}").format(course_id=course_id)
    else:
        message = _("No such endpoint: {path}").format(path=request.path)
    return JsonResponse({"message": message, "error_code": "not_found"}, status=404)


def error_response(error_code: str, message: str, status_code: int, **extra) -> Response:
    return Response({"message": message, "error_code": error_code, **extra}, status=status_code)


class ErrorSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """The body of every error answer (OpenAPI component ``Error``); some errors add details beside the two fields."""

    message = serializers.CharField(help_text="What went wrong, as a sentence for people (translated).")
    error_code = serializers.CharField(help_text="A stable snake_case code, e.g. not_found or import_in_progress.")


def error_responses(*status_codes: int) -> dict:
    """``extend_schema`` responses: ``ErrorSerializer`` for each of these HTTP statuses."""
    return {status_code: ErrorSerializer for status_code in status_codes}


class ClosedSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """
    A JSON request body that refuses the fields it does not declare, as its schema says (``additionalProperties:
    false``, see ``schema.ClosedSerializerScheme``): a misspelt field is an error, not a change silently not made.
    """

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(_("Unknown fields: {fields}. Accepted: {accepted}.").format(
                fields=", ".join(unknown), accepted=", ".join(self.fields)))
        return super().validate(attrs)


#: DRF's CharField refuses NUL characters, and blanks unless ``allow_blank`` (which drf-spectacular spells as a
#: ``oneOf`` with ``maxLength: 0``): so do the schemas of the plugin's strings (``schema.StrictCharFieldScheme``).
NO_NUL_PATTERN = r"^[^\x00]+$"


# JSON fields that take their own JSON type only, as the schema says: DRF's own also read "yes", 1 or "on" as true,
# "7" as 7 and 7 as "7".
class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, (bool, str)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


DRF_ERROR_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed_request",
    exceptions.Throttled: "rate_limited",
    exceptions.APIException: "internal_error",  # last: every other error is one of these
}
#: JSON bodies nesting deeper than this are refused (Python's parser would overflow its stack far deeper).
MAX_JSON_DEPTH = 32


class PluginJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested too deep to be a request of the plugin's."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(_("The JSON body is nested too deep.")) from exc
        if _depth(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(_("The JSON body is nested too deep."))
        return data


def _depth(value) -> int:
    depth, level = 0, [value]
    while level:
        depth += 1
        level = [child for item in level if isinstance(item, (dict, list))
                 for child in (item.values() if isinstance(item, dict) else item)]
    return depth - 1


def has_public_signing_keys() -> bool:
    """Whether ``JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"]`` holds at least one key to verify JWT signatures with."""
    try:
        return bool(get_verification_jwk_key_set(asymmetric_keys=settings.JWT_AUTH.get("JWT_PUBLIC_SIGNING_JWK_SET")))
    except (jwt.PyJWTError, ValueError, TypeError):  # not a JWK set
        return False


class PluginJwtAuthentication(JwtAuthentication):
    """
    edx-drf-extensions' JWT authentication, refusing every JWT while no public signing key is configured.

    With no key set, edx-drf-extensions (10.9) "verifies" a token against zero keys, which passes, and then
    decodes it without checking its signature: an unsigned token would log anyone in as anyone. Check
    ``certexceptions_plugin.W002`` tells the operator.
    """

    @classmethod
    def jwt_decode_token(cls, *args, **kwargs):
        if not has_public_signing_keys():
            raise jwt.InvalidTokenError("No JWT_PUBLIC_SIGNING_JWK_SET: JWTs are refused.")
        return super().jwt_decode_token(*args, **kwargs)


class PluginAPIView(APIView):
    """Base view: edx authentication, and every error rendered as ``{"message", "error_code"}``."""

    authentication_classes = (PluginJwtAuthentication, SessionAuthenticationAllowInactiveUser)
    permission_classes = (IsAuthenticated,)
    parser_classes = (PluginJSONParser,)  # request bodies are JSON (the CSV uploads set their own)

    def perform_content_negotiation(self, request, force=False):
        # JSON (or the file an endpoint serves) whatever ``Accept`` or ``?format=`` asks for: DRF would answer a
        # download's ``Accept: text/csv`` with 406, and an unknown ``?format=`` with 404.
        return super().perform_content_negotiation(request, force=True)

    def handle_exception(self, exc):
        if isinstance(exc, PluginError):
            return error_response(exc.error_code, exc.message, exc.http_status, **exc.extra)
        if isinstance(exc, RequestDataTooBig):
            return error_response("body_too_large", _("The request body is larger than the server accepts."), 413)
        if isinstance(exc, Http404):
            exc = exceptions.NotFound(str(exc) or None)
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied(str(exc) or None)
        elif not isinstance(exc, exceptions.APIException):
            log.exception("Unexpected error in %s", type(self).__name__)
            exc = exceptions.APIException(_("The server could not complete the request."))
        if isinstance(exc, exceptions.ValidationError):
            return error_response("invalid_request", _first_message(exc.detail), 400, errors=exc.detail)
        response = self._handle_with_drf(exc)
        if isinstance(exc, exceptions.APIException):
            code = next((c for cls, c in DRF_ERROR_CODES.items() if isinstance(exc, cls)), exc.default_code)
            response.data = {"message": str(exc.detail), "error_code": code}
        return response

    def _handle_with_drf(self, exc):
        """
        DRF's handling, which marks the request's transaction (``ATOMIC_REQUESTS``) for rollback. A view exempt with
        ``non_atomic_requests`` has no such transaction: a transaction around it belongs to its caller, left as it was.
        """
        aliases = getattr(type(self).dispatch, "_non_atomic_requests", ())
        needed = {alias: connections[alias].needs_rollback for alias in aliases}
        response = super().handle_exception(exc)
        for alias, needs_rollback in needed.items():
            if connections[alias].in_atomic_block:
                transaction.set_rollback(needs_rollback, using=alias)
        return response


class Pagination(DefaultPagination):
    """
    edx-drf-extensions' ``DefaultPagination``, refusing a ``page`` or ``page_size`` it would otherwise quietly read
    its own way (``page_size=0`` as the default size, ``page=last``, ``page=٣``): both are whole numbers from 1, as
    the schema says.
    """

    last_page_strings = ()

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not _is_whole_number(raw, most=None):
            raise exceptions.ValidationError({self.page_query_param: [_("Give a whole number from 1.")]})
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not _is_whole_number(raw, most=self.max_page_size):
            raise exceptions.ValidationError({self.page_size_query_param: [
                _("Give a whole number from 1 to {most}.").format(most=self.max_page_size)]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        bounds = {self.page_query_param: {"minimum": 1}, self.page_size_query_param: {
            "minimum": 1, "maximum": self.max_page_size}}
        return [{**parameter, "schema": {**parameter["schema"], **bounds[parameter["name"]]}}
                for parameter in super().get_schema_operation_parameters(view)]

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = ["count", "next", "previous", "num_pages", "current_page", "start", "results"]
        envelope["properties"].update({name: {"type": "integer"} for name in ("num_pages", "current_page", "start")})
        return envelope


def _is_whole_number(raw: str, *, most: int | None) -> bool:
    """ASCII digits only (``str.isdigit`` also takes ``²`` and ``٣``), from 1 to ``most``."""
    return raw.isascii() and raw.isdigit() and int(raw) >= 1 and (most is None or int(raw) <= most)


def _first_message(detail) -> str:
    """The first human sentence in a DRF validation error, prefixed with its field name."""
    if isinstance(detail, dict):
        field, value = next(iter(detail.items()))
        message = _first_message(value)
        return message if field == "non_field_errors" else f"{field}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def parse_course_key(course_id: str) -> CourseKey:
    try:
        return CourseKey.from_string(course_id)
    except InvalidKeyError as exc:
        raise exceptions.NotFound(_("Course not found: {course_id}").format(course_id=course_id)) from exc


class HasCoursePermission(BasePermission):
    """The user holds the view's ``course_permission`` on the URL's course; unknown courses are 404."""

    def has_permission(self, request, view):
        return get_host().has_permission(user=request.user, course_key=view.course.key,
                                         permission=view.course_permission)


class CourseAPIView(PluginAPIView):
    """A staff view of one course: ``course_id`` in the URL, a permission level to hold."""

    permission_classes = (IsAuthenticated, HasCoursePermission)
    course_permission: Permission = Permission.ENROLLMENT

    @cached_property
    def course(self) -> CourseInfo:
        course_id = self.kwargs["course_id"]
        course = get_host().get_course(course_key=parse_course_key(course_id))
        if course is None:
            raise exceptions.NotFound(_("Course not found: {course_id}").format(course_id=course_id))
        return course


#: A boolean form field, as the schema's ``boolean`` is written in a form (curl ``-F dry_run=true``, a browser).
BOOLEAN_VALUES = {"true": True, "false": False}


def csv_upload(request):
    """
    The uploaded ``file`` field; 400 ``no_file`` / ``not_csv`` when missing or not named ``*.csv``, and
    ``invalid_request`` for more than one file.
    """
    uploads = request.FILES.getlist("file")
    if not uploads:
        raise PluginError("no_file", _("No file was uploaded. Send the CSV in the 'file' field."))
    if len(uploads) > 1:
        raise PluginError("invalid_request", _("Send one file in the 'file' field, not {count}.").format(
            count=len(uploads)))
    upload = uploads[0]
    if not upload.name.lower().endswith(".csv"):
        raise PluginError("not_csv", _("The file must be a CSV file whose name ends in .csv."))
    return upload


def bool_param(data, name: str, *, default: bool) -> bool:
    """A true/false form field: ``true`` or ``false``, in any case; nothing else is a boolean of the schema."""
    if name not in data:
        return default
    value = BOOLEAN_VALUES.get(str(_one_value(data, name)).lower())
    if value is None:
        raise PluginError("invalid_request", _("'{name}' must be true or false.").format(name=name))
    return value


def choice_param(data, name: str, choices, *, default: str, error_code: str = "invalid_request") -> str:
    """A form field that must be one of ``choices``, as written there (the schema's enum)."""
    if name not in data:
        return default
    value = str(_one_value(data, name))
    if value not in choices:
        raise PluginError(error_code, _("'{name}' must be one of: {choices}.").format(
            name=name, choices=", ".join(choices)))
    return value


def _one_value(data, name: str):
    """A form field's value; 400 when the form gives it more than once, where the schema gives it one value."""
    values = data.getlist(name)
    if len(values) > 1:
        raise PluginError("invalid_request", _("'{name}' is given {count} times; give it once.").format(
            name=name, count=len(values)))
    return values[0]


def csv_response(content: str, filename: str) -> HttpResponse:
    """A CSV download, with a BOM so that spreadsheet programs read it as UTF-8."""
    response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_stream_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    """A CSV download sent line by line as it is produced, with a BOM as :func:`csv_response`."""
    response = StreamingHttpResponse(itertools.chain(["\ufeff"], lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
