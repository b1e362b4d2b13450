"""Fake of ``lms.djangoapps.courseware.courses``."""
from django.http import Http404

from tests.openedx_fakes import modulestore

__all__ = ["get_course_by_id"]


def get_course_by_id(course_key, depth=0):  # pylint: disable=unused-argument
    """The modulestore's course (a ``CourseBlock`` in the LMS, whose overview row may not exist yet), or ``Http404``."""
    course = modulestore.get_course(course_key)
    if course is None:
        raise Http404(f"Course not found: {course_key}.")
    return course
