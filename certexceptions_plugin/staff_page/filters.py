"""
The instructor dashboard's Bulk tools tab: a pipeline step of openedx-filters' ``InstructorDashboardRenderStarted``
(``org.openedx.learning.instructor.dashboard.render.started.v1``), registered by the plugin's settings.

The LMS's ``instructor_dashboard_2`` (lms/djangoapps/instructor/views/instructor_dashboard.py) runs the filter with
``context`` (``course``: the course block, ``sections``: the tabs so far) and ``template_name``, then renders each
section of ``context["sections"]``: its ``section_display_name`` as the tab, its ``fragment``'s head and foot HTML on
the page, and the Mako template ``{template_path_prefix}{section_key}.html`` for its body. This step appends a section
the way platform-plugin-aspects' ``AddSupersetTab`` does (platform_plugin_aspects/extensions/filters.py), taking the
user from the current request through django-crum, as that step does.
"""
from crum import get_current_request
from openedx_filters import PipelineStep

from certexceptions_plugin.staff_page.access import staff_course
from certexceptions_plugin.staff_page.content import TITLE, bulk_tools_fragment

#: The section's key: the HTML id of its ``<section>`` and the name of its template under ``lms_templates``.
SECTION_KEY = "certexceptions_bulk_tools"
TEMPLATE_PATH_PREFIX = "/certexceptions_plugin/"
#: The dashboard's tabs are ``<h3>`` headings (instructor_dashboard_2.html); the tab's sections sit below them.
HEADING_LEVEL = 4


class AddBulkToolsTab(PipelineStep):
    """Add the Bulk tools tab for course staff and above; leave the dashboard unchanged for anyone else."""

    def run_filter(self, context, template_name):  # pylint: disable=arguments-differ,unused-argument
        section = bulk_tools_section(get_current_request(), context.get("course"))
        if section is not None:
            context["sections"].append(section)
        # Always a dict: a step returning anything else stops the pipeline, and the steps after it would not run.
        return {"context": context}


def bulk_tools_section(request, course_block) -> dict | None:
    """The dashboard section for the request's user on the course, or ``None`` when they may not see it."""
    if request is None or course_block is None:
        return None
    course = staff_course(request.user, course_block.id)
    if course is None:
        return None
    return {
        "section_key": SECTION_KEY,
        "section_display_name": str(TITLE),
        "course_id": str(course.key),
        "template_path_prefix": TEMPLATE_PATH_PREFIX,
        "fragment": bulk_tools_fragment(request, course, heading_level=HEADING_LEVEL),
    }
