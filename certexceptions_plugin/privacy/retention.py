"""
Import results expire: ``CERTEXCEPTIONS_RESULT_RETENTION_DAYS`` days after an import last changed (it finished,
or its worker last reported), its stored upload, its rows and the operation itself are deleted. Audit events stay.

:func:`delete_expired_results` does it, for the command ``delete_expired_results`` and the Celery task
``certexceptions_plugin.delete_expired_results`` (:mod:`certexceptions_plugin.tasks`), which an operator schedules.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow

log = logging.getLogger(__name__)
#: The Celery task that runs :func:`delete_expired_results`.
TASK = "certexceptions_plugin.delete_expired_results"


@dataclass(frozen=True)
class Expired:
    """What one run deleted."""

    operations: int = 0
    rows: int = 0
    uploads: int = 0

    def __str__(self):
        return (f"import operations deleted: {self.operations}, import rows deleted: {self.rows}, "
                f"stored uploads deleted: {self.uploads}")


def retention_days() -> int | None:
    """``CERTEXCEPTIONS_RESULT_RETENTION_DAYS``: a whole number of days, at least 1, or ``None`` to keep results."""
    days = settings.CERTEXCEPTIONS_RESULT_RETENTION_DAYS
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise ImproperlyConfigured(f"CERTEXCEPTIONS_RESULT_RETENTION_DAYS must be a whole number of days (1 or more) "
                                   f"or None, not {days!r}.")
    return days


def delete_expired_results(*, now: datetime | None = None) -> Expired:
    """Delete the import results older than the retention period, and uploads no import names any more."""
    days = retention_days()
    if days is None:
        return Expired()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    storage = operations.upload_storage()
    uploads = rows = 0
    expired = list(BulkOperation.objects.filter(modified__lt=cutoff).values_list("id", "file_path"))
    for operation_id, path in expired:
        if path and storage.exists(path):
            storage.delete(path)
            uploads += 1
        rows += BulkOperationRow.objects.filter(operation_id=operation_id).delete()[0]
        BulkOperation.objects.filter(id=operation_id).delete()
    # An upload whose request failed after storing it (its operation rolled back) is named by no operation.
    named = set(BulkOperation.objects.exclude(file_path="").values_list("file_path", flat=True))
    for path in operations.stored_uploads():
        if path not in named and storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            uploads += 1
    result = Expired(operations=len(expired), rows=rows, uploads=uploads)
    log.info("Import results older than %s days: %s", days, result)
    return result
