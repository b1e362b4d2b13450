"""The one error family of the plugin, raised by services, the Python API, commands and tasks alike."""


class PluginError(Exception):
    """
    A failure people can act on: ``error_code`` is stable snake_case, ``message`` a sentence for people.

    ``http_status`` is what the REST API answers with; ``extra`` holds machine-readable details that are rendered
    beside ``message`` and ``error_code`` (for example the offending columns of a header).
    """

    def __init__(self, error_code: str, message: str, http_status: int = 400, **extra):
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.http_status = http_status
        self.extra = extra

    def as_dict(self) -> dict:
        return {"message": self.message, "error_code": self.error_code, **self.extra}
