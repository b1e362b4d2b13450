"""Who may open the Bulk tools: course staff or above, on a course the host knows."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import CourseInfo, Permission


def staff_course(user, course_key: CourseKey) -> CourseInfo | None:
    """The course, when it exists and ``user`` is course staff or above (``Permission.ENROLLMENT``) on it."""
    host = get_host()
    course = host.get_course(course_key=course_key)
    if course is None or not host.has_permission(user=user, course_key=course_key, permission=Permission.ENROLLMENT):
        return None
    return course


def course_or_refuse(user, course_id: str) -> CourseInfo:
    """The course for the page; 404 for a malformed or unknown course, 403 for a user who is not course staff."""
    try:
        course_key = CourseKey.from_string(course_id)
    except InvalidKeyError as exc:
        raise Http404(course_id) from exc
    if get_host().get_course(course_key=course_key) is None:
        raise Http404(course_id)
    course = staff_course(user, course_key)
    if course is None:
        raise PermissionDenied
    return course
