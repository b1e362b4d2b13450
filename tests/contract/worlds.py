"""
One "world builder" per Host implementation: it arranges LMS data in that host's own tables and reads back what
a host wrote, so the contract tests can say the same thing to every host.
"""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.host.openedx import error_text
from certexceptions_plugin.standalone import models as standalone
from certexceptions_plugin.standalone import retirement
from certexceptions_plugin.standalone.host import StandaloneHost
from tests.factories import UserFactory

#: The host's write methods a world can make fail, and what names their failures: a user, or an email.
WRITES = ("enroll", "invite", "grant_certificate_exceptions", "remove_certificate_exceptions")


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

    def request_retirement(self, user, retired_username=None, retired_email=None):
        """
        As the LMS's ``DeactivateLogoutView``: the retirement is recorded (``UserRetirementStatus`` and
        ``UserRetirementRequest``) and the account's email replaced by its retired form.
        """
        retired_username = retired_username or f"retired__user_{user.id}"
        retired_email = retired_email or f"retired__user_{user.id}@retired.invalid"
        self.models.UserRetirementStatus.objects.create(
            user=user, original_username=user.username, original_email=user.email,
            retired_username=retired_username, retired_email=retired_email)
        self.retire(user)
        user.email = retired_email
        user.save()

    def run_retirement(self, user):
        """The LMS's whole retirement of ``user``: its steps, sending its two signals."""
        raise NotImplementedError

    def retired_email(self, email):
        """An account with ``email`` was retired: the LMS will not invite the address again."""
        raise NotImplementedError

    def fail_write(self, method, who, error):
        """The host's write ``method`` (one of ``WRITES``) fails for ``who`` (a user, or an email) with ``error``."""
        raise NotImplementedError

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

    def manual_enrollment_audits(self) -> list[tuple]:
        """(enrolled_by id, enrolled_email, state_transition, reason, enrolment's user id or None), sorted."""
        return sorted(
            (row.enrolled_by_id, row.enrolled_email, row.state_transition, row.reason,
             row.enrollment.user_id if row.enrollment_id else None)
            for row in self.models.ManualEnrollmentAudit.objects.select_related("enrollment")
        )

    def allowlist_rows(self, course_key) -> dict[int, tuple[bool, str | None]]:
        """user id -> (enabled, notes), for every allowlist row of the course, disabled ones included."""
        return {user_id: (enabled, notes) for user_id, enabled, notes in
                self.models.CertificateAllowlist.objects.filter(course_id=course_key)
                .values_list("user_id", "allowlist", "notes")}


class StandaloneWorld(World):
    name = "standalone"
    models = standalone

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def make_host(self):
        return StandaloneHost()

    def run_retirement(self, user):
        retirement.retire(user)

    def retired_email(self, email):
        standalone.RetiredEmail.retire(email)

    def fail_write(self, method, who, error):
        """The standalone host writes in bulk and never fails a learner: a test double stands in front of it."""
        assert method in WRITES, method
        original = getattr(StandaloneHost, method)
        failed = who.lower() if isinstance(who, str) else who.id

        def failing(host, **kwargs):
            if method == "invite":
                emails = [email for email in kwargs["emails"] if email.lower() != failed]
                hit = len(emails) < len(kwargs["emails"])
                kwargs["emails"] = emails
            else:
                learners = [learner for learner in kwargs["learners"] if learner.id != failed]
                hit = len(learners) < len(kwargs["learners"])
                kwargs["learners"] = learners
            return {**original(host, **kwargs), **({failed: error_text(error)} if hit else {})}

        self.monkeypatch.setattr(StandaloneHost, method, failing)

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

    #: Where each host write reaches the fake LMS (``tests/openedx_fakes/faults.py``).
    FAULT_POINTS = {
        "enroll": "CourseEnrollment.enroll",
        "invite": "enroll_email",
        "grant_certificate_exceptions": "create_or_update_certificate_allowlist_entry",
        "remove_certificate_exceptions": "remove_allowlist_entry",
    }

    def make_host(self):
        from certexceptions_plugin.host.openedx import OpenedxHost  # pylint: disable=import-outside-toplevel

        return OpenedxHost()

    def user(self, username, email=None, profile=True, **fields):
        """An account as LMS registration makes it, with its ``UserProfile`` (unless ``profile=False``)."""
        user = super().user(username, email, **fields)
        if profile:
            self.models.UserProfile.objects.create(user=user, name=username.title())
        return user

    def course(self, course_id="course-v1:ContractX+C1+2026", display_name="Contract course", org="ContractX",
               enrollment_open=True, invitation_only=False, overview=True) -> CourseKey:
        """A published course; ``overview=False`` leaves out its ``CourseOverview`` row (built on first use)."""
        from tests.openedx_fakes import modulestore  # pylint: disable=import-outside-toplevel

        key = CourseKey.from_string(course_id)
        fields = {"display_name": display_name, "org": org, "invitation_only": invitation_only,
                  "enrollment_end": None if enrollment_open else timezone.now() - timedelta(1)}
        modulestore.publish(key, **fields)
        if overview:
            self.models.CourseOverview.objects.create(id=key, **fields)
        return key

    def retired_email(self, email, salt=-1):
        """As LMS retirement: the account's email is replaced by its retired form (with the salt of that time)."""
        from django.conf import settings  # pylint: disable=import-outside-toplevel
        from openedx.core.lib.user_util import get_all_retired_emails  # pylint: disable=import-outside-toplevel

        retired = list(get_all_retired_emails(email, settings.RETIRED_USER_SALTS, settings.RETIRED_EMAIL_FMT))
        UserFactory(email=retired[salt], is_active=False)

    def run_retirement(self, user):
        """
        The steps of the LMS's retirement pipeline that concern plugins (openedx/core/djangoapps/user_api/accounts/
        views.py): retire_misc sends USER_RETIRE_LMS_MISC with the user; retire deletes the original email's
        invitations, sends USER_RETIRE_LMS_CRITICAL with the user and the retired username and email, and only
        then replaces the username.
        """
        # pylint: disable=import-outside-toplevel
        from openedx.core.djangoapps.user_api.accounts.signals import USER_RETIRE_LMS_CRITICAL, USER_RETIRE_LMS_MISC

        self.request_retirement(user)
        status = self.models.UserRetirementStatus.objects.get(user=user)
        USER_RETIRE_LMS_MISC.send(sender=OpenedxWorld, user=user)
        self.models.CourseEnrollmentAllowed.objects.filter(email=status.original_email).delete()
        USER_RETIRE_LMS_CRITICAL.send(sender=OpenedxWorld, user=user, retired_username=status.retired_username,
                                      retired_email=status.retired_email)
        user.first_name, user.last_name, user.is_active = "", "", False
        user.username, user.email = status.retired_username, status.retired_email
        user.save()

    def fail_write(self, method, who, error):
        from tests.openedx_fakes import faults  # pylint: disable=import-outside-toplevel

        faults.fail(self.FAULT_POINTS[method], who.lower() if isinstance(who, str) else who.id, error)
