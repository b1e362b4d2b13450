"""Fake of ``common.djangoapps.student.models`` (a package of star imports in the LMS)."""
from tests.openedx_fakes.models import (
    AlreadyEnrolledError,
    CourseAccessRole,
    CourseEnrollment,
    CourseEnrollmentAllowed,
    CourseEnrollmentException,
    EnrollmentClosedError,
    NonExistentCourseError,
    is_email_retired,
)

__all__ = [
    "AlreadyEnrolledError",
    "CourseAccessRole",
    "CourseEnrollment",
    "CourseEnrollmentAllowed",
    "CourseEnrollmentException",
    "EnrollmentClosedError",
    "NonExistentCourseError",
    "is_email_retired",
]
