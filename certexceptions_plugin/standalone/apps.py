"""Standalone host application."""
from django.apps import AppConfig


class StandaloneConfig(AppConfig):
    """The LMS stand-in; its models keep edx-platform's unique constraints."""

    name = "certexceptions_plugin.standalone"
    label = "standalone"
    verbose_name = "Standalone LMS stand-in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # pylint: disable=unused-import
        from certexceptions_plugin.standalone import celery, signals  # noqa: F401
