"""
Core's instructor API v2 routes, copied from openedx-platform's ``lms/djangoapps/instructor/views/api_urls.py``
(``v2_api_urls``, read at 52a7db7b) and mounted as ``lms/djangoapps/instructor/urls.py`` mounts them.
"""
from django.urls import include, path, re_path

from certexceptions_plugin.rest import COURSE_ID_PATTERN
from certexceptions_plugin.standalone.instructor.dashboard import instructor_dashboard
from certexceptions_plugin.standalone.instructor.views import core_view

COURSE = rf"^courses/{COURSE_ID_PATTERN}"

#: (path suffix after the course id, URL name), in core's order.
V2_ROUTES = (
    ("", "course_metadata"),
    ("/instructor_tasks", "instructor_tasks"),
    ("/change_due_date", "change_due_date"),
    ("/graded_subsections", "graded_subsections"),
    ("/unit_extensions", "unit_extensions"),
    ("/ora", "ora_assessments"),
    ("/reports", "report_downloads"),
    ("/reports/(?P<report_type>[^/]+)/generate", "generate_report"),
    ("/ora_summary", "ora_summary"),
    ("/certificates/issued", "issued_certificates"),
    ("/certificates/generation_history", "certificate_generation_history"),
    ("/certificates/regenerate", "regenerate_certificates"),
    ("/certificates/config", "certificate_config"),
    ("/certificates/toggle_generation", "toggle_certificate_generation"),
    ("/certificates/exceptions", "certificate_exceptions"),
    ("/certificates/exceptions/bulk", "bulk_certificate_exceptions"),
    ("/certificates/invalidations", "certificate_invalidations"),
    ("/enrollments", "course_enrollments"),
    ("/learners/(?P<email_or_username>[^/]+)", "learner_detail"),
    ("/problems/(?P<location>.+)", "problem_detail"),
    ("/tasks/(?P<task_id>[^/]+)", "task_status"),
    ("/grading-config", "grading_config"),
    ("/enrollments/modify", "enrollment_modify"),
    ("/beta_testers/modify", "beta_tester_modify"),
    ("/team/roles", "course_team_roles"),
    ("/team/(?P<email_or_username>[^/]+)", "course_team_member"),
    ("/team", "course_team"),
    ("/(?P<problem>.+)/grading/attempts/reset", "reset_attempts"),
    ("/(?P<problem>.+)/grading/state", "delete_state"),
    ("/(?P<problem>.+)/grading/scores/rescore", "rescore"),
    ("/(?P<problem>.+)/grading/scores", "score_override"),
    ("/special_exams", "special_exams_list"),
    ("/special_exams/allowances", "course_allowances"),
    ("/special_exams/attempts", "course_exam_attempts"),
    (r"/special_exams/(?P<exam_id>\d+)", "special_exam_detail"),
    (r"/special_exams/(?P<exam_id>\d+)/reset/(?P<username>[^/]+)", "special_exam_reset"),
    (r"/special_exams/(?P<exam_id>\d+)/attempts", "special_exam_attempts"),
    (r"/special_exams/(?P<exam_id>\d+)/allowance", "exam_allowance"),
    ("/proctoring_settings", "proctoring_settings"),
)

v2_api_urls = [
    re_path(rf"{COURSE}{suffix}$", core_view, {"route": name}, name=name) for suffix, name in V2_ROUTES
]

urlpatterns = [
    path("api/instructor/v2/", include((v2_api_urls, "lms.djangoapps.instructor"), namespace="instructor_api_v2")),
    # lms/urls.py: the (legacy) instructor dashboard, which runs the InstructorDashboardRenderStarted filter.
    re_path(rf"{COURSE}/instructor$", instructor_dashboard, name="instructor_dashboard"),
]
