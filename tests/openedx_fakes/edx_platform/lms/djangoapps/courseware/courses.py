"""Fake of ``lms.djangoapps.courseware.courses``."""
from django.http import Http404

from tests.openedx_fakes.models import CourseOverview

__all__ = ["get_course_by_id"]


def get_course_by_id(course_key, depth=0):  # pylint: disable=unused-argument
    """
    The course, or ``Http404``. The LMS returns the modulestore's ``CourseBlock``; the overview stands in for it
    (both carry ``id`` and ``display_name``).
    """
    course = CourseOverview.objects.filter(id=course_key).first()
    if course is None:
        raise Http404(f"Course not found: {course_key}.")
    return course
