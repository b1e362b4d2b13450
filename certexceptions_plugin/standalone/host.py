"""
The Host implementation backed by the standalone models; it may write in bulk.

Its writes have no per-learner side effects that can fail (no enrolment filters, no certificate generation, no
emails), so they write everything or raise; they return no failures.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from certexceptions_plugin.db import insert_many, update_many
from certexceptions_plugin.host.accounts import (
    email_in,
    identifiers_filter,
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
from certexceptions_plugin.standalone import models, retirement

User = get_user_model()

# The roles that satisfy each permission, as edx's bridgekeeper rules: HasAccessRule('instructor') and
# HasAccessRule('staff') (instructors have staff access too).
ROLES_FOR = {
    Permission.CERTIFICATES: ("instructor",),
    Permission.ENROLLMENT: ("staff", "instructor"),
}


class Enrollment(NamedTuple):
    """What enrolling a learner needs to know of their enrolment row."""

    is_active: bool
    created: datetime
    mode: str
    pk: int


def _enrollments(queryset) -> dict[int, Enrollment]:
    """The enrolments of ``queryset`` (of ``CourseEnrollment``) by user id."""
    return {user_id: Enrollment(*rest) for user_id, *rest in
            queryset.values_list("user_id", "is_active", "created", "mode", "pk")}


class StandaloneHost:
    """Implements :class:`~certexceptions_plugin.host.port.Host` over ``certexceptions_plugin.standalone``."""

    def resolve_learners(self, *, identifiers: Collection[str]) -> dict[str, tuple[LearnerRef, ...]]:
        users = User.objects.filter(identifiers_filter(identifiers), userretirementrequest__isnull=True)
        return match_identifiers(identifiers, learner_refs(users))

    def learners_by_email(self, *, emails: Collection[str]) -> dict[str, LearnerRef]:
        return {learner.email.lower(): learner for learner in learner_refs(User.objects.filter(email_in(emails)))}

    def get_course(self, *, course_key) -> CourseInfo | None:
        course = models.Course.objects.filter(id=course_key).first()
        if course is None:
            return None
        return CourseInfo(
            key=course.id,
            display_name=course.display_name,
            org=course.org,
            enrollment_open=course.enrollment_open,
            invitation_only=course.invitation_only,
        )

    def has_permission(self, *, user, course_key, permission: Permission) -> bool:
        if not user.is_authenticated or not user.is_active:
            return False
        if user.is_staff:
            return True
        return models.CourseAccessRole.objects.filter(
            user=user, course_id=course_key, role__in=ROLES_FOR[permission]
        ).exists()

    def course_home_url(self, *, course_key) -> str:
        return f"/courses/{course_key}/"

    def retirements(self, *, user_ids: Collection[int] = (),
                    usernames: Collection[str] = ()) -> dict[int, Retirement]:
        return retirements_of(models.UserRetirementStatus, user_ids=user_ids, usernames=usernames)

    def retirement_signal(self, *, name: str):
        return {"USER_RETIRE_LMS_CRITICAL": retirement.USER_RETIRE_LMS_CRITICAL,
                "USER_RETIRE_LMS_MISC": retirement.USER_RETIRE_LMS_MISC}[name]

    def active_enrollments(self, *, course_key, user_ids: Collection[int]) -> set[int]:
        return set(
            models.CourseEnrollment.objects.filter(
                course_id=course_key, user_id__in=user_ids, is_active=True
            ).values_list("user_id", flat=True)
        )

    def enroll(self, *, course_key, learners: Collection[LearnerRef], actor=None, reason: str = "") -> UserFailures:
        learners = list(learners)
        display_name = models.Course.objects.values_list("display_name", flat=True).get(id=course_key)
        enrollments = models.CourseEnrollment.objects.filter(course_id=course_key)
        details = _enrollments(enrollments.filter(user_id__in=[learner.id for learner in learners]))
        invitations = list(models.CourseEnrollmentAllowed.objects.filter(
            email_in({learner.email for learner in learners}, course_id=course_key)))
        transitions = self._enrollment_transitions(learners, details, invitations) if actor is not None else {}
        missing = [learner.id for learner in learners if learner.id not in details]
        if missing:
            # ignore_conflicts: a concurrent enrolment of the same learner may have written its row first.
            insert_many(models.CourseEnrollment, ["user"], ((user_id,) for user_id in missing),
                        same={"course_id": course_key}, ignore_conflicts=True)
            details.update(_enrollments(enrollments.filter(user_id__in=missing)))
        inactive = [enrollment.pk for enrollment in details.values() if not enrollment.is_active]
        if inactive:
            models.CourseEnrollment.objects.filter(pk__in=inactive).update(is_active=True)
        self._link_invitations(learners, invitations)
        if actor is not None:
            insert_many(models.ManualEnrollmentAudit, ["enrollment", "enrolled_email", "state_transition"], (
                (details[learner.id].pk, learner.email, transitions[learner.id]) for learner in learners
            ), same={"enrolled_by": actor.pk, "reason": reason})
        for learner in learners:
            COURSE_ENROLLMENT_CREATED.send_event(
                enrollment=CourseEnrollmentData(
                    user=UserData(
                        id=learner.id,
                        is_active=learner.is_active,
                        pii=UserPersonalData(username=learner.username, email=learner.email),
                    ),
                    course=CourseData(course_key=course_key, display_name=display_name),
                    mode=details[learner.id].mode,
                    is_active=True,
                    creation_date=details[learner.id].created,
                )
            )
        return {}

    @staticmethod
    def _enrollment_transitions(learners: list[LearnerRef], enrollments: Mapping[int, Enrollment],
                                invitations: list) -> dict[int, str]:
        """
        Each learner's manual-enrolment state transition, from the state before (their enrolments by user id, and
        the invitations of their emails), as the LMS names it.
        """
        allowed = {(invitation.email.lower(), invitation.user_id) for invitation in invitations}
        transitions = {}
        for learner in learners:
            if learner.id in enrollments and enrollments[learner.id].is_active:
                transitions[learner.id] = models.ENROLLED_TO_ENROLLED
            elif {(learner.email.lower(), None), (learner.email.lower(), learner.id)} & allowed:
                transitions[learner.id] = models.ALLOWEDTOENROLL_TO_ENROLLED
            else:
                transitions[learner.id] = models.UNENROLLED_TO_ENROLLED
        return transitions

    @staticmethod
    def _link_invitations(learners: list[LearnerRef], invitations: list) -> None:
        """As the LMS does on enrolment: an unused invitation of the learner's email now belongs to them."""
        user_by_email = {learner.email.lower(): learner.id for learner in learners}
        update_many(models.CourseEnrollmentAllowed, ["user"], (
            (invitation.pk, user_by_email[invitation.email.lower()]) for invitation in invitations
            if invitation.user_id is None))

    def pending_invitations(self, *, course_key, emails: Collection[str]) -> set[str]:
        # Unused ones are picked here rather than in SQL, where SQLite would look them up by user_id IS NULL.
        return {
            email.lower() for email, user_id in models.CourseEnrollmentAllowed.objects.filter(
                email_in(emails, course_id=course_key)).values_list("email", "user_id")
            if user_id is None
        }

    def retired_emails(self, *, emails: Collection[str]) -> set[str]:
        original = {models.RetiredEmail.hash_of(email): email.lower() for email in emails}
        return {original[email_hash] for email_hash in models.RetiredEmail.objects.filter(
            email_hash__in=original).values_list("email_hash", flat=True)}

    def invite(self, *, course_key, emails: Collection[str], auto_enroll: bool, email_learners: bool,
               actor=None, reason: str = "") -> EmailFailures:
        lowered = {email.lower() for email in emails}
        invitations = models.CourseEnrollmentAllowed.objects.filter(email_in(emails, course_id=course_key))
        existing, changed = set(), []
        for pk, email, enrolls in invitations.values_list("pk", "email", "auto_enroll"):
            existing.add(email.lower())
            if enrolls != auto_enroll:
                changed.append(pk)
        if changed:
            models.CourseEnrollmentAllowed.objects.filter(pk__in=changed).update(auto_enroll=auto_enroll)
        insert_many(models.CourseEnrollmentAllowed, ["email"], ((email,) for email in sorted(lowered - existing)),
                    same={"course_id": course_key, "auto_enroll": auto_enroll})
        if actor is not None:
            # As the LMS records enroll_email's transition: an email with an (inactive) account has none.
            with_account = {email.lower() for email in User.objects.filter(email_in(lowered))
                            .values_list("email", flat=True)}
            insert_many(models.ManualEnrollmentAudit, ["enrolled_email", "state_transition"], (
                (email, models.DEFAULT_TRANSITION_STATE if email in with_account
                 else models.UNENROLLED_TO_ALLOWEDTOENROLL) for email in sorted(lowered)
            ), same={"enrolled_by": actor.pk, "reason": reason})
        return {}

    def allowlist_entries(self, *, course_key, user_ids: Collection[int]) -> dict[int, str]:
        return {
            user_id: notes or ""
            for user_id, notes in models.CertificateAllowlist.objects.filter(
                course_id=course_key, user_id__in=user_ids, allowlist=True
            ).values_list("user_id", "notes")
        }

    def active_invalidations(self, *, course_key, user_ids: Collection[int]) -> set[int]:
        return set(
            models.CertificateInvalidation.objects.filter(
                generated_certificate__course_id=course_key,
                generated_certificate__user_id__in=user_ids,
                active=True,
            ).values_list("generated_certificate__user_id", flat=True)
        )

    def grant_certificate_exceptions(self, *, course_key, learners: Collection[LearnerRef],
                                     notes: Mapping[int, str]) -> UserFailures:
        models.CertificateAllowlist.objects.bulk_create(
            (models.CertificateAllowlist(user_id=learner.id, course_id=course_key, allowlist=True,
                                         notes=notes.get(learner.id, ""))
             for learner in learners),
            update_conflicts=True, update_fields=["allowlist", "notes", "modified"],
            # MySQL's ON DUPLICATE KEY UPDATE takes no target; the others' ON CONFLICT names the unique pair.
            unique_fields=["course_id", "user"] if connection.features.supports_update_conflicts_with_target else None,
        )
        return {}

    def remove_certificate_exceptions(self, *, course_key, learners: Collection[LearnerRef]) -> UserFailures:
        models.CertificateAllowlist.objects.filter(
            course_id=course_key, user_id__in=[learner.id for learner in learners]
        ).delete()
        return {}
