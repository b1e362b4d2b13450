"""What a fresh worker process finds through the Celery app's ``autodiscover_tasks()`` alone."""
import os
import subprocess
import sys

SCRIPT = """
import sys
import django
django.setup()
from celery import current_app
assert "certexceptions_plugin.tasks" not in sys.modules, "something imported the tasks by hand"
current_app.loader.import_default_modules()
print(current_app.tasks[sys.argv[1]].__module__)
"""


def module_of_discovered_task(name: str) -> subprocess.CompletedProcess:
    """
    Run a fresh process as a worker starts: Django is set up (the standalone app imports the Celery app), yet no task
    module is loaded until the worker imports its default modules. It prints the module of task ``name``.
    """
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "CELERY_SKIP_CHECKS": "1"}
    env.pop("CERTEXCEPTIONS_CELERY_BROKER", None)
    return subprocess.run([sys.executable, "-c", SCRIPT, name], env=env, capture_output=True, text=True, timeout=60,
                          check=False)
