"""
The Host implementation for the Open edX LMS.

The only module that imports edx-platform, and only inside functions, so the package imports without it.
Reads are batched queries; writes go one at a time through the LMS's own APIs, which attach side effects
(certificate generation on allowlisting, ``COURSE_ENROLLMENT_CREATED`` on enrolment, invitation emails).
"""
# pylint: disable=import-outside-toplevel
from __future__ import annotations

from collections.abc import Collection, Mapping

from django.contrib.auth import get_user_model
from django.db.models import Q

from certexceptions_plugin.host.accounts import email_in, learner_ref, match_identifiers
from certexceptions_plugin.host.port import CourseInfo, LearnerRef, Permission

#: The LMS permission constant (in ``lms.djangoapps.instructor.permissions``) behind each plugin permission.
LMS_PERMISSIONS = {
    Permission.CERTIFICATES: "CERTIFICATE_EXCEPTION_VIEW",
    Permission.ENROLLMENT: "CAN_ENROLL",
}


def _users(learners: Collection[LearnerRef]):
    return get_user_model().objects.filter(id__in=[learner.id for learner in learners])


class OpenedxHost:
    """Implements :class:`~certexceptions_plugin.host.port.Host` over edx-platform."""

    def resolve_learners(self, *, identifiers: Collection[str]) -> dict[str, tuple[LearnerRef, ...]]:
        from openedx.core.djangoapps.user_api.models import UserRetirementRequest

        users = (
            get_user_model().objects.filter(Q(username__in=identifiers) | email_in(identifiers))
            .exclude(id__in=UserRetirementRequest.objects.values("user_id"))
        )
        return match_identifiers(identifiers, users)

    def learners_by_email(self, *, emails: Collection[str]) -> dict[str, LearnerRef]:
        users = get_user_model().objects.filter(email_in(emails))
        return {user.email.lower(): learner_ref(user) for user in users}

    def get_course(self, *, course_key) -> CourseInfo | None:
        from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

        overview = CourseOverview.objects.filter(id=course_key).first()
        if overview is None:
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

    def active_enrollments(self, *, course_key, user_ids: Collection[int]) -> set[int]:
        from common.djangoapps.student.models import CourseEnrollment

        return set(
            CourseEnrollment.objects.filter(course_id=course_key, user_id__in=user_ids, is_active=True)
            .values_list("user_id", flat=True)
        )

    def enroll(self, *, course_key, learners: Collection[LearnerRef]) -> None:
        from common.djangoapps.student.models import CourseEnrollment

        for user in _users(learners):
            CourseEnrollment.enroll(user, course_key)

    def pending_invitations(self, *, course_key, emails: Collection[str]) -> set[str]:
        from common.djangoapps.student.models import CourseEnrollmentAllowed

        return {
            email.lower() for email in CourseEnrollmentAllowed.objects.filter(
                email_in(emails), course_id=course_key, user__isnull=True
            ).values_list("email", flat=True)
        }

    def invite(self, *, course_key, emails: Collection[str], auto_enroll: bool, email_learners: bool) -> None:
        from common.djangoapps.student.models import CourseEnrollmentAllowed
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
        for email in spelling.values():
            enroll_email(course_key, email, auto_enroll=auto_enroll, message_students=email_learners,
                         message_params=message_params)

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
                                     notes: Mapping[int, str]) -> None:
        from lms.djangoapps.certificates.api import create_or_update_certificate_allowlist_entry

        for user in _users(learners):
            create_or_update_certificate_allowlist_entry(user, course_key, notes.get(user.id, ""))

    def remove_certificate_exceptions(self, *, course_key, learners: Collection[LearnerRef]) -> None:
        from lms.djangoapps.certificates.api import remove_allowlist_entry

        for user in _users(learners):
            remove_allowlist_entry(user, course_key)
