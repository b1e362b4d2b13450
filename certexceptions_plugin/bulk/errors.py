"""Errors that reject a whole upload before anything is written."""
from django.utils.translation import gettext as _

from certexceptions_plugin.errors import PluginError


class FileRejected(PluginError):
    """The upload as a whole cannot be processed."""


class ImportInProgress(PluginError):
    """Another import of the same kind is running for the same course."""

    def __init__(self):
        super().__init__("import_in_progress", _("Another upload for this course is still being processed. Try again "
                                                 "when it has finished."), 409)
