"""
The LMS tables the adapter reads and writes, with edx-platform's names, fields and method signatures.

Each model keeps only the fields and methods the adapter (and the fake LMS functions) use; behaviour follows
the edx-platform code at the same paths. Every foreign key to the user uses ``related_name="+"`` so these tables
do not clash with the standalone host's models of the same names.
"""
from datetime import datetime, timezone

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from opaque_keys.edx.django.models import CourseKeyField
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ENROLLMENT_CHANGED, COURSE_ENROLLMENT_CREATED

from tests.openedx_fakes import faults, modulestore

#: ``CourseMode.DEFAULT_MODE_SLUG`` in the LMS.
DEFAULT_MODE_SLUG = "audit"


class TimeStampedModel(models.Model):
    """``model_utils.models.TimeStampedModel``."""

    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# --- openedx.core.djangoapps.user_api.models ---------------------------------------------------------------

class RetirementStateError(Exception):
    pass


class UserRetirementRequest(TimeStampedModel):
    """A pending request to retire an account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def create_retirement_request(cls, user):
        if cls.has_user_requested_retirement(user):
            raise RetirementStateError(f"User {user} already has a retirement request row!")
        return cls.objects.create(user=user)

    @classmethod
    def has_user_requested_retirement(cls, user):
        return cls.objects.filter(user=user).exists()


class UserRetirementStatus(TimeStampedModel):
    """
    An account's retirement in progress: the username and email retirement replaces, and their retired forms.
    (The LMS's row also holds the name and the retirement's state, which the adapter does not read.)
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    original_username = models.CharField(max_length=150, db_index=True)
    original_email = models.EmailField(db_index=True)
    retired_username = models.CharField(max_length=150, db_index=True)
    retired_email = models.EmailField(db_index=True)


# --- openedx.core.djangoapps.content.course_overviews.models -----------------------------------------------

class CourseOverview(TimeStampedModel):
    """The cached summary of a course run."""

    id = CourseKeyField(db_index=True, primary_key=True, max_length=255)
    org = models.TextField(max_length=255, default="outdated_entry")
    display_name = models.TextField(null=True)
    enrollment_start = models.DateTimeField(null=True)
    enrollment_end = models.DateTimeField(null=True)
    invitation_only = models.BooleanField(default=False)

    @classmethod
    def get_from_id(cls, course_id):
        """The overview, built from the modulestore when its row is missing; ``DoesNotExist`` for no course."""
        overview = cls.objects.filter(id=course_id).first()
        return overview or cls.load_from_module_store(course_id)

    @classmethod
    def load_from_module_store(cls, course_id):
        course = modulestore.get_course(course_id)
        if course is None:
            raise cls.DoesNotExist()
        overview, _ = cls.objects.update_or_create(id=course_id, defaults={
            "org": course.org, "display_name": course.display_name, "enrollment_start": course.enrollment_start,
            "enrollment_end": course.enrollment_end, "invitation_only": course.invitation_only})
        return overview

    def is_enrollment_open(self):
        now = datetime.now(timezone.utc)
        start = self.enrollment_start or datetime.min.replace(tzinfo=timezone.utc)
        end = self.enrollment_end or datetime.max.replace(tzinfo=timezone.utc)
        return start <= now <= end


# --- common.djangoapps.student.models -----------------------------------------------------------------------

class CourseEnrollmentException(Exception):
    pass


class NonExistentCourseError(CourseEnrollmentException):
    pass


class EnrollmentClosedError(CourseEnrollmentException):
    pass


class AlreadyEnrolledError(CourseEnrollmentException):
    pass


class EnrollmentNotAllowed(CourseEnrollmentException):
    pass


def is_email_retired(email):
    """Whether an account holds one of the email's retired forms (retirement replaced its email with one)."""
    # Importable only where the fake edx-platform is on sys.path (the contract suite), as everything calling this.
    from openedx.core.lib.user_util import get_all_retired_emails  # pylint: disable=import-outside-toplevel

    retired = get_all_retired_emails(email, settings.RETIRED_USER_SALTS, settings.RETIRED_EMAIL_FMT)
    return get_user_model().objects.filter(email__in=list(retired)).exists()


class UserProfile(models.Model):
    """The profile every LMS account gets at registration; the LMS reads ``user.profile.name`` in many places."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, unique=True, db_index=True, related_name="profile",
                                on_delete=models.CASCADE)
    name = models.CharField(blank=True, max_length=255, db_index=True)


class CourseEnrollment(models.Model):
    """One user's enrolment in one course run; ``is_active=False`` is an unenrolment."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(CourseOverview, db_constraint=False, on_delete=models.DO_NOTHING, related_name="+")
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)
    is_active = models.BooleanField(default=True)
    mode = models.CharField(default=DEFAULT_MODE_SLUG, max_length=100)

    class Meta:
        unique_together = (("user", "course"),)

    @classmethod
    def get_or_create_enrollment(cls, user, course_key):
        enrollment, _ = cls.objects.get_or_create(
            user=user, course_id=course_key, defaults={"mode": DEFAULT_MODE_SLUG, "is_active": False}
        )
        # An unconsumed invitation for the user's email is linked to the user.
        CourseEnrollmentAllowed.objects.filter(email=user.email, course_id=course_key, user__isnull=True).update(
            user=user
        )
        return enrollment

    @classmethod
    def get_enrollment(cls, user, course_key, select_related=None):  # pylint: disable=unused-argument
        if not user.is_authenticated:
            return None
        return cls.objects.filter(user=user, course_id=course_key).first()

    def update_enrollment(self, mode=None, is_active=None, skip_refund=False, enterprise_uuid=None):
        # pylint: disable=unused-argument
        changed = False
        if is_active is not None and self.is_active != is_active:
            self.is_active, changed = is_active, True
        if mode is not None and self.mode != mode:
            self.mode, changed = mode, True
        if changed:
            self.save()
            COURSE_ENROLLMENT_CHANGED.send_event(enrollment=self._event_data())

    @classmethod
    def enroll(cls, user, course_key, mode=None, check_access=False, can_upgrade=False, enterprise_uuid=None):
        # pylint: disable=unused-argument
        # Where the LMS runs the CourseEnrollmentStarted filter, whose refusal it raises as EnrollmentNotAllowed.
        faults.check("CourseEnrollment.enroll", user.id)
        if mode is None:
            mode = DEFAULT_MODE_SLUG
        if check_access:
            try:
                overview = CourseOverview.get_from_id(course_key)
            except CourseOverview.DoesNotExist as err:
                raise NonExistentCourseError from err
            if not overview.is_enrollment_open():
                raise EnrollmentClosedError
            if cls.is_enrolled(user, course_key):
                raise AlreadyEnrolledError
        enrollment = cls.get_or_create_enrollment(user, course_key)
        enrollment.update_enrollment(is_active=True, mode=mode, enterprise_uuid=enterprise_uuid)
        # Emitted on every successful enroll(), re-enrolment of an active learner included.
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=enrollment._event_data())
        return enrollment

    @classmethod
    def enroll_by_email(cls, email, course_id, mode=None, ignore_errors=True):
        try:
            user = get_user_model().objects.get(email=email)
        except get_user_model().DoesNotExist:
            if ignore_errors:
                return None
            raise
        return cls.enroll(user, course_id, mode)

    @classmethod
    def is_enrolled(cls, user, course_key):
        return cls.objects.filter(user=user, course_id=course_key, is_active=True).exists()

    @classmethod
    def enrollment_mode_for_user(cls, user, course_id):
        enrollment = cls.objects.filter(user=user, course_id=course_id).first()
        return (enrollment.mode, enrollment.is_active) if enrollment else (None, None)

    def _event_data(self) -> CourseEnrollmentData:
        overview = CourseOverview.objects.filter(id=self.course_id).first()
        return CourseEnrollmentData(
            user=UserData(
                id=self.user.id,
                is_active=self.user.is_active,
                # As the LMS: an account without a profile fails here, after the enrolment row is written.
                pii=UserPersonalData(username=self.user.username, email=self.user.email,
                                     name=self.user.profile.name),
            ),
            course=CourseData(course_key=self.course_id, display_name=overview.display_name if overview else ""),
            mode=self.mode,
            is_active=self.is_active,
            creation_date=self.created,
        )


class CourseEnrollmentAllowed(models.Model):
    """A pending invitation by email; ``user`` is set once an account enrols through it."""

    email = models.CharField(max_length=255, db_index=True)
    course_id = CourseKeyField(max_length=255, db_index=True)
    auto_enroll = models.BooleanField(default=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)

    class Meta:
        unique_together = (("email", "course_id"),)

    @classmethod
    def for_user(cls, user):
        return cls.objects.filter(email=user.email).filter(models.Q(user__isnull=True) | models.Q(user=user))

    @classmethod
    def may_enroll_and_unenrolled(cls, course_id):
        return cls.objects.filter(course_id=course_id, user__isnull=True)


# The state transitions of a manual enrolment (common/djangoapps/student/models/course_enrollment.py).
UNENROLLED_TO_ALLOWEDTOENROLL = "from unenrolled to allowed to enroll"
ALLOWEDTOENROLL_TO_ENROLLED = "from allowed to enroll to enrolled"
ENROLLED_TO_ENROLLED = "from enrolled to enrolled"
UNENROLLED_TO_ENROLLED = "from unenrolled to enrolled"
DEFAULT_TRANSITION_STATE = "N/A"


class ManualEnrollmentAudit(models.Model):
    """Who enrolled (or invited) an email by hand, with the state transition and the reason."""

    enrollment = models.ForeignKey(CourseEnrollment, null=True, on_delete=models.CASCADE, related_name="+")
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE,
                                    related_name="+")
    enrolled_email = models.CharField(max_length=255, db_index=True)
    time_stamp = models.DateTimeField(auto_now_add=True, null=True)
    state_transition = models.CharField(max_length=255)
    reason = models.TextField(null=True)
    role = models.CharField(blank=True, null=True, max_length=64)

    @classmethod
    def create_manual_enrollment_audit(cls, user, email, state_transition, reason, enrollment=None, role=None):
        return cls.objects.create(enrolled_by=user, enrolled_email=email, state_transition=state_transition,
                                  reason=reason, enrollment=enrollment, role=role)


class CourseAccessRole(models.Model):
    """A course role (``staff``, ``instructor``, ...); a blank ``course_id`` would be organisation-wide."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    org = models.CharField(max_length=64, db_index=True, blank=True)
    course_id = CourseKeyField(max_length=255, db_index=True, blank=True)
    role = models.CharField(max_length=64, db_index=True)

    class Meta:
        unique_together = ("user", "org", "course_id", "role")


# --- lms.djangoapps.certificates.models ---------------------------------------------------------------------

class CertificateAllowlist(TimeStampedModel):
    """A certificate exception; a row with ``allowlist=False`` is a disabled entry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_id = CourseKeyField(max_length=255, blank=True, default=None)
    allowlist = models.BooleanField(default=0)
    notes = models.TextField(default=None, null=True)

    class Meta:
        unique_together = [["course_id", "user"]]


class GeneratedCertificate(models.Model):
    """An issued (or attempted) certificate."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_id = CourseKeyField(max_length=255, blank=True, default=None)
    status = models.CharField(max_length=32, default="unavailable")

    class Meta:
        unique_together = (("user", "course_id"),)

    def invalidate(self, mode=None, source=None):  # pylint: disable=unused-argument
        self.status = "unavailable"
        self.save()


class CertificateInvalidation(TimeStampedModel):
    """An instructor's invalidation of a generated certificate."""

    generated_certificate = models.ForeignKey(GeneratedCertificate, on_delete=models.CASCADE, related_name="+")
    invalidated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notes = models.TextField(default=None, null=True)
    active = models.BooleanField(default=True)

    def deactivate(self):
        self.active = False
        self.save()

    @classmethod
    def has_certificate_invalidation(cls, student, course_key):
        return cls.objects.filter(
            generated_certificate__course_id=course_key, active=True, generated_certificate__user=student
        ).exists()
