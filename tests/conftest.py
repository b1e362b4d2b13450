"""Shared fixtures: a course with its team, and API clients authenticated as each of them."""
import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import CourseFactory, EnrollmentFactory, RoleFactory, UserFactory


# Fuzzing: a small profile in the suite, 10,000 examples with HYPOTHESIS_PROFILE=fuzz (make fuzz). Examples share the
# test's database: each one checks what it adds.
for _name, _examples in (("ci", 60), ("fuzz", 10_000)):
    hypothesis_settings.register_profile(_name, max_examples=_examples, deadline=None, print_blob=True,
                                         suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Lines tests leave for the end of the run's report (schemathesis: the cases run per role).
RUN_SUMMARY = pytest.StashKey[list]()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(db):
    return CourseFactory(display_name="Certificates 101", org="TestX")


@pytest.fixture
def instructor(course):
    return RoleFactory(course_id=course.id, role="instructor", user__username="instructor").user


@pytest.fixture
def course_staff(course):
    return RoleFactory(course_id=course.id, role="staff", user__username="coursestaff").user


@pytest.fixture
def global_staff(db):
    return UserFactory(username="globalstaff", is_staff=True)


@pytest.fixture
def enrolled_learners(course):
    """learner1..learner5, actively enrolled."""
    return [EnrollmentFactory(course_id=course.id, user__username=f"learner{n}").user for n in range(1, 6)]


@pytest.fixture
def api_client():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client
    return make


@pytest.fixture
def course_staff_client(api_client, course_staff):
    return api_client(course_staff)


@pytest.fixture
def instructor_client(api_client, instructor):
    return api_client(instructor)


def csv_file(text, name="upload.csv", encoding="utf-8"):
    """An uploaded file holding ``text``."""
    data = text if isinstance(text, bytes) else text.encode(encoding)
    return SimpleUploadedFile(name, data, content_type="text/csv")


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    """Race tests need a database with concurrent writers; SQLite serialises them, so they run on MariaDB."""
    from django.db import connection  # pylint: disable=import-outside-toplevel

    skip_race = pytest.mark.skip(reason="race test: runs on MariaDB (CERTEXCEPTIONS_TEST_DB=mysql), as CI does")
    skip_worker = pytest.mark.skip(reason="needs a Redis broker and MariaDB: run by `make test-celery`, as CI does")
    for item in items:
        if "mysql_only" in item.keywords and connection.vendor == "sqlite":
            item.add_marker(skip_race)
        if "celery_worker" in item.keywords and not os.environ.get("CERTEXCEPTIONS_CELERY_BROKER"):
            item.add_marker(skip_worker)


def pytest_terminal_summary(terminalreporter, config):
    for line in config.stash.get(RUN_SUMMARY, []):
        terminalreporter.write_line(line)
