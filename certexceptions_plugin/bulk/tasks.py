"""Celery tasks; ``shared_task`` binds them to the host's Celery app (the LMS's own)."""
from celery import shared_task

from certexceptions_plugin.bulk import operations


@shared_task(name="certexceptions_plugin.run_bulk_operation", ignore_result=True)
def run_bulk_operation(operation_id: str) -> None:
    operations.execute(operation_id)
