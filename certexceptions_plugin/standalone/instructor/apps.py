"""The stand-in of core's instructor app."""
from django.apps import AppConfig


class StandInInstructorConfig(AppConfig):
    """Installed before the plugins, as the LMS's own apps are."""

    name = "certexceptions_plugin.standalone.instructor"
    label = "standalone_instructor"
    verbose_name = "Stand-in of the LMS instructor app"
