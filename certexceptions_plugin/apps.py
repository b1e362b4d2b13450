"""
Django application configuration; ``plugin_app`` is read by edx-django-utils' plugin framework.

Project and settings types are string literals so that the package imports without edx-platform.
"""
from django.apps import AppConfig
from edx_django_utils.plugins import PluginSettings, PluginSignals, PluginURLs

LMS = "lms.djangoapp"


class CertExceptionsPluginConfig(AppConfig):
    """The LMS plugin."""

    name = "certexceptions_plugin"
    verbose_name = "Certificate exceptions, invitations and join codes"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app = {
        PluginURLs.CONFIG: {
            LMS: {
                PluginURLs.NAMESPACE: "",
                PluginURLs.REGEX: "",
                PluginURLs.RELATIVE_PATH: "urls",
            },
        },
        PluginSettings.CONFIG: {
            LMS: {
                "common": {PluginSettings.RELATIVE_PATH: "settings.common"},
                "production": {PluginSettings.RELATIVE_PATH: "settings.production"},
                "test": {PluginSettings.RELATIVE_PATH: "settings.test"},
            },
        },
        PluginSignals.CONFIG: {
            LMS: {
                PluginSignals.RELATIVE_PATH: "signals",
                PluginSignals.RECEIVERS: [
                    {
                        PluginSignals.RECEIVER_FUNC_NAME: "link_external_id_on_enrollment",
                        PluginSignals.SIGNAL_PATH: "openedx_events.learning.signals.COURSE_ENROLLMENT_CREATED",
                    },
                    # The LMS's retirement signals (openedx.core.djangoapps.user_api.accounts.signals), found
                    # through the host (host/signals.py), so that the standalone host sends its own stand-ins.
                    {
                        PluginSignals.RECEIVER_FUNC_NAME: "forget_retired_learner",
                        PluginSignals.SIGNAL_PATH: "certexceptions_plugin.host.signals.USER_RETIRE_LMS_MISC",
                    },
                    {
                        PluginSignals.RECEIVER_FUNC_NAME: "forget_retired_learner",
                        PluginSignals.SIGNAL_PATH: "certexceptions_plugin.host.signals.USER_RETIRE_LMS_CRITICAL",
                    },
                ],
            },
        },
    }

    def ready(self):
        # pylint: disable=import-outside-toplevel,unused-import
        from certexceptions_plugin import checks, schema  # noqa: F401  (system checks, OpenAPI extensions)
        from certexceptions_plugin.bulk import kinds
        from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS
        from certexceptions_plugin.invitations.imports import INVITATIONS

        # Every kind of CSV import the plugin offers.
        kinds.register(CERTIFICATE_EXCEPTIONS, INVITATIONS)
