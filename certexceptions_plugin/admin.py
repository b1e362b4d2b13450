"""Admin registrations of the plugin's models."""
from certexceptions_plugin.audit import admin as audit_admin  # noqa: F401 pylint: disable=unused-import
