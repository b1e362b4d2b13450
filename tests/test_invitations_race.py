"""Two concurrent requests cannot both claim one external id: the database's unique index decides (MariaDB)."""
import contextlib
import io
import threading
from unittest import mock

import pytest

from certexceptions_plugin.bulk import pipeline
from certexceptions_plugin.invitations import importer as importer_module
from certexceptions_plugin.invitations import services
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.errors import PluginError
from tests.concurrency import run_together
from tests.factories import CourseFactory, EnrollmentFactory


pytestmark = pytest.mark.mysql_only


@pytest.fixture
def course(transactional_db):  # the race needs real commits, seen by the other threads' connections
    return CourseFactory()


@pytest.fixture(autouse=True)
def racers(course):
    """racer0 and racer1, enrolled in the course."""
    return [EnrollmentFactory(course_id=course.id, user__username=f"racer{n}").user for n in range(2)]


class TestConcurrentClaims:

    def test_two_patches_cannot_both_claim_one_id(self, course, course_staff):
        barrier = threading.Barrier(2, timeout=20)
        original = services._holder_of  # pylint: disable=protected-access

        def holder_then_wait(*args):
            holder = original(*args)
            barrier.wait()  # both requests have seen the id as free before either writes
            return holder

        def claim(username):
            return lambda: services.set_external_id(course_key=course.id, actor=course_staff,
                                                    learner=username, external_id="RACE1")

        with mock.patch.object(services, "_holder_of", holder_then_wait):
            results = run_together([claim("racer0"), claim("racer1")])
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], PluginError) and errors[0].error_code == "external_id_taken"
        assert errors[0].http_status == 409
        assert ExternalId.objects.filter(course_key=course.id, external_id="RACE1").count() == 1

    def test_two_imports_cannot_both_claim_one_id(self, course, course_staff):
        barrier = threading.Barrier(2, timeout=20)
        original = importer_module.InvitationImporter.plan

        def plan_then_wait(importer, rows):
            results = original(importer, rows)
            barrier.wait()  # both imports planned the id as free
            return results

        def upload(email):
            roster = f"email,external_id\n{email},RACE2\nx{email},{email}-2\n".encode()
            return lambda: pipeline.run(INVITATIONS, course_key=course.id, actor=course_staff, options={},
                                        upload=io.BytesIO(roster))

        # The per-course import lock would turn one upload away with 409; take it out to reach the database.
        with mock.patch.object(importer_module.InvitationImporter, "plan", plan_then_wait), \
                mock.patch("certexceptions_plugin.bulk.engine.import_lock",
                           lambda *args, **kwargs: contextlib.nullcontext(mock.Mock())):
            results = run_together([upload("racer0@example.com"), upload("racer1@example.com")])
        assert not any(isinstance(r, Exception) for r in results), results
        first_rows = [result.rows[0] for result in results]
        assert sorted(row.outcome for row in first_rows) == ["existing_enrollment", "failed"]
        failed = next(row for row in first_rows if row.failed)
        assert failed.reason == "external_id_taken"
        # the other rows of the losing file were still written
        assert all(result.rows[1].outcome == "invited" for result in results)
        assert ExternalId.objects.filter(course_key=course.id, external_id="RACE2").count() == 1
        assert ExternalId.objects.filter(course_key=course.id).count() == 3
