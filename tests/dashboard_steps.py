"""Pipeline steps of other plugins for the instructor dashboard filter, as the tests register them around ours."""
from django.http import HttpResponse
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import InstructorDashboardRenderStarted


class AddOtherTab(PipelineStep):
    """Another plugin's tab."""

    def run_filter(self, context, template_name):  # pylint: disable=arguments-differ,unused-argument
        context["sections"].append({"section_key": "other_tab", "section_display_name": "Other tab"})
        return {"context": context}


class AddLastTab(PipelineStep):
    """A tab added after ours: it runs only if the steps before it returned a dict."""

    def run_filter(self, context, template_name):  # pylint: disable=arguments-differ,unused-argument
        context["sections"].append({"section_key": "last_tab", "section_display_name": "Last tab"})
        return {"context": context}


class RedirectElsewhere(PipelineStep):
    def run_filter(self, context, template_name):  # pylint: disable=arguments-differ,unused-argument
        raise InstructorDashboardRenderStarted.RedirectToPage("elsewhere", redirect_to="/elsewhere")


class CustomResponse(PipelineStep):
    def run_filter(self, context, template_name):  # pylint: disable=arguments-differ,unused-argument
        response = HttpResponse("custom", status=418)
        raise InstructorDashboardRenderStarted.RenderCustomResponse("custom", response=response)
