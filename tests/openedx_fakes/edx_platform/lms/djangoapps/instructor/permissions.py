"""Fake of ``lms.djangoapps.instructor.permissions``: the permission names and their bridgekeeper rules."""
from tests.openedx_fakes.auth import has_access, is_staff, perms

__all__ = ["CAN_ENROLL", "CERTIFICATE_EXCEPTION_VIEW"]

CERTIFICATE_EXCEPTION_VIEW = "instructor.certificate_exception_view"
CAN_ENROLL = "instructor.enroll"

# perms[CERTIFICATE_EXCEPTION_VIEW] = is_staff | HasAccessRule('instructor')
perms[CERTIFICATE_EXCEPTION_VIEW] = lambda user, course: (
    is_staff(user, course) or has_access(user, "instructor", course)
)
# perms[CAN_ENROLL] = HasAccessRule('staff')
perms[CAN_ENROLL] = lambda user, course: has_access(user, "staff", course)
