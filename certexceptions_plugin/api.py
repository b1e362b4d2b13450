"""
The plugin's public Python API: the same operations as the REST endpoints, for code running inside the LMS.

Functions are keyword-only and return plain result objects (see :mod:`certexceptions_plugin.bulk.results`).
"""
from __future__ import annotations

from opaque_keys.edx.keys import CourseKey

from certexceptions_plugin.bulk.results import BulkResult
from certexceptions_plugin.certificates import services as certificate_services
from certexceptions_plugin.certificates.importer import GRANT
from certexceptions_plugin.invitations import services as invitation_services
from certexceptions_plugin.invitations.importer import REPLACE

__all__ = ["bulk_certificate_exceptions", "bulk_invite"]


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


def bulk_invite(*, course_key: CourseKey | str, actor, csv_file, dry_run: bool = False, auto_enroll: bool = True,
                email_learners: bool = False, existing_external_ids: str = REPLACE) -> BulkResult:
    """
    Invite or enrol every person of a CSV roster and record their external ids in the course.

    ``csv_file`` is a binary file object whose first non-blank row is the header: ``email`` (required), ``name``,
    ``external_id`` (or ``ext_id``, ``student_id``, ``sis_id``), in any order. ``existing_external_ids`` is
    ``"replace"`` (a different id in the file replaces the stored one) or ``"keep"``. ``actor`` is the Django user
    the changes are audited under. Raises :class:`~certexceptions_plugin.bulk.errors.FileRejected` (for example
    ``bad_header``) when the file as a whole is unusable, and
    :class:`~certexceptions_plugin.bulk.errors.ImportInProgress` when another invitation import for the course is
    running; row failures are reported in the result (``summary`` of ``result_payload`` adds
    ``external_id_updated``).
    """
    course_key = CourseKey.from_string(str(course_key))
    columns, rows = invitation_services.read_rows(csv_file)
    return invitation_services.import_invitations(
        course_key=course_key, actor=actor, columns=columns, rows=rows, dry_run=dry_run, auto_enroll=auto_enroll,
        email_learners=email_learners, existing_external_ids=existing_external_ids)
