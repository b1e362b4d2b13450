"""URL of the staff page."""
from django.urls import re_path

from certexceptions_plugin.rest import COURSE_ID_PATTERN
from certexceptions_plugin.staff_page import views

urlpatterns = [
    re_path(rf"^certexceptions/courses/{COURSE_ID_PATTERN}/$", views.staff_page, name="certexceptions_staff_page"),
]
