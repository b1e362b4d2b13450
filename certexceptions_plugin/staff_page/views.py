"""The staff page: the Bulk tools of one course, for course staff and above, with the LMS session."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from certexceptions_plugin.staff_page.access import course_or_refuse
from certexceptions_plugin.staff_page.content import render_page


# As the LMS's instructor_dashboard_2 (lms/djangoapps/instructor/views/instructor_dashboard.py): the CSRF cookie
# for the page's own requests, and never cached. Anonymous users go to the host's LOGIN_URL; others get the host's
# 404 (no such course) or 403 (not course staff) pages.
@require_GET
@login_required
@ensure_csrf_cookie
@cache_control(no_cache=True, no_store=True, must_revalidate=True)
def staff_page(request, course_id):
    course = course_or_refuse(request.user, course_id)
    return HttpResponse(render_page(request, course))
