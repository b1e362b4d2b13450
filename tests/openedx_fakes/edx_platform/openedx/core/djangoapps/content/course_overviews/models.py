"""Fake of ``openedx.core.djangoapps.content.course_overviews.models``."""
from tests.openedx_fakes.models import CourseOverview

__all__ = ["CourseOverview"]
