"""
The plugin's public Python API: the same operations as the REST endpoints, for code running inside the LMS.

Functions are keyword-only and return plain result objects (:class:`BulkResult` of :class:`RowResult` rows, and
the join-code dataclasses). Failures raise :class:`PluginError` (or its subclasses ``FileRejected`` and
``ImportInProgress``), whose ``error_code`` is the one the REST API answers with; row failures are data, in the
result.
"""
from __future__ import annotations

from typing import BinaryIO, Literal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.bulk import pipeline
from certexceptions_plugin.bulk.engine import Progress
from certexceptions_plugin.bulk.errors import FileRejected, ImportInProgress
from certexceptions_plugin.bulk.results import BulkResult, RowResult
from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS
from certexceptions_plugin.errors import PluginError
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.join_codes import services as join_code_services
from certexceptions_plugin.join_codes.serializers import JoinCodeUpdateSerializer
from certexceptions_plugin.join_codes.services import JoinCodeInfo, JoinResult, LookupResult

_UNSET = object()

__all__ = [
    "BulkResult",
    "FileRejected",
    "ImportInProgress",
    "JoinCodeInfo",
    "JoinResult",
    "LookupResult",
    "PluginError",
    "RowResult",
    "bulk_certificate_exceptions",
    "bulk_invite",
    "create_join_code",
    "get_join_code",
    "join_course_with_code",
    "look_up_join_code",
    "regenerate_join_code",
    "update_join_code",
]


def bulk_certificate_exceptions(*, course_key: CourseKey | str, actor: AbstractBaseUser, csv_file: BinaryIO,
                                action: Literal["grant", "remove"] = "grant", dry_run: bool = False,
                                progress: Progress | None = None) -> BulkResult:
    """
    Grant (or, with ``action="remove"``, remove) certificate exceptions for every row of a CSV file.

    ``csv_file`` is a binary file object of ``username_or_email[,notes]`` rows; ``actor`` is the Django user
    the changes are audited under. Raises ``FileRejected`` when the file as a whole is unusable and
    ``ImportInProgress`` when another import for the course is running; row failures are reported in the result.
    ``progress`` is called with (rows done, rows in the file) as the import goes.
    """
    return pipeline.run(CERTIFICATE_EXCEPTIONS, course_key=_course_key(course_key), actor=actor, upload=csv_file,
                        options={"action": action}, dry_run=dry_run, progress=progress)


def bulk_invite(*, course_key: CourseKey | str, actor: AbstractBaseUser, csv_file: BinaryIO, dry_run: bool = False,
                auto_enroll: bool = True, email_learners: bool = False,
                existing_external_ids: Literal["replace", "keep"] = "replace",
                progress: Progress | None = None) -> BulkResult:
    """
    Invite or enrol every person of a CSV roster and record their external ids in the course.

    ``csv_file`` is a binary file object whose first non-blank row is the header: ``email`` (required), ``name``,
    ``external_id`` (or ``ext_id``, ``student_id``, ``sis_id``), in any order. ``existing_external_ids`` is
    ``"replace"`` (a different id in the file replaces the stored one) or ``"keep"``. ``actor`` is the Django user
    the changes are audited under. Raises ``FileRejected`` (for example ``bad_header``) when the file as a whole is
    unusable and ``ImportInProgress`` when another roster import for the course is running; row failures are
    reported in the result, whose ``summary`` also counts ``external_id_updated``. ``progress`` is called with
    (rows done, rows in the file) as the import goes.
    """
    return pipeline.run(INVITATIONS, course_key=_course_key(course_key), actor=actor, upload=csv_file, options={
        "auto_enroll": auto_enroll, "email_learners": email_learners, "existing_external_ids": existing_external_ids,
    }, dry_run=dry_run, progress=progress)


def _course_key(course_key: CourseKey | str) -> CourseKey:
    return CourseKey.from_string(str(course_key))


# Join codes. Failures raise certexceptions_plugin.errors.PluginError, whose ``error_code`` is the one the REST API
# answers with (``no_join_code``, ``join_code_not_found``, ``code_generation_failed``, a refusal status).

def get_join_code(*, course_key: CourseKey | str) -> JoinCodeInfo:
    """The course's join code; raises ``PluginError("no_join_code")`` when it has none."""
    return join_code_services.get_join_code(course_key=_course_key(course_key))


def create_join_code(*, course_key: CourseKey | str, actor: AbstractBaseUser) -> tuple[JoinCodeInfo, bool]:
    """The course's join code, created if it has none (``True`` second when it was created now)."""
    return join_code_services.create_join_code(course_key=_course_key(course_key), actor=actor)


def update_join_code(*, course_key: CourseKey | str, actor: AbstractBaseUser, is_active: bool | None = None,
                     allowed_email_domains: list[str] | None = None, expires_at=_UNSET,
                     max_enrollments=_UNSET) -> JoinCodeInfo:
    """
    Change the code's settings; arguments left out keep their value (``expires_at=None`` / ``max_enrollments=None``
    remove the expiry / limit). Values are validated as in the REST API (``ValidationError`` when invalid).
    """
    changes = {name: value for name, value in {
        "is_active": is_active, "allowed_email_domains": allowed_email_domains,
    }.items() if value is not None}
    changes.update({name: value for name, value in {
        "expires_at": expires_at, "max_enrollments": max_enrollments,
    }.items() if value is not _UNSET})
    serializer = JoinCodeUpdateSerializer(data=changes)
    serializer.is_valid(raise_exception=True)
    return join_code_services.update_join_code(course_key=_course_key(course_key), actor=actor,
                                               changes=serializer.validated_data)


def regenerate_join_code(*, course_key: CourseKey | str, actor: AbstractBaseUser) -> JoinCodeInfo:
    """Give the course a new code at once; the old one stops working."""
    return join_code_services.regenerate_join_code(course_key=_course_key(course_key), actor=actor)


def look_up_join_code(*, code: str, user: AbstractBaseUser | AnonymousUser) -> LookupResult:
    """What ``code`` (any typed form) means for ``user`` (a Django user, anonymous allowed)."""
    return join_code_services.look_up(code=code, user=user)


def join_course_with_code(*, code: str, user: AbstractBaseUser | AnonymousUser) -> JoinResult:
    """Enrol ``user`` through ``code``; refusals raise ``PluginError`` with the status as ``error_code``."""
    return join_code_services.join(code=code, user=user)
