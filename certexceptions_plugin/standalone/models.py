"""
Minimal copies of the edx-platform models the plugin touches, with the same unique constraints.

Field names follow edx-platform (``course_id`` holds a course key) so that the host code reads alike.
"""
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from opaque_keys.edx.django.models import CourseKeyField


class Course(models.Model):
    """A course run (the LMS's ``CourseOverview``)."""

    id = CourseKeyField(max_length=255, primary_key=True)
    display_name = models.CharField(max_length=255)
    org = models.CharField(max_length=255)
    enrollment_start = models.DateTimeField(null=True, blank=True)
    enrollment_end = models.DateTimeField(null=True, blank=True)
    invitation_only = models.BooleanField(default=False)

    def __str__(self):
        return str(self.id)

    @property
    def enrollment_open(self) -> bool:
        now = timezone.now()
        return (self.enrollment_start is None or self.enrollment_start <= now) and (
            self.enrollment_end is None or now < self.enrollment_end
        )


class CourseEnrollment(models.Model):
    """One user's enrolment in one course; ``is_active=False`` is an unenrolment."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, db_index=True)
    is_active = models.BooleanField(default=True)
    mode = models.CharField(max_length=100, default="audit")
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)

    class Meta:
        unique_together = (("user", "course_id"),)


# The state transitions of a manual enrolment, with the LMS's values (common/djangoapps/student/models/
# course_enrollment.py).
UNENROLLED_TO_ALLOWEDTOENROLL = "from unenrolled to allowed to enroll"
ALLOWEDTOENROLL_TO_ENROLLED = "from allowed to enroll to enrolled"
ENROLLED_TO_ENROLLED = "from enrolled to enrolled"
UNENROLLED_TO_ENROLLED = "from unenrolled to enrolled"
DEFAULT_TRANSITION_STATE = "N/A"


class ManualEnrollmentAudit(models.Model):
    """
    Who enrolled or invited an email by hand, the state transition, and why, as the LMS records every enrolment
    made by staff.

    .. pii: Contains enrolled_email.
    .. pii_types: email_address
    .. pii_retirement: local_api
    """

    enrollment = models.ForeignKey(CourseEnrollment, null=True, on_delete=models.CASCADE)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    enrolled_email = models.CharField(max_length=255, db_index=True)
    time_stamp = models.DateTimeField(auto_now_add=True, null=True)
    state_transition = models.CharField(max_length=255)
    reason = models.TextField(null=True)
    role = models.CharField(blank=True, null=True, max_length=64)


class CourseEnrollmentAllowed(models.Model):
    """A pending invitation: the email may enrol (and is enrolled on activation when ``auto_enroll``)."""

    email = models.CharField(max_length=255, db_index=True)
    course_id = CourseKeyField(max_length=255, db_index=True)
    auto_enroll = models.BooleanField(default=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True, null=True, db_index=True)

    class Meta:
        unique_together = (("email", "course_id"),)


class CourseAccessRole(models.Model):
    """A course (or organisation-wide, when ``course_id`` is blank) role such as ``staff`` or ``instructor``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    org = models.CharField(max_length=64, db_index=True, blank=True)
    course_id = CourseKeyField(max_length=255, db_index=True, blank=True)
    role = models.CharField(max_length=64, db_index=True)

    class Meta:
        unique_together = ("user", "org", "course_id", "role")


class CertificateAllowlist(models.Model):
    """A certificate exception; ``allowlist=False`` is a disabled entry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, blank=True, default=None)
    allowlist = models.BooleanField(default=False)
    notes = models.TextField(default=None, null=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        unique_together = [["course_id", "user"]]


class GeneratedCertificate(models.Model):
    """An issued (or attempted) certificate."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, blank=True, default=None)
    status = models.CharField(max_length=32, default="downloadable")

    class Meta:
        unique_together = (("user", "course_id"),)


class CertificateInvalidation(models.Model):
    """An instructor's invalidation of a generated certificate."""

    generated_certificate = models.ForeignKey(GeneratedCertificate, on_delete=models.CASCADE)
    invalidated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notes = models.TextField(default=None, null=True)
    active = models.BooleanField(default=True)


class RetiredEmail(models.Model):
    """
    The email of a retired account, as a salted hash only.

    Stands in for what the LMS checks: retirement replaces the account's email with salted hashes of the
    lower-cased address, and ``is_email_retired`` looks for them (common/djangoapps/student/models/user.py).

    .. no_pii: a hash, not the address.
    """

    SALT = b"certexceptions-standalone-retired-email"

    email_hash = models.CharField(max_length=64, unique=True)

    @classmethod
    def hash_of(cls, email: str) -> str:
        return hashlib.sha256(cls.SALT + email.lower().encode()).hexdigest()

    @classmethod
    def retire(cls, email: str) -> "RetiredEmail":
        return cls.objects.get_or_create(email_hash=cls.hash_of(email))[0]


class UserRetirementRequest(models.Model):
    """A user who asked for their account to be retired; such users are no longer found by identifier."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True)


class UserRetirementStatus(models.Model):
    """
    An account's retirement, as the LMS records it when retirement is requested (``UserRetirementStatus.
    create_retirement`` in openedx/core/djangoapps/user_api/models.py): the username and email it replaces, and
    their retired forms. The LMS's row also tracks the retirement's steps, which the stand-in runs in one go.

    .. pii: the retiring account's original username and email, as the LMS keeps them until its retirement cleanup.
    .. pii_types: username, email_address
    .. pii_retirement: local_api
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    original_username = models.CharField(max_length=150, db_index=True)
    original_email = models.EmailField(db_index=True)
    retired_username = models.CharField(max_length=150, db_index=True)
    retired_email = models.EmailField(db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
