"""
Join-code rules: creating, changing and regenerating a course's code; looking a code up; joining through it.

Everything the LMS knows (courses, permissions, enrolments) comes through the host port.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from opaque_keys.edx.keys import CourseKey
from rest_framework import status as http

from certexceptions_plugin.audit.api import AuditRecord, record_events
from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import CourseInfo, LearnerRef, Permission
from certexceptions_plugin.join_codes import codes
from certexceptions_plugin.join_codes.models import JoinCode
from certexceptions_plugin.errors import PluginError

log = logging.getLogger(__name__)

# Statuses of a code for a user (look-up), plus the outcome of a successful join.
UNAUTHENTICATED = "unauthenticated"
JOINABLE = "joinable"
ALREADY_ENROLLED = "already_enrolled"
COURSE_STAFF = "course_staff"
DOMAIN_MISMATCH = "domain_mismatch"
ENROLLMENT_CLOSED = "enrollment_closed"
COURSE_FULL = "course_full"
ENROLLED = "enrolled"
STATUSES = (UNAUTHENTICATED, JOINABLE, ALREADY_ENROLLED, COURSE_STAFF, DOMAIN_MISMATCH, ENROLLMENT_CLOSED,
            COURSE_FULL)
#: Statuses that refuse a join (403 with the status as ``error_code``).
REFUSALS = (DOMAIN_MISMATCH, ENROLLMENT_CLOSED, COURSE_FULL)

#: Codes tried before giving up; with ~3.2e8 codes a single collision is already rare.
MAX_GENERATION_ATTEMPTS = 10

#: The fields staff may change with ``update_join_code``.
EDITABLE_FIELDS = ("is_active", "allowed_email_domains", "expires_at", "max_enrollments")


@dataclass(frozen=True)
class JoinCodeInfo:
    """A course's join code, as staff see it."""

    course_key: CourseKey
    code: str
    join_url: str
    is_active: bool
    is_usable: bool
    allowed_email_domains: tuple[str, ...]
    expires_at: datetime | None
    max_enrollments: int | None
    join_count: int
    created: datetime
    regenerated_at: datetime | None


@dataclass(frozen=True)
class LookupResult:
    """What a code means for one user, before joining."""

    status: str
    code: str
    course: CourseInfo
    email_domain_restricted: bool


@dataclass(frozen=True)
class JoinResult:
    """A join that went through: ``enrolled``, or no change for ``already_enrolled`` / ``course_staff``."""

    status: str
    course_key: CourseKey
    redirect_url: str = field(default="")


def join_url(code: str, course_key: CourseKey) -> str:
    lms_root = (getattr(settings, "LMS_ROOT_URL", "") or "").rstrip("/")
    return settings.CERTEXCEPTIONS_JOIN_URL_TEMPLATE.format(lms_root=lms_root, code=code, course_id=course_key)


def _info(join_code: JoinCode) -> JoinCodeInfo:
    return JoinCodeInfo(
        course_key=join_code.course_key,
        code=join_code.code,
        join_url=join_url(join_code.code, join_code.course_key),
        is_active=join_code.is_active,
        is_usable=join_code.is_usable,
        allowed_email_domains=tuple(join_code.allowed_email_domains),
        expires_at=join_code.expires_at,
        max_enrollments=join_code.max_enrollments,
        join_count=join_code.join_count,
        created=join_code.created,
        regenerated_at=join_code.regenerated_at,
    )


def _no_join_code(course_key) -> PluginError:
    return PluginError("no_join_code", _("The course {course_id} has no join code yet.").format(course_id=course_key),
                    http.HTTP_404_NOT_FOUND)


def _code_not_found() -> PluginError:
    # One answer for unknown, inactive and expired codes (and text that is no code at all), so a guesser
    # learns nothing about which codes exist.
    return PluginError("join_code_not_found", _("This join code does not exist or no longer works."),
                    http.HTTP_404_NOT_FOUND)


def _generation_failed() -> PluginError:
    return PluginError("code_generation_failed",
                    _("A new join code could not be generated. Please try again in a moment."),
                    http.HTTP_503_SERVICE_UNAVAILABLE)


def _save_with_new_code(join_code: JoinCode) -> None:
    """
    Give ``join_code`` a fresh random code and save it, retrying when the unique index reports the code taken.

    The savepoint keeps an enclosing transaction usable after a collision. Raises ``IntegrityError`` when the
    course already has a code (a concurrent create) and 503 ``code_generation_failed`` after too many collisions.
    """
    previous = join_code.code
    for _attempt in range(MAX_GENERATION_ATTEMPTS):
        candidate = codes.generate_code()
        if candidate == previous:
            continue
        join_code.code = candidate
        try:
            with transaction.atomic():
                join_code.save()
            return
        except IntegrityError:
            if join_code.pk is None and JoinCode.objects.filter(course_key=join_code.course_key).exists():
                raise
            log.info("Join code collision for %s; trying another code.", join_code.course_key)
    join_code.code = previous
    raise _generation_failed()


# --- staff -------------------------------------------------------------------------------------------------------

def get_join_code(*, course_key: CourseKey) -> JoinCodeInfo:
    """The course's join code; 404 ``no_join_code`` when it has none."""
    join_code = JoinCode.objects.filter(course_key=course_key).first()
    if join_code is None:
        raise _no_join_code(course_key)
    return _info(join_code)


def create_join_code(*, course_key: CourseKey, actor) -> tuple[JoinCodeInfo, bool]:
    """The course's join code, created (active, unrestricted) if it has none; ``created`` tells which."""
    existing = JoinCode.objects.filter(course_key=course_key).first()
    if existing is not None:
        return _info(existing), False
    join_code = JoinCode(course_key=course_key, created_by=actor if getattr(actor, "pk", None) else None)
    try:
        with transaction.atomic():
            _save_with_new_code(join_code)
            record_events([AuditRecord(actor=actor, course_key=course_key, action="join_code.created",
                                       after={"code": join_code.code})])
    except IntegrityError:
        # Another request created the course's code between our check and our insert.
        return _info(JoinCode.objects.get(course_key=course_key)), False
    return _info(join_code), True


def update_join_code(*, course_key: CourseKey, actor, changes: dict) -> JoinCodeInfo:
    """
    Change some of ``EDITABLE_FIELDS`` (already validated, see ``serializers.JoinCodeUpdateSerializer``).

    Only fields whose value differs are written and audited.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        join_code = JoinCode.objects.select_for_update().filter(course_key=course_key).first()
        if join_code is None:
            raise _no_join_code(course_key)
        before, after = {}, {}
        for name, value in changes.items():
            if getattr(join_code, name) != value:
                before[name], after[name] = _jsonable(getattr(join_code, name)), _jsonable(value)
                setattr(join_code, name, value)
        if after:
            join_code.save(update_fields=[*after, "modified"])
            record_events([AuditRecord(actor=actor, course_key=course_key, action="join_code.changed",
                                       before=before, after=after)])
    return _info(join_code)


def regenerate_join_code(*, course_key: CourseKey, actor) -> JoinCodeInfo:
    """Replace the course's code with a new one at once; the old code stops working. Settings and count stay."""
    with transaction.atomic():
        join_code = JoinCode.objects.select_for_update().filter(course_key=course_key).first()
        if join_code is None:
            raise _no_join_code(course_key)
        old_code = join_code.code
        join_code.regenerated_at = timezone.now()
        join_code.regenerated_by = actor if getattr(actor, "pk", None) else None
        _save_with_new_code(join_code)
        record_events([AuditRecord(actor=actor, course_key=course_key, action="join_code.regenerated",
                                   before={"code": old_code}, after={"code": join_code.code})])
    return _info(join_code)


def qr_svg(*, course_key: CourseKey) -> bytes:
    """An SVG QR code of the course's join URL."""
    info = get_join_code(course_key=course_key)
    out = io.BytesIO()
    segno.make(info.join_url, error="m").save(out, kind="svg", scale=10, border=4,
                                                title=_("Join code {code}").format(code=info.code))
    return out.getvalue()


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


# --- learners ----------------------------------------------------------------------------------------------------

def _usable_code(text: str, *, lock: bool = False) -> tuple[JoinCode, CourseInfo]:
    code = codes.normalize(text)
    if code is None:
        raise _code_not_found()
    queryset = JoinCode.objects.select_for_update() if lock else JoinCode.objects
    join_code = queryset.filter(code=code).first()
    if join_code is None or not join_code.is_usable:
        raise _code_not_found()
    course = get_host().get_course(course_key=join_code.course_key)
    if course is None:
        raise _code_not_found()
    return join_code, course


def _email_domain_allowed(join_code: JoinCode, user) -> bool:
    """No restriction, or an activated account whose email domain is one of the code's (case-insensitive)."""
    if not join_code.allowed_email_domains:
        return True
    # An account that never confirmed its email address could claim any domain.
    domain = (user.email or "").rpartition("@")[2].lower()
    return user.is_active and domain in join_code.allowed_email_domains


def _status(join_code: JoinCode, course: CourseInfo, user) -> str:
    """The first status that applies, in the order of this function."""
    if not user.is_authenticated:
        return UNAUTHENTICATED
    host = get_host()
    if host.has_permission(user=user, course_key=course.key, permission=Permission.ENROLLMENT):
        return COURSE_STAFF
    if host.active_enrollments(course_key=course.key, user_ids=[user.id]):
        return ALREADY_ENROLLED
    if not course.enrollment_open or course.invitation_only:
        return ENROLLMENT_CLOSED
    if not _email_domain_allowed(join_code, user):
        return DOMAIN_MISMATCH
    if join_code.is_full:
        return COURSE_FULL
    return JOINABLE


def look_up(*, code: str, user) -> LookupResult:
    """What ``code`` means for ``user`` (anonymous allowed); 404 ``join_code_not_found`` when it does not work."""
    join_code, course = _usable_code(code)
    return LookupResult(status=_status(join_code, course, user), code=join_code.code, course=course,
                        email_domain_restricted=bool(join_code.allowed_email_domains))


REFUSAL_MESSAGES = {
    DOMAIN_MISMATCH: lambda: _("Your email address is not from a domain this join code accepts."),
    ENROLLMENT_CLOSED: lambda: _("Enrollment in this course is closed."),
    COURSE_FULL: lambda: _("This join code has reached its maximum number of enrollments."),
}


def join(*, code: str, user) -> JoinResult:
    """
    Enrol ``user`` (logged in) through ``code``.

    The code's row stays locked from the checks to the count update, so concurrent joins run one after the
    other: a user joining twice at once is enrolled once, and ``max_enrollments`` is never exceeded.
    Refusals raise 403 with the status as ``error_code``; an enrolment the LMS refuses or fails raises 403
    ``lms_error``.
    """
    with transaction.atomic():
        join_code, course = _usable_code(code, lock=True)
        status = _status(join_code, course, user)
        if status in REFUSALS:
            raise PluginError(status, REFUSAL_MESSAGES[status](), http.HTTP_403_FORBIDDEN)
        if status == JOINABLE:
            learner = LearnerRef(id=user.id, username=user.username, email=user.email, is_active=user.is_active)
            failures = get_host().enroll(course_key=course.key, learners=[learner])
            if failures:  # the LMS refused (an enrolment filter) or failed: nothing was written
                raise PluginError("lms_error", _("The LMS could not enrol you in this course: {error}").format(
                    error=failures[user.id]), http.HTTP_403_FORBIDDEN)
            join_code.join_count += 1
            join_code.save(update_fields=["join_count"])
            record_events([AuditRecord(actor=user, course_key=course.key, action="join_code.joined",
                                       learner_username=user.username, learner_email=user.email,
                                       after={"code": join_code.code, "join_count": join_code.join_count})])
            status = ENROLLED
    return JoinResult(status=status, course_key=course.key, redirect_url=_redirect_url(course.key))


def _redirect_url(course_key: CourseKey) -> str:
    url = get_host().course_home_url(course_key=course_key)
    lms_root = getattr(settings, "LMS_ROOT_URL", "") or ""
    return urljoin(lms_root.rstrip("/") + "/", url) if lms_root else url
