"""Standalone host application."""
from django.apps import AppConfig


class StandaloneConfig(AppConfig):
    """The LMS stand-in; its models keep edx-platform's unique constraints."""

    name = "certexceptions_plugin.standalone"
    label = "standalone"
    verbose_name = "Standalone LMS stand-in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # pylint: disable=unused-import,import-outside-toplevel
        from edx_django_utils.plugins import connect_plugin_receivers

        from certexceptions_plugin.standalone import celery, signals  # noqa: F401

        # As the LMS does: connect every installed plugin's signals_config receivers.
        connect_plugin_receivers("lms.djangoapp")
