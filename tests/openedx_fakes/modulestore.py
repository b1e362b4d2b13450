"""
The fake LMS's modulestore: the course runs that exist, whether or not their ``CourseOverview`` row does.

In the LMS a course's content lives in the modulestore (``xmodule.modulestore.django.modulestore()``) and
``CourseOverview`` is a summary built from it on first use (``CourseOverview.get_from_id`` ->
``load_from_module_store``, openedx/core/djangoapps/content/course_overviews/models.py). Tests publish courses here
(the contract world does for every course it creates); the contract suite clears it after every test.
"""
from types import SimpleNamespace

_courses: dict = {}


def publish(course_key, *, display_name, org, enrollment_start=None, enrollment_end=None, invitation_only=False):
    """As Studio publishing a course run: the ``CourseBlock`` fields the fakes read."""
    _courses[course_key] = SimpleNamespace(
        id=course_key, display_name=display_name, display_name_with_default=display_name, org=org,
        enrollment_start=enrollment_start, enrollment_end=enrollment_end, invitation_only=invitation_only)


def get_course(course_key):
    """``modulestore().get_course(course_key)``: the course, or ``None``."""
    return _courses.get(course_key)


def clear() -> None:
    _courses.clear()
