"""A root urlconf where another app's route, mounted first, matches the plugin's join-code route."""
from django.urls import re_path

from certexceptions_plugin.rest import COURSE_ID_PATTERN
from certexceptions_plugin.standalone.instructor.views import core_view
from certexceptions_plugin.standalone.urls import urlpatterns as standalone_urlpatterns

urlpatterns = [
    re_path(rf"^api/instructor/v2/courses/{COURSE_ID_PATTERN}/join_code$", core_view, {"route": "join_code"}),
    *standalone_urlpatterns,
]
