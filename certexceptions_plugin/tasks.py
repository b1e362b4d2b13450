"""
Celery tasks, found by the host's ``autodiscover_tasks()`` (the LMS's own app) as ``certexceptions_plugin.tasks``.

Nothing imports this module: web processes queue the task by name (``bulk.operations.submit``), and workers load
it through autodiscovery. So the task imports the runner, and the runner never imports the task.
"""
from celery import shared_task

from certexceptions_plugin.bulk import operations
from certexceptions_plugin.privacy import retention


@shared_task(name=operations.RUN_TASK, ignore_result=True)
def run_bulk_operation(operation_id: str) -> None:
    operations.execute(operation_id)


@shared_task(name=retention.TASK, ignore_result=True)
def delete_expired_results() -> None:
    """Scheduled by the operator (``CELERYBEAT_SCHEDULE``): see the README's "Personal data"."""
    retention.delete_expired_results()
