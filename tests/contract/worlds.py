"""
One "world builder" per Host implementation: it arranges LMS data in that host's own tables and reads back what
a host wrote, so the contract tests can say the same thing to every host.
"""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.standalone import models as standalone
from certexceptions_plugin.standalone.host import StandaloneHost
from tests.factories import UserFactory


class World:
    """What every world offers; subclasses bind ``models`` (a module of LMS-named models) and ``host``."""

    name: str
    models = None

    def make_host(self):
        raise NotImplementedError

    # --- arranging ----------------------------------------------------------------------------------------
    def user(self, username, email=None, **fields):
        return UserFactory(username=username, email=email or f"{username}@example.com", **fields)

    def course(self, course_id="course-v1:ContractX+C1+2026", display_name="Contract course", org="ContractX",
               enrollment_open=True, invitation_only=False) -> CourseKey:
        raise NotImplementedError

    def enroll(self, user, course_key, is_active=True):
        self.models.CourseEnrollment.objects.create(user=user, course_id=course_key, is_active=is_active)

    def role(self, user, course_key, role):
        self.models.CourseAccessRole.objects.create(user=user, course_id=course_key, org=course_key.org, role=role)

    def allowlist(self, user, course_key, notes="", enabled=True):
        self.models.CertificateAllowlist.objects.create(user=user, course_id=course_key, allowlist=enabled,
                                                        notes=notes)

    def invalidation(self, user, course_key, by, active=True):
        certificate = self.models.GeneratedCertificate.objects.create(user=user, course_id=course_key)
        self.models.CertificateInvalidation.objects.create(generated_certificate=certificate, invalidated_by=by,
                                                           active=active)

    def retire(self, user):
        self.models.UserRetirementRequest.objects.create(user=user)

    def invitation(self, email, course_key, auto_enroll=False, user=None):
        self.models.CourseEnrollmentAllowed.objects.create(email=email, course_id=course_key,
                                                           auto_enroll=auto_enroll, user=user)

    # --- reading back -------------------------------------------------------------------------------------
    def enrollments(self, course_key) -> dict[int, bool]:
        """user id -> is_active, for every enrolment row of the course."""
        return dict(self.models.CourseEnrollment.objects.filter(course_id=course_key)
                    .values_list("user_id", "is_active"))

    def invitations(self, course_key) -> dict[str, bool]:
        """lower-cased email -> auto_enroll, for every invitation row of the course (one row per email)."""
        rows = list(self.models.CourseEnrollmentAllowed.objects.filter(course_id=course_key)
                    .values_list("email", "auto_enroll"))
        result = {email.lower(): auto_enroll for email, auto_enroll in rows}
        assert len(result) == len(rows), f"two invitation rows for one email: {rows}"
        return result

    def allowlist_rows(self, course_key) -> dict[int, tuple[bool, str | None]]:
        """user id -> (enabled, notes), for every allowlist row of the course, disabled ones included."""
        return {user_id: (enabled, notes) for user_id, enabled, notes in
                self.models.CertificateAllowlist.objects.filter(course_id=course_key)
                .values_list("user_id", "allowlist", "notes")}


class StandaloneWorld(World):
    name = "standalone"
    models = standalone

    def make_host(self):
        return StandaloneHost()

    def course(self, course_id="course-v1:ContractX+C1+2026", display_name="Contract course", org="ContractX",
               enrollment_open=True, invitation_only=False) -> CourseKey:
        key = CourseKey.from_string(course_id)
        standalone.Course.objects.create(id=key, display_name=display_name, org=org, invitation_only=invitation_only,
                                         enrollment_end=None if enrollment_open else timezone.now() - timedelta(1))
        return key


class OpenedxWorld(World):
    """The openedx adapter over the fake LMS tables (``tests/openedx_fakes``)."""

    name = "openedx"

    def __init__(self):
        from tests.openedx_fakes import models  # pylint: disable=import-outside-toplevel

        self.models = models

    def make_host(self):
        from certexceptions_plugin.host.openedx import OpenedxHost  # pylint: disable=import-outside-toplevel

        return OpenedxHost()

    def course(self, course_id="course-v1:ContractX+C1+2026", display_name="Contract course", org="ContractX",
               enrollment_open=True, invitation_only=False) -> CourseKey:
        key = CourseKey.from_string(course_id)
        self.models.CourseOverview.objects.create(
            id=key, display_name=display_name, org=org, invitation_only=invitation_only,
            enrollment_end=None if enrollment_open else timezone.now() - timedelta(1),
        )
        return key
