"""
A stand-in for bridgekeeper, the LMS's rule-based permission backend.

The LMS lists ``bridgekeeper.backends.RulePermissionBackend`` in ``AUTHENTICATION_BACKENDS``, so
``user.has_perm(permission, course)`` evaluates the rule registered under the permission's name in
``bridgekeeper.perms``. ``lms.djangoapps.instructor.permissions`` (faked in edx_platform/) registers its rules here.
"""
from tests.openedx_fakes.models import CourseAccessRole

#: Permission name -> rule ``(user, course) -> bool``, as ``bridgekeeper.perms``.
perms = {}


class RulePermissionBackend:
    """As ``bridgekeeper.backends.RulePermissionBackend``: no authentication, permissions from ``perms``."""

    def authenticate(self, request, **credentials):  # pylint: disable=unused-argument
        return None

    def has_perm(self, user, perm, obj=None):
        rule = perms.get(perm)
        return rule is not None and rule(user, obj)


def is_staff(user, course):  # pylint: disable=unused-argument
    """``bridgekeeper.rules.is_staff``."""
    return bool(user.is_staff)


def has_access(user, level, course):
    """
    ``HasAccessRule(level)`` on a course: course roles through ``CourseStaffRole`` / ``CourseInstructorRole``
    (instructors have staff access too; roles of inactive accounts do not count), global staff always.
    """
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not user.is_active:
        return False
    roles = ("instructor",) if level == "instructor" else ("staff", "instructor")
    return CourseAccessRole.objects.filter(user=user, course_id=course.id, role__in=roles).exists()
