"""Errors that reject a whole upload before anything is written."""
from django.utils.translation import gettext as _


class FileRejected(Exception):
    """The upload as a whole cannot be processed; ``error_code`` is stable, ``message`` is for people."""

    def __init__(self, error_code: str, message: str, status: int = 400, **extra):
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.status = status
        #: Machine-readable details rendered beside ``message`` and ``error_code`` (e.g. offending columns).
        self.extra = extra


class ImportInProgress(Exception):
    """Another import of the same kind is running for the same course."""

    error_code = "import_in_progress"
    status = 409
    extra: dict = {}

    @property
    def message(self):
        return _("Another upload for this course is still being processed. Try again when it has finished.")
