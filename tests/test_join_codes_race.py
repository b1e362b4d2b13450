"""
Join codes under concurrency: real threads with their own database connections (MariaDB; SQLite would
serialise the writers and hide the races).
"""
import threading
import time
from unittest import mock

import pytest

from certexceptions_plugin.join_codes import services
from certexceptions_plugin.join_codes.models import JoinCode
from certexceptions_plugin.errors import PluginError
from certexceptions_plugin.standalone.host import StandaloneHost
from certexceptions_plugin.standalone.models import CourseEnrollment
from tests.concurrency import run_together
from tests.factories import CourseFactory, UserFactory

pytestmark = [pytest.mark.mysql_only, pytest.mark.usefixtures("transactional_db")]

CODE = "B123-C456"


def outcome(result):
    return result.error_code if isinstance(result, PluginError) else getattr(result, "status", repr(result))


@pytest.fixture
def slow_enrollments(monkeypatch):
    """Enrol after a pause, so that an unguarded check-then-enrol would let concurrent joins through."""
    real_enroll = StandaloneHost.enroll

    def slow_enroll(self, **kwargs):
        time.sleep(0.2)
        real_enroll(self, **kwargs)
    monkeypatch.setattr(StandaloneHost, "enroll", slow_enroll)


@pytest.fixture
def course(transactional_db):  # the race needs real commits, seen by the other threads' connections
    return CourseFactory()


@pytest.fixture
def join_code(course):
    return JoinCode.objects.create(course_key=course.id, code=CODE)


@pytest.mark.usefixtures("slow_enrollments")
class TestConcurrentJoins:

    def test_same_user_twice_at_once_enrols_once(self, course, join_code):
        user = UserFactory()
        results = run_together([lambda: services.join(code=CODE, user=user)] * 2)
        assert sorted(map(outcome, results)) == ["already_enrolled", "enrolled"]
        assert CourseEnrollment.objects.filter(user=user, course_id=course.id).count() == 1
        assert JoinCode.objects.get(pk=join_code.pk).join_count == 1

    def test_maximum_never_exceeded(self, course, join_code):
        JoinCode.objects.filter(pk=join_code.pk).update(max_enrollments=3)
        users = [UserFactory() for _ in range(8)]
        results = run_together([lambda user=user: services.join(code=CODE, user=user) for user in users])
        assert sorted(map(outcome, results)) == ["course_full"] * 5 + ["enrolled"] * 3
        assert CourseEnrollment.objects.filter(course_id=course.id).count() == 3
        assert JoinCode.objects.get(pk=join_code.pk).join_count == 3


class TestConcurrentCodes:

    def test_concurrent_creates_make_one_code(self):
        course = CourseFactory()
        staff = [UserFactory(is_staff=True) for _ in range(4)]
        results = run_together([lambda actor=actor: services.create_join_code(course_key=course.id, actor=actor)
                                for actor in staff])
        assert all(isinstance(result, tuple) for result in results), results
        assert sorted(created for _, created in results) == [False, False, False, True]
        assert len({info.code for info, _ in results}) == 1
        assert JoinCode.objects.filter(course_key=course.id).count() == 1

    def test_collision_only_the_index_sees_is_retried(self):
        """Two courses regenerate at once and draw the same code: the unique index refuses one, which retries."""
        courses = [CourseFactory() for _ in range(2)]
        for n, course in enumerate(courses):
            JoinCode.objects.create(course_key=course.id, code=f"D00{n}-F000")
        drawn = threading.Barrier(2)
        local = threading.local()

        def generator():
            local.calls = getattr(local, "calls", 0) + 1
            if local.calls == 1:
                drawn.wait()  # both threads hold the same fresh code before either saves it
                return "G555-H555"
            return f"J{threading.get_ident() % 1000:03d}-L{local.calls:03d}"

        actor = UserFactory(is_staff=True)
        with mock.patch("certexceptions_plugin.join_codes.services.codes.generate_code", generator):
            results = run_together([lambda course=course: services.regenerate_join_code(course_key=course.id,
                                                                                        actor=actor)
                                    for course in courses])
        codes = sorted(result.code for result in results)
        assert len(set(codes)) == 2 and "G555-H555" in codes, results
        assert sorted(JoinCode.objects.values_list("code", flat=True)) == codes
