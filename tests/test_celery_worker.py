"""
End to end through a real Celery worker (``make test-celery``): Redis broker, Redis cache, MariaDB.

The worker is started as an LMS worker is, from the host's app (``celery -A certexceptions_plugin.standalone.celery
worker``), which names no task module: the plugin's task must come from ``autodiscover_tasks()``.
"""
import os
import subprocess
import sys
import tempfile
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from redis import Redis

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.locks import lock_key
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
from certexceptions_plugin.standalone.celery import app
from certexceptions_plugin.standalone.models import CertificateAllowlist, CourseEnrollment
from tests.conftest import csv_file
from tests.factories import CourseFactory, EnrollmentFactory, RoleFactory

TASK = "certexceptions_plugin.run_bulk_operation"
DEADLINE = 30  # seconds for any one step; the whole test takes a few


pytestmark = pytest.mark.celery_worker


class Worker:
    """A Celery worker process, started as the LMS starts one; its log is shown when a step waits in vain."""

    def __init__(self):
        self.name = f"certexceptions-test-{os.getpid()}@localhost"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "certexceptions_plugin.standalone.celery", "worker",
             "--hostname", self.name, "--pool=solo", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO"],
            env={**os.environ, "MYSQL_DATABASE": connection.settings_dict["NAME"]},
            stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def wait_for(self, condition, what, seconds=DEADLINE):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.log.seek(0)
        pytest.fail(f"{what}\n--- worker log ---\n{self.log.read()}")

    def registered_tasks(self):
        replies = app.control.inspect(destination=[self.name], timeout=1).registered()
        return (replies or {}).get(self.name)


@pytest.fixture
def worker(transactional_db):  # the worker is another process: it sees only what this one commits
    """
    This process is the web side: configured for the broker (``CERTEXCEPTIONS_CELERY_BROKER``), it sends tasks
    instead of running them, and its cache is the worker's Redis cache.
    """
    assert not app.conf.task_always_eager and app.conf.broker_url.startswith("redis://")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert connection.vendor == "mysql", "the worker shares this test database: run on MariaDB"
    started = Worker()
    yield started
    started.stop()


@pytest.fixture
def second_connection(transactional_db):
    """Another connection to the test database; closing it (teardown) releases whatever it locked."""
    other = connection.copy()
    yield other
    other.close()


def upload(client, course, text):
    url = reverse("certificate_exception_imports", kwargs={"course_id": str(course.id)})
    return client.post(url, {"file": csv_file(text)}, format="multipart")


@override_settings(CERTEXCEPTIONS_SYNC_MAX_ROWS=2)
def test_the_worker_runs_an_upload_holding_the_lock_in_redis(worker, second_connection, api_client):
    redis = Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert TASK in worker.wait_for(worker.registered_tasks, "the worker never answered `inspect registered`")

    course = CourseFactory()
    client = api_client(RoleFactory(course_id=course.id, role="instructor").user)
    for n in range(1, 4):
        EnrollmentFactory(course_id=course.id, user__username=f"learner{n}")
    # A second connection locks the audit table: the worker, writing its first chunk under the import lock,
    # waits there, so the lock is caught while held. Closing the connection (teardown) always releases it.
    with second_connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLES {AuditEvent._meta.db_table} WRITE")

    response = upload(client, course, "learner1,a\nlearner2\nlearner3\nghost\n")
    assert response.status_code == 202, response.content
    operation_id = response.json()["id"]
    redis_key = cache.make_key(lock_key(course.id, "certificate_exceptions"))
    worker.wait_for(lambda: redis.exists(redis_key), "the worker never took the import lock in Redis")
    assert 0 < redis.ttl(redis_key) <= settings.CERTEXCEPTIONS_LOCK_TIMEOUT
    # Planned, not yet written: the chunk's row results are stored in its write transaction, which waits.
    assert BulkOperation.objects.get(id=operation_id).status == BulkOperation.RUNNING
    assert not BulkOperationRow.objects.filter(operation_id=operation_id).exists()
    # The web side sees the worker's lock in the shared cache.
    second = upload(client, course, "learner1\nlearner2\nlearner3\n")
    assert second.status_code == 409 and second.json()["error_code"] == "import_in_progress"

    with second_connection.cursor() as cursor:
        cursor.execute("UNLOCK TABLES")
    operation = worker.wait_for(
        lambda: BulkOperation.objects.filter(
            id=operation_id, status__in=[BulkOperation.SUCCEEDED, BulkOperation.FAILED]).first(),
        "the worker never finished the operation")
    assert operation.status == BulkOperation.SUCCEEDED, operation.error
    assert operation.summary["granted"] == 3 and operation.rows_done == operation.rows_total == 4
    assert CertificateAllowlist.objects.filter(course_id=course.id).count() == 3
    assert not redis.exists(redis_key)


LARGE = 100_000


def large_course():
    """A course with LARGE enrolled learners, ``bulk0`` to ``bulk99999``."""
    course, User = CourseFactory(), get_user_model()
    User.objects.bulk_create((User(username=f"bulk{n}", email=f"bulk{n}@example.com") for n in range(LARGE)),
                             batch_size=5000)
    CourseEnrollment.objects.bulk_create(
        (CourseEnrollment(user_id=user_id, course_id=course.id)
         for user_id in User.objects.filter(username__startswith="bulk").values_list("id", flat=True)),
        batch_size=5000)
    return course


def test_a_100k_row_upload_runs_on_the_worker_and_is_paged_and_downloaded(worker, api_client):
    course = large_course()
    client = api_client(RoleFactory(course_id=course.id, role="instructor").user)
    # Every tenth row names nobody.
    text = "username_or_email,notes\n" + "".join(
        f"nobody{n}\n" if n % 10 == 9 else f"bulk{n},note {n}\n" for n in range(LARGE))

    accepted = upload(client, course, text)
    assert accepted.status_code == 202, accepted.content
    progress = []

    def finished():
        operation = client.get(accepted.json()["url"]).json()
        progress.append(operation["rows_done"])
        return operation if operation["status"] in ("succeeded", "failed") else None

    operation = worker.wait_for(finished, "the worker never finished the 100,000-row operation", seconds=900)
    assert operation["status"] == "succeeded", operation
    assert operation["summary"] == {**operation["summary"], "rows": LARGE, "granted": 90_000, "failed": 10_000}
    assert progress == sorted(progress) and any(0 < done < LARGE for done in progress), progress
    assert CertificateAllowlist.objects.filter(course_id=course.id).count() == 90_000

    failed, url = [], operation["rows_url"] + "?outcome=failed&page_size=100"
    while url:
        page = client.get(url).json()
        failed += page["results"]
        url = page["next"]
    assert len(failed) == 10_000 and {row["reason"] for row in failed} == {"user_not_found"}
    assert [row["row"] for row in failed[:2]] == [11, 21]  # file lines: the header is line 1

    report = client.get(operation["report_url"])
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == LARGE + 1 and lines[-1].startswith(f"{LARGE + 1},nobody{LARGE - 1},")
