"""The standalone host's Celery app (in the LMS, the LMS's own app runs the plugin's tasks)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certexceptions_plugin.standalone.settings")

app = Celery("certexceptions_plugin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["certexceptions_plugin.bulk"])
