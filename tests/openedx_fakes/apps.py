"""The test-only Django app holding the fake LMS tables."""
from django.apps import AppConfig


class OpenedxFakesConfig(AppConfig):
    name = "tests.openedx_fakes"
    label = "openedx_fakes"
    default_auto_field = "django.db.models.AutoField"
