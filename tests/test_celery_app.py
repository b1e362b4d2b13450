"""The standalone host's Celery app and cache are set up as an LMS's: the plugin's tasks are found, never named."""
import importlib.util
import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from certexceptions_plugin.standalone.celery import app
from tests.autodiscovery import module_of_discovered_task

SETTINGS_FILE = importlib.util.find_spec("certexceptions_plugin.standalone.settings").origin


def test_the_app_is_made_as_the_lms_makes_its_own():
    assert app.main == "proj"
    assert app.conf.task_always_eager and app.conf.broker_url == "memory://"  # no broker in this test run


def test_a_worker_finds_the_task_through_autodiscovery_alone():
    done = module_of_discovered_task("certexceptions_plugin.run_bulk_operation")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "certexceptions_plugin.tasks"


def standalone_settings(monkeypatch, **environ):
    """The standalone settings as a process started with ``environ`` reads them."""
    for name in ("CERTEXCEPTIONS_CELERY_BROKER", "CERTEXCEPTIONS_CACHE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


def test_without_a_broker_tasks_run_eagerly_beside_a_local_memory_cache(monkeypatch):
    namespace = standalone_settings(monkeypatch)
    assert namespace["CELERY_ALWAYS_EAGER"] is True and namespace["BROKER_URL"] == "memory://"
    assert namespace["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_with_a_broker_the_lock_lives_in_redis_beside_it(monkeypatch):
    namespace = standalone_settings(monkeypatch, CERTEXCEPTIONS_CELERY_BROKER="redis://:secret@redis.example:6380/4")
    assert namespace["CELERY_ALWAYS_EAGER"] is False
    assert namespace["BROKER_URL"] == "redis://:secret@redis.example:6380/4"
    assert namespace["CACHES"]["default"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                              "LOCATION": "redis://:secret@redis.example:6380/5"}


def test_a_broker_url_without_a_database_index_uses_database_0(monkeypatch):
    namespace = standalone_settings(monkeypatch, CERTEXCEPTIONS_CELERY_BROKER="redis://127.0.0.1:6379")
    assert namespace["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_the_cache_url_can_be_given(monkeypatch):
    namespace = standalone_settings(monkeypatch, CERTEXCEPTIONS_CELERY_BROKER="amqp://guest@rabbit//",
                                    CERTEXCEPTIONS_CACHE_URL="redis://cache.example:6379/2")
    assert namespace["CACHES"]["default"]["LOCATION"] == "redis://cache.example:6379/2"


def test_a_broker_that_is_not_redis_needs_a_cache_url(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="CERTEXCEPTIONS_CACHE_URL"):
        standalone_settings(monkeypatch, CERTEXCEPTIONS_CELERY_BROKER="amqp://guest@rabbit//")
