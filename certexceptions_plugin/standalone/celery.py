"""
The standalone host's Celery app, made as the LMS makes its own.

As in openedx-platform's ``lms/celery.py`` and ``openedx/core/lib/celery/__init__.py``: ``Celery('proj')``,
configured from Django's settings with no namespace (so the settings carry the LMS's names: ``BROKER_URL``,
``CELERY_ALWAYS_EAGER``, ...), and ``autodiscover_tasks()`` with no package list, which imports ``<app>.tasks``
for every entry of ``INSTALLED_APPS`` when a worker starts. No package of the plugin is named here: the worker
finds ``certexceptions_plugin.tasks`` the way an LMS worker does.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certexceptions_plugin.standalone.settings")

app = Celery("proj")
app.config_from_object("django.conf:settings")
app.autodiscover_tasks()
