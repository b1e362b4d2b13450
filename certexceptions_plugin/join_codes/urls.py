"""URLs of the join-code endpoints."""
from django.urls import re_path

from certexceptions_plugin.join_codes import views
from certexceptions_plugin.rest import COURSE_ID_PATTERN

PREFIX = rf"^api/instructor/v2/courses/{COURSE_ID_PATTERN}/join_code"

urlpatterns = [
    re_path(rf"{PREFIX}$", views.CourseJoinCodeView.as_view(), name="course_join_code"),
    re_path(rf"{PREFIX}/regenerate$", views.RegenerateJoinCodeView.as_view(), name="course_join_code_regenerate"),
    re_path(rf"{PREFIX}/qr\.svg$", views.JoinCodeQRView.as_view(), name="course_join_code_qr"),
    re_path(r"^api/course_join/v1/codes/(?P<code>[^/]+)$", views.JoinView.as_view(), name="course_join"),
]
