"""
The Host implementation for the Open edX LMS.

The only module that imports edx-platform, and only inside functions, so the package imports without it.
Reads are batched queries; writes go one at a time through the LMS's own APIs, which attach side effects
(certificate generation on allowlisting, ``COURSE_ENROLLMENT_CREATED`` on enrolment, invitation emails).
Each of those writes runs in its own savepoint: when the LMS raises for one learner, what it wrote for them is
rolled back, the error is reported for them, and the next learner is written.
"""
# pylint: disable=import-outside-toplevel
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from certexceptions_plugin.host.accounts import (
    email_in,
    identifiers_filter,
    learner_ref,
    learner_refs,
    match_identifiers,
    retirements_of,
)
from certexceptions_plugin.host.port import (
    CourseInfo,
    EmailFailures,
    LearnerRef,
    Permission,
    Retirement,
    UserFailures,
)

#: The LMS permission constant (in ``lms.djangoapps.instructor.permissions``) behind each plugin permission.
LMS_PERMISSIONS = {
    Permission.CERTIFICATES: "CERTIFICATE_EXCEPTION_VIEW",
    Permission.ENROLLMENT: "CAN_ENROLL",
}

K = TypeVar("K")
T = TypeVar("T")


def _users(learners: Collection[LearnerRef]):
    return get_user_model().objects.filter(id__in=[learner.id for learner in learners])


def error_text(exc: BaseException) -> str:
    """An LMS exception as text for the row's message: its class, and its own words when it has any."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _write_each(items: Iterable[T], key: Callable[[T], K], write: Callable[[T], object]) -> dict[K, str]:
    """
    Call ``write`` for each item in its own savepoint; return ``{key: error}`` for the items whose write raised.

    Any exception counts: the LMS's refusals (``EnrollmentNotAllowed``), a missing profile, and errors of apps
    plugged into its signals alike. The savepoint undoes the failed item's writes and leaves the others.
    """
    failures = {}
    for item in items:
        try:
            with transaction.atomic():
                write(item)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            failures[key(item)] = error_text(exc)
    return failures


def _missing(learners: Collection[LearnerRef], users) -> UserFailures:
    found = {user.id for user in users}
    return {learner.id: "User.DoesNotExist" for learner in learners if learner.id not in found}


class OpenedxHost:
    """Implements :class:`~certexceptions_plugin.host.port.Host` over edx-platform."""

    def resolve_learners(self, *, identifiers: Collection[str]) -> dict[str, tuple[LearnerRef, ...]]:
        from openedx.core.djangoapps.user_api.models import UserRetirementRequest

        users = (
            get_user_model().objects.filter(identifiers_filter(identifiers))
            .exclude(id__in=UserRetirementRequest.objects.values("user_id"))
        )
        return match_identifiers(identifiers, learner_refs(users))

    def learners_by_email(self, *, emails: Collection[str]) -> dict[str, LearnerRef]:
        users = get_user_model().objects.filter(email_in(emails))
        return {user.email.lower(): learner_ref(user) for user in users}

    def get_course(self, *, course_key) -> CourseInfo | None:
        from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

        # get_from_id builds the overview from the modulestore when its row is missing, as every LMS view does
        # (openedx/core/djangoapps/content/course_overviews/models.py); DoesNotExist means no such course.
        try:
            overview = CourseOverview.get_from_id(course_key)
        except CourseOverview.DoesNotExist:
            return None
        return CourseInfo(
            key=overview.id,
            display_name=overview.display_name,
            org=overview.org,
            enrollment_open=overview.is_enrollment_open(),
            invitation_only=overview.invitation_only,
        )

    def has_permission(self, *, user, course_key, permission: Permission) -> bool:
        from lms.djangoapps.courseware.courses import get_course_by_id
        from lms.djangoapps.instructor import permissions

        # As the LMS's InstructorPermission: bridgekeeper rules evaluated against the course.
        return user.has_perm(getattr(permissions, LMS_PERMISSIONS[permission]), get_course_by_id(course_key))

    def course_home_url(self, *, course_key) -> str:
        from openedx.features.course_experience.url_helpers import get_learning_mfe_home_url

        return get_learning_mfe_home_url(course_key)

    def retirements(self, *, user_ids: Collection[int] = (),
                    usernames: Collection[str] = ()) -> dict[int, Retirement]:
        from openedx.core.djangoapps.user_api.models import UserRetirementStatus

        # UserRetirementStatus.create_retirement records the username and email retirement replaces, and their
        # retired forms (openedx/core/djangoapps/user_api/models.py); the retirement views read them from there.
        return retirements_of(UserRetirementStatus, user_ids=user_ids, usernames=usernames)

    def retirement_signal(self, *, name: str):
        from openedx.core.djangoapps.user_api.accounts.signals import USER_RETIRE_LMS_CRITICAL, USER_RETIRE_LMS_MISC

        signals = {"USER_RETIRE_LMS_CRITICAL": USER_RETIRE_LMS_CRITICAL, "USER_RETIRE_LMS_MISC": USER_RETIRE_LMS_MISC}
        return signals[name]

    def active_enrollments(self, *, course_key, user_ids: Collection[int]) -> set[int]:
        from common.djangoapps.student.models import CourseEnrollment

        return set(
            CourseEnrollment.objects.filter(course_id=course_key, user_id__in=user_ids, is_active=True)
            .values_list("user_id", flat=True)
        )

    def enroll(self, *, course_key, learners: Collection[LearnerRef], actor=None, reason: str = "") -> UserFailures:
        from common.djangoapps.student.models import CourseEnrollment, ManualEnrollmentAudit

        users = list(_users(learners))
        transitions = self._enrollment_transitions(course_key, users) if actor is not None else {}

        def enroll_one(user):
            enrollment = CourseEnrollment.enroll(user, course_key)
            if actor is not None:
                ManualEnrollmentAudit.create_manual_enrollment_audit(
                    actor, user.email, transitions[user.id], reason, enrollment)

        return {**_missing(learners, users), **_write_each(users, lambda user: user.id, enroll_one)}

    @staticmethod
    def _enrollment_transitions(course_key, users) -> dict[int, str]:
        """
        Each user's manual-enrolment state transition, as core's enrolment views name it from the state before
        (lms/djangoapps/instructor/utils.py ``_determine_enroll_state_transition``): two queries for all.
        """
        from common.djangoapps.student.models import (
            ALLOWEDTOENROLL_TO_ENROLLED,
            ENROLLED_TO_ENROLLED,
            UNENROLLED_TO_ENROLLED,
            CourseEnrollment,
            CourseEnrollmentAllowed,
        )

        enrolled = set(CourseEnrollment.objects.filter(course_id=course_key, user__in=users, is_active=True)
                       .values_list("user_id", flat=True))
        # CourseEnrollmentAllowed.for_user: the email's invitations not used by another account.
        allowed = {(email.lower(), user_id) for email, user_id in CourseEnrollmentAllowed.objects.filter(
            email_in(user.email for user in users), course_id=course_key).values_list("email", "user_id")}
        transitions = {}
        for user in users:
            if user.id in enrolled:
                transitions[user.id] = ENROLLED_TO_ENROLLED
            elif {(user.email.lower(), None), (user.email.lower(), user.id)} & allowed:
                transitions[user.id] = ALLOWEDTOENROLL_TO_ENROLLED
            else:
                transitions[user.id] = UNENROLLED_TO_ENROLLED
        return transitions

    def pending_invitations(self, *, course_key, emails: Collection[str]) -> set[str]:
        from common.djangoapps.student.models import CourseEnrollmentAllowed

        return {
            email.lower() for email in CourseEnrollmentAllowed.objects.filter(
                email_in(emails), course_id=course_key, user__isnull=True
            ).values_list("email", flat=True)
        }

    def retired_emails(self, *, emails: Collection[str]) -> set[str]:
        from openedx.core.lib.user_util import get_all_retired_emails

        # As is_email_retired (common/djangoapps/student/models/user.py), for a whole batch in one query:
        # retirement replaces an account's email with a hash of the lower-cased email, one per salt in use.
        original = {
            retired: email.lower()
            for email in emails
            for retired in get_all_retired_emails(email, settings.RETIRED_USER_SALTS, settings.RETIRED_EMAIL_FMT)
        }
        return {original[email] for email in get_user_model().objects.filter(email__in=original)
                .values_list("email", flat=True)}

    def invite(self, *, course_key, emails: Collection[str], auto_enroll: bool, email_learners: bool,
               actor=None, reason: str = "") -> EmailFailures:
        from common.djangoapps.student.models import CourseEnrollmentAllowed, ManualEnrollmentAudit
        from lms.djangoapps.courseware.courses import get_course_by_id
        from lms.djangoapps.instructor.enrollment import enroll_email, get_email_params

        # enroll_email looks invitations up by exact email, which is case-sensitive on some databases: pass the
        # spelling of an existing invitation, and each address once, so that an email is invited once in any case.
        spelling = {email.lower(): email for email in emails}
        spelling.update(
            (email.lower(), email) for email in CourseEnrollmentAllowed.objects.filter(
                email_in(spelling), course_id=course_key
            ).values_list("email", flat=True)
        )
        message_params = (
            get_email_params(get_course_by_id(course_key), auto_enroll, secure=True) if email_learners else None
        )

        def invite_one(email):
            # enroll_email writes the learner's user_id, name and address into the dict it is given: each email
            # gets its own copy, as core's enrolment does (lms/djangoapps/instructor/utils.py).
            before, after, enrollment = enroll_email(
                course_key, email, auto_enroll=auto_enroll, message_students=email_learners,
                message_params=dict(message_params) if message_params else None)
            if actor is not None:
                ManualEnrollmentAudit.create_manual_enrollment_audit(
                    actor, email, _invitation_transition(before, after), reason, enrollment)

        return _write_each(spelling.values(), str.lower, invite_one)

    def allowlist_entries(self, *, course_key, user_ids: Collection[int]) -> dict[int, str]:
        from lms.djangoapps.certificates.models import CertificateAllowlist

        return {
            user_id: notes or ""
            for user_id, notes in CertificateAllowlist.objects.filter(
                course_id=course_key, user_id__in=user_ids, allowlist=True
            ).values_list("user_id", "notes")
        }

    def active_invalidations(self, *, course_key, user_ids: Collection[int]) -> set[int]:
        from lms.djangoapps.certificates.models import CertificateInvalidation

        return set(
            CertificateInvalidation.objects.filter(
                generated_certificate__course_id=course_key,
                generated_certificate__user_id__in=user_ids,
                active=True,
            ).values_list("generated_certificate__user_id", flat=True)
        )

    def grant_certificate_exceptions(self, *, course_key, learners: Collection[LearnerRef],
                                     notes: Mapping[int, str]) -> UserFailures:
        from lms.djangoapps.certificates.api import create_or_update_certificate_allowlist_entry

        users = list(_users(learners))
        return {**_missing(learners, users), **_write_each(
            users, lambda user: user.id,
            lambda user: create_or_update_certificate_allowlist_entry(user, course_key, notes.get(user.id, "")))}

    def remove_certificate_exceptions(self, *, course_key, learners: Collection[LearnerRef]) -> UserFailures:
        from lms.djangoapps.certificates.api import remove_allowlist_entry

        users = list(_users(learners))
        return {**_missing(learners, users), **_write_each(
            users, lambda user: user.id, lambda user: remove_allowlist_entry(user, course_key))}


def _invitation_transition(before, after) -> str:
    """The state transition core's enrolment views record for ``enroll_email``'s before and after states."""
    from common.djangoapps.student.models import (
        ALLOWEDTOENROLL_TO_ENROLLED,
        DEFAULT_TRANSITION_STATE,
        ENROLLED_TO_ENROLLED,
        UNENROLLED_TO_ALLOWEDTOENROLL,
        UNENROLLED_TO_ENROLLED,
    )

    before, after = before.to_dict(), after.to_dict()
    if not before["user"]:
        return UNENROLLED_TO_ALLOWEDTOENROLL if after["allowed"] else DEFAULT_TRANSITION_STATE
    if not after["enrollment"]:
        return DEFAULT_TRANSITION_STATE
    if before["enrollment"]:
        return ENROLLED_TO_ENROLLED
    return ALLOWEDTOENROLL_TO_ENROLLED if before["allowed"] else UNENROLLED_TO_ENROLLED
