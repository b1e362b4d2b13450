"""
The instructor dashboard's Bulk tools tab: the plugin's settings register the pipeline step beside other plugins'
steps, the real openedx-filters pipeline runs it, and the standalone host's stand-in dashboard shows its result.
"""
import sys
import types

import crum
import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils.module_loading import import_string
from edx_django_utils.plugins import add_plugins
from edx_django_utils.plugins.plugin_manager import PluginManager
from mako.template import Template
from openedx_filters.learning.filters import InstructorDashboardRenderStarted
from web_fragments.fragment import Fragment

from certexceptions_plugin.settings.common import (
    BULK_TOOLS_STEP,
    INSTRUCTOR_DASHBOARD_FILTER,
    LMS_TEMPLATES_DIR,
    register_bulk_tools_tab,
)
from certexceptions_plugin.staff_page.filters import SECTION_KEY, TEMPLATE_PATH_PREFIX, AddBulkToolsTab
from certexceptions_plugin.standalone import demo
from tests.factories import EnrollmentFactory

LMS = "lms.djangoapp"
OTHER = "tests.dashboard_steps.AddOtherTab"
LAST = "tests.dashboard_steps.AddLastTab"


def settings_module(**values):
    return types.SimpleNamespace(**values)


class TestRegistration:
    def test_with_no_filters_configured_the_step_is_the_pipeline(self):
        lms = settings_module()
        register_bulk_tools_tab(lms)
        assert lms.OPEN_EDX_FILTERS_CONFIG == {INSTRUCTOR_DASHBOARD_FILTER: {"pipeline": [BULK_TOOLS_STEP]}}

    def test_other_steps_their_options_and_other_filters_are_kept(self):
        lms = settings_module(OPEN_EDX_FILTERS_CONFIG={
            INSTRUCTOR_DASHBOARD_FILTER: {"fail_silently": False, "pipeline": [OTHER], "log_level": "debug"},
            "org.openedx.learning.course.enrollment.started.v1": {"pipeline": ["x.Y"]},
        })
        register_bulk_tools_tab(lms)
        assert lms.OPEN_EDX_FILTERS_CONFIG == {
            INSTRUCTOR_DASHBOARD_FILTER: {"fail_silently": False, "pipeline": [OTHER, BULK_TOOLS_STEP],
                                          "log_level": "debug"},
            "org.openedx.learning.course.enrollment.started.v1": {"pipeline": ["x.Y"]},
        }

    @pytest.mark.parametrize("entry", [[OTHER], (OTHER,), OTHER])
    def test_a_list_or_a_single_step_is_kept(self, entry):
        """openedx-filters also reads an entry that is a list of steps or one step's path."""
        lms = settings_module(OPEN_EDX_FILTERS_CONFIG={INSTRUCTOR_DASHBOARD_FILTER: entry})
        register_bulk_tools_tab(lms)
        assert lms.OPEN_EDX_FILTERS_CONFIG[INSTRUCTOR_DASHBOARD_FILTER] == {"pipeline": [OTHER, BULK_TOOLS_STEP]}

    def test_registering_twice_changes_nothing(self):
        lms = settings_module(OPEN_EDX_FILTERS_CONFIG={INSTRUCTOR_DASHBOARD_FILTER: {"pipeline": [OTHER]}},
                              MAKO_TEMPLATE_DIRS_BASE=["/lms/templates"])
        register_bulk_tools_tab(lms)
        once = (dict(lms.OPEN_EDX_FILTERS_CONFIG), list(lms.MAKO_TEMPLATE_DIRS_BASE))
        register_bulk_tools_tab(lms)
        assert (lms.OPEN_EDX_FILTERS_CONFIG, lms.MAKO_TEMPLATE_DIRS_BASE) == once
        assert lms.MAKO_TEMPLATE_DIRS_BASE == ["/lms/templates", LMS_TEMPLATES_DIR]

    def test_the_lms_finds_the_tab_template_where_the_section_points(self):
        """The dashboard includes "{template_path_prefix}{section_key}.html" from the Mako directories."""
        assert (LMS_TEMPLATES_DIR / TEMPLATE_PATH_PREFIX.strip("/") / f"{SECTION_KEY}.html").is_file()

    def test_the_registered_path_is_the_step(self):
        assert import_string(BULK_TOOLS_STEP) is AddBulkToolsTab

    def test_the_step_survives_a_yaml_config_replacing_the_common_one(self, monkeypatch):
        """lms/envs/production.py replaces the setting with the YAML's, then applies the production settings."""
        module = types.ModuleType("fake_lms_settings")
        module.OPEN_EDX_FILTERS_CONFIG = {INSTRUCTOR_DASHBOARD_FILTER: {"pipeline": [OTHER]}}
        monkeypatch.setitem(sys.modules, "fake_lms_settings", module)
        PluginManager.get_available_plugins.cache_clear()
        add_plugins("fake_lms_settings", LMS, "common")
        assert module.OPEN_EDX_FILTERS_CONFIG[INSTRUCTOR_DASHBOARD_FILTER]["pipeline"] == [OTHER, BULK_TOOLS_STEP]
        module.OPEN_EDX_FILTERS_CONFIG = {INSTRUCTOR_DASHBOARD_FILTER: {"fail_silently": False, "pipeline": [LAST]}}
        module.ENV_TOKENS = {"OPEN_EDX_FILTERS_CONFIG": module.OPEN_EDX_FILTERS_CONFIG}
        add_plugins("fake_lms_settings", LMS, "production")
        assert module.OPEN_EDX_FILTERS_CONFIG[INSTRUCTOR_DASHBOARD_FILTER] == {
            "fail_silently": False, "pipeline": [LAST, BULK_TOOLS_STEP]}

    def test_the_hosts_settings_register_it(self):
        assert BULK_TOOLS_STEP in settings.OPEN_EDX_FILTERS_CONFIG[INSTRUCTOR_DASHBOARD_FILTER]["pipeline"]


@pytest.fixture
def run_dashboard_filter(course):
    """Run the real filter as instructor_dashboard_2 does, during a request by ``user``."""
    def run(user, sections=None):
        request = RequestFactory().get(f"/courses/{course.id}/instructor")
        request.user = user
        context = {"course": course, "sections": list(sections or [{"section_key": "course_info"}])}
        crum.set_current_request(request)
        try:
            return InstructorDashboardRenderStarted.run_filter(context=context, template_name="dashboard.html")
        finally:
            crum.set_current_request(None)
    return run


def keys(context):
    return [section["section_key"] for section in context["sections"]]


class TestTheStepInThePipeline:
    def test_alone_it_appends_the_tab_after_core_s_sections(self, run_dashboard_filter, instructor, course):
        context, template_name = run_dashboard_filter(instructor)
        assert template_name == "dashboard.html"
        assert keys(context) == ["course_info", SECTION_KEY]
        section = context["sections"][-1]
        assert section["section_display_name"] == "Bulk tools"
        assert (section["course_id"], section["template_path_prefix"]) == (str(course.id), TEMPLATE_PATH_PREFIX)
        fragment = section["fragment"]
        body = fragment.body_html()
        assert "data-cxp-root" in body and 'data-cxp-import="certificate_exceptions"' in body
        assert "<style" in fragment.head_html() and "<script>" in fragment.foot_html()
        assert "<h4" in fragment.body_html()  # below the dashboard's own <h3> tab heading

    def test_with_other_plugins_steps_before_and_after_all_run(self, run_dashboard_filter, instructor, settings):
        lms = settings_module(OPEN_EDX_FILTERS_CONFIG={INSTRUCTOR_DASHBOARD_FILTER: {"pipeline": [OTHER]}})
        register_bulk_tools_tab(lms)
        lms.OPEN_EDX_FILTERS_CONFIG[INSTRUCTOR_DASHBOARD_FILTER]["pipeline"].append(LAST)
        settings.OPEN_EDX_FILTERS_CONFIG = lms.OPEN_EDX_FILTERS_CONFIG
        context, _ = run_dashboard_filter(instructor)
        assert keys(context) == ["course_info", "other_tab", SECTION_KEY, "last_tab"]

    def test_learners_get_no_tab_and_the_pipeline_goes_on(self, run_dashboard_filter, course, settings):
        settings.OPEN_EDX_FILTERS_CONFIG = {INSTRUCTOR_DASHBOARD_FILTER: {"pipeline": [BULK_TOOLS_STEP, LAST]}}
        learner = EnrollmentFactory(course_id=course.id).user
        context, _ = run_dashboard_filter(learner)
        assert keys(context) == ["course_info", "last_tab"]

    def test_course_staff_get_the_tab_without_certificate_actions(self, run_dashboard_filter, course_staff):
        context, _ = run_dashboard_filter(course_staff)
        body = context["sections"][-1]["fragment"].body_html()
        assert 'data-cxp-import="invitations"' in body and 'data-cxp-import="certificate_exceptions"' not in body

    def test_outside_a_request_the_dashboard_is_unchanged(self, course):
        context = {"course": course, "sections": []}
        result = AddBulkToolsTab(INSTRUCTOR_DASHBOARD_FILTER, [BULK_TOOLS_STEP]).run_filter(context, "dashboard.html")
        assert result == {"context": {"course": course, "sections": []}}


def test_the_lms_template_renders_the_fragment_body_as_it_is():
    """Rendered with Mako, as the LMS's dashboard includes it: the body is HTML already escaped by the plugin."""
    body = '<div class="cxp" data-x="a &amp; b"><p>Ünïcode &lt;b&gt;</p></div>'
    template = Template(filename=str(LMS_TEMPLATES_DIR / "certexceptions_plugin" / f"{SECTION_KEY}.html"))
    assert template.render(section_data={"fragment": Fragment(body)}).strip() == body


class TestStandInDashboard:
    def url(self, course):
        return f"/courses/{course.id}/instructor"

    def test_course_staff_see_the_tab_with_its_css_and_javascript(self, client, course, course_staff):
        client.force_login(course_staff)
        html = client.get(self.url(course)).content.decode()
        assert f'data-section="{SECTION_KEY}"' in html and f'<section id="{SECTION_KEY}"' in html
        assert 'data-section="course_info"' in html
        assert html.count("Bulk tools: certificate exceptions, invitations") == 1  # the script, once
        assert html.count("Everything is scoped under .cxp") == 1  # the CSS, once

    def test_it_shows_what_the_pipeline_returns(self, client, course, course_staff, settings):
        settings.OPEN_EDX_FILTERS_CONFIG = {INSTRUCTOR_DASHBOARD_FILTER: {"pipeline": [OTHER]}}
        client.force_login(course_staff)
        html = client.get(self.url(course)).content.decode()
        assert 'data-section="other_tab"' in html and SECTION_KEY not in html

    @pytest.mark.parametrize(("step", "status"), [("tests.dashboard_steps.RedirectElsewhere", 302),
                                                  ("tests.dashboard_steps.CustomResponse", 418)])
    def test_it_handles_the_filter_s_exceptions_as_the_lms(self, client, course, course_staff, settings, step,
                                                           status):
        settings.OPEN_EDX_FILTERS_CONFIG = {INSTRUCTOR_DASHBOARD_FILTER: {"fail_silently": False, "pipeline": [step]}}
        client.force_login(course_staff)
        response = client.get(self.url(course))
        assert response.status_code == status
        if status == 302:
            assert response["Location"] == "/elsewhere"

    def test_learners_get_404_and_anonymous_users_the_login_page(self, client, course):
        assert client.get(self.url(course))["Location"].startswith("/login?next=")
        client.force_login(EnrollmentFactory(course_id=course.id).user)
        assert client.get(self.url(course)).status_code == 404


def test_the_printed_demo_url_and_password_sign_in_to_the_tab(client, db):  # pylint: disable=unused-argument
    demo.seed()
    printed = demo.banner(lms_root_url="http://127.0.0.1:8000", database="demo.sqlite3", command="demo")
    url = f"http://127.0.0.1:8000/courses/{demo.DEMO_COURSE}/instructor"
    assert f"{url} (sign in as instructor or staff, password {demo.DEMO_PASSWORD})" in printed
    response = client.post("/login", {"username": "instructor", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == url.removeprefix("http://127.0.0.1:8000")
    assert f'data-section="{SECTION_KEY}"' in client.get(response["Location"]).content.decode()


def test_the_login_page_names_the_demo_users(client, db):  # pylint: disable=unused-argument
    html = client.get("/login").content.decode()
    assert "instructor" in html and demo.DEMO_PASSWORD in html
    assert client.post("/login", {"username": "instructor", "password": "wrong"}).status_code == 200
