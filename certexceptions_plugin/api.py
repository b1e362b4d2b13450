"""
The plugin's public Python API: the same operations as the REST endpoints, for code running inside the LMS.

Functions are keyword-only and return plain result objects (see :mod:`certexceptions_plugin.bulk.results`).
"""
from __future__ import annotations

from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.bulk.results import BulkResult
from certexceptions_plugin.certificates import services as certificate_services
from certexceptions_plugin.certificates.importer import GRANT

__all__ = ["bulk_certificate_exceptions"]


def bulk_certificate_exceptions(*, course_key: CourseKey | str, actor, csv_file, action: str = GRANT,
                                dry_run: bool = False) -> BulkResult:
    """
    Grant (or, with ``action="remove"``, remove) certificate exceptions for every row of a CSV file.

    ``csv_file`` is a binary file object of ``username_or_email[,notes]`` rows; ``actor`` is the Django user
    the changes are audited under. Raises :class:`~certexceptions_plugin.bulk.errors.FileRejected` when the
    file as a whole is unusable, and :class:`~certexceptions_plugin.bulk.errors.ImportInProgress` when another
    import for the course is running; row failures are reported in the result.
    """
    course_key = CourseKey.from_string(str(course_key))
    rows = certificate_services.read_rows(csv_file)
    return certificate_services.import_exceptions(
        course_key=course_key, actor=actor, rows=rows, action=action, dry_run=dry_run)
