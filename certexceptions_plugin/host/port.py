"""
What the plugin needs from an LMS, as a typed protocol.

Every method is batch-shaped: it takes collections and returns dicts or sets, so a feature can check or write a
whole chunk of rows in a few queries. Values crossing the boundary are frozen dataclasses, never model instances.

Writes can fail for one learner and not the others: the LMS writes learner by learner, and an enrolment filter
may refuse one (``EnrollmentNotAllowed``), an account may lack its profile, an email may match two accounts. Each
write method therefore returns its failures, ``{user id (or lower-cased email): the LMS's error, as text}``, and
leaves nothing written for them; every learner it leaves out was written. A feature reports each failure on its
row and goes on with the rest of the chunk.
"""
from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from opaque_keys.edx.keys import CourseKey

#: What a write method could not do: user id (or, for invitations, lower-cased email) -> the LMS's error as text.
UserFailures = dict[int, str]
EmailFailures = dict[str, str]


@dataclass(frozen=True)
class LearnerRef:
    """A user account, as much of it as the plugin needs."""

    id: int
    username: str
    email: str
    is_active: bool = True


@dataclass(frozen=True)
class CourseInfo:
    """A course run."""

    key: CourseKey
    display_name: str
    org: str
    enrollment_open: bool = True
    invitation_only: bool = False


@dataclass(frozen=True)
class Retirement:
    """
    An account the LMS is retiring, as its ``UserRetirementStatus`` records it: who it was (the username and email
    retirement replaces) and the retired username and email that replace them.
    """

    user_id: int
    original_username: str
    original_email: str
    retired_username: str
    retired_email: str


#: The LMS's retirement signals the plugin receives (openedx/core/djangoapps/user_api/accounts/signals.py): the
#: retirement views send them with ``user`` (and, for the first, ``retired_username`` and ``retired_email``).
RETIREMENT_SIGNALS = ("USER_RETIRE_LMS_CRITICAL", "USER_RETIRE_LMS_MISC")


class Permission(enum.Enum):
    """The two permission levels the plugin checks, named after the LMS permissions they follow."""

    #: Course instructor or global staff, as ``instructor.certificate_exception_view``.
    CERTIFICATES = "instructor.certificate_exception_view"
    #: Course staff, instructor or global staff, as ``instructor.enroll``.
    ENROLLMENT = "instructor.enroll"


@runtime_checkable
class Host(Protocol):
    """The LMS operations the plugin relies on."""

    # --- people and courses -------------------------------------------------------------------------------
    def resolve_learners(self, *, identifiers: Collection[str]) -> dict[str, tuple[LearnerRef, ...]]:
        """
        Map each identifier (a username or an email, both compared case-insensitively, as the LMS's MySQL
        collation compares them) to the accounts it matches.

        Accounts with a pending retirement request are left out. An identifier matching nobody maps to ``()``;
        one matching a username and another account's email maps to both.
        """

    def learners_by_email(self, *, emails: Collection[str]) -> dict[str, LearnerRef]:
        """Map lower-cased emails to their accounts (active or not); emails with no account are left out."""

    def get_course(self, *, course_key: CourseKey) -> CourseInfo | None:
        """Return the course, or ``None`` when it does not exist (a course not yet summarised counts as existing)."""

    def has_permission(self, *, user, course_key: CourseKey, permission: Permission) -> bool:
        """Whether ``user`` (a Django user) holds ``permission`` on the course."""

    def course_home_url(self, *, course_key: CourseKey) -> str:
        """Where a learner lands after joining the course (absolute, or relative to the LMS root)."""

    # --- retirement ----------------------------------------------------------------------------------------
    def retirements(self, *, user_ids: Collection[int] = (),
                    usernames: Collection[str] = ()) -> dict[int, Retirement]:
        """
        The LMS's record of each account being retired among ``user_ids``, or whose original or retired username
        is among ``usernames`` (ignoring case), by user id. Accounts the LMS is not retiring are left out.

        Retirement replaces the account's email long before it sends its signals: the original email, under which
        the person may have been invited, is known only from this record.
        """

    def retirement_signal(self, *, name: str):
        """The LMS's Django signal called ``name`` (one of :data:`RETIREMENT_SIGNALS`)."""

    # --- enrolments and invitations -------------------------------------------------------------------------
    def active_enrollments(self, *, course_key: CourseKey, user_ids: Collection[int]) -> set[int]:
        """The subset of ``user_ids`` actively enrolled in the course."""

    def enroll(self, *, course_key: CourseKey, learners: Collection[LearnerRef], actor=None,
               reason: str = "") -> UserFailures:
        """
        Enrol each learner (re-activating an inactive enrolment); emits ``COURSE_ENROLLMENT_CREATED``.

        With an ``actor`` (the Django user enrolling them), each enrolment is a manual one and writes the LMS's
        ``ManualEnrollmentAudit`` row (``enrolled_by`` the actor, the state transition, ``reason``), as the
        instructor dashboard's enrolment does; without one (a learner joining by themselves), none is written.
        """

    def pending_invitations(self, *, course_key: CourseKey, emails: Collection[str]) -> set[str]:
        """The lower-cased emails among ``emails`` that hold an unused invitation to the course."""

    def retired_emails(self, *, emails: Collection[str]) -> set[str]:
        """The lower-cased emails among ``emails`` whose account the LMS has retired; it invites none of them."""

    def invite(self, *, course_key: CourseKey, emails: Collection[str], auto_enroll: bool, email_learners: bool,
               actor=None, reason: str = "") -> EmailFailures:
        """
        Create pending invitations (the LMS's ``CourseEnrollmentAllowed``) for emails with no active account.

        ``email_learners`` sends each address the LMS's invitation email. ``actor`` and ``reason`` write the
        ``ManualEnrollmentAudit`` row of each invitation, as for :meth:`enroll`.
        """

    # --- certificates ----------------------------------------------------------------------------------------
    def allowlist_entries(self, *, course_key: CourseKey, user_ids: Collection[int]) -> dict[int, str]:
        """Map each allowlisted (enabled) user id among ``user_ids`` to the entry's notes (``""`` when none)."""

    def active_invalidations(self, *, course_key: CourseKey, user_ids: Collection[int]) -> set[int]:
        """The subset of ``user_ids`` whose certificate in the course has an active invalidation."""

    def grant_certificate_exceptions(self, *, course_key: CourseKey, learners: Collection[LearnerRef],
                                     notes: Mapping[int, str]) -> UserFailures:
        """Create or update allowlist entries (notes by user id) through the LMS's certificates API."""

    def remove_certificate_exceptions(self, *, course_key: CourseKey,
                                      learners: Collection[LearnerRef]) -> UserFailures:
        """Remove allowlist entries through the LMS's certificates API."""
