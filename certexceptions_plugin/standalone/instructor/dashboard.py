"""
A stand-in of the LMS's legacy instructor dashboard, ``instructor_dashboard_2``
(lms/djangoapps/instructor/views/instructor_dashboard.py, served at ``courses/{course_id}/instructor`` by lms/urls.py).

Like the LMS it builds the dashboard's context (``course`` and core's ``sections``), runs the real openedx-filters
``InstructorDashboardRenderStarted`` pipeline over it, handles the filter's three exceptions the same way, and
renders every section it gets back: the tab names, each fragment's head and foot HTML on the page, and its body.
It differs in what it shows of core (one Course Info section) and in rendering a plugin section's fragment body
directly, where the LMS includes the plugin's Mako template ``{template_path_prefix}{section_key}.html``.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx_filters.learning.filters import InstructorDashboardRenderStarted

from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import Permission
from certexceptions_plugin.standalone.models import Course

TEMPLATE = "standalone_instructor/instructor_dashboard.html"


@login_required
@ensure_csrf_cookie
@cache_control(no_cache=True, no_store=True, must_revalidate=True)
def instructor_dashboard(request, course_id):
    """The dashboard of a course, for its staff; 404 for anyone else, as the LMS answers them."""
    try:
        course_key = CourseKey.from_string(course_id)
    except InvalidKeyError as exc:
        raise Http404(course_id) from exc
    course = Course.objects.filter(id=course_key).first()
    # The LMS's check is VIEW_DASHBOARD (course staff, instructor or data researcher, or global staff).
    if course is None or not get_host().has_permission(user=request.user, course_key=course_key,
                                                       permission=Permission.ENROLLMENT):
        raise Http404(course_id)
    context = {"course": course, "sections": [_course_info_section(course)]}
    try:
        context, template_name = InstructorDashboardRenderStarted.run_filter(context=context, template_name=TEMPLATE)
    except InstructorDashboardRenderStarted.RenderInvalidDashboard as exc:
        return render(request, exc.instructor_template, exc.template_context)
    except InstructorDashboardRenderStarted.RedirectToPage as exc:
        return HttpResponseRedirect(exc.redirect_to)
    except InstructorDashboardRenderStarted.RenderCustomResponse as exc:
        return exc.response
    return render(request, template_name, context)


def _course_info_section(course) -> dict:
    """Core's first tab, as ``_section_course_info`` names it; ``standin_template`` renders its body here."""
    return {"section_key": "course_info", "section_display_name": _("Course Info"), "course_id": str(course.id),
            "standin_template": "standalone_instructor/sections/course_info.html"}
