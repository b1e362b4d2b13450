"""
External ids and invitation uploads under concurrency (MariaDB): two requests cannot both claim one id, the database's
unique index decides; ids swapped at once end held once each; a learner joining by code while a roster enrols them is
enrolled once.
"""
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
from certexceptions_plugin.join_codes.models import JoinCode
from certexceptions_plugin.standalone.host import StandaloneHost
from certexceptions_plugin.standalone.models import CourseEnrollment
from tests.concurrency import run_together
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.invitations import give, ids, invited, rows_by_number, uploader


pytestmark = pytest.mark.mysql_only


@pytest.fixture
def course(transactional_db):  # the race needs real commits, seen by the other threads' connections
    return CourseFactory()


@pytest.fixture(autouse=True)
def racers(course):
    """racer0 and racer1, enrolled in the course."""
    return [EnrollmentFactory(course_id=course.id, user__username=f"racer{n}").user for n in range(2)]


def without_import_lock():
    """The per-course import lock would turn a second upload away with 409; take it out to reach the database."""
    return mock.patch("certexceptions_plugin.bulk.engine.import_lock",
                      lambda *args, **kwargs: contextlib.nullcontext(mock.Mock()))


def looked_up_together(count):
    """A patch under which each PATCH waits, once it has looked up who holds the id it claims, until ``count`` have."""
    barrier = threading.Barrier(count, timeout=20)
    original = services._holder_of  # pylint: disable=protected-access

    def holder_then_wait(*args):
        holder = original(*args)
        barrier.wait()
        return holder

    return mock.patch.object(services, "_holder_of", holder_then_wait)


def planned_together(count):
    """A barrier of ``count``, and a patch under which each import waits there once it has planned its rows."""
    barrier = threading.Barrier(count, timeout=20)
    original = importer_module.InvitationImporter.plan

    def plan_then_wait(importer, rows):
        results = original(importer, rows)
        barrier.wait()
        return results

    return barrier, mock.patch.object(importer_module.InvitationImporter, "plan", plan_then_wait)


def import_roster(course, actor, roster):
    return lambda: pipeline.run(INVITATIONS, course_key=course.id, actor=actor, options={},
                                upload=io.BytesIO(roster.encode()))


def held_once(course):
    """Every id is held once, and every owner holds one id at most."""
    records = list(ExternalId.objects.filter(course_key=course.id).exclude(external_id=None))
    keys = [record.external_id.lower() for record in records]
    owners = [record.user_id or record.email for record in records]
    return len(set(keys)) == len(keys) and len(set(owners)) == len(owners)


class TestConcurrentClaims:

    def test_two_patches_cannot_both_claim_one_id(self, course, course_staff):
        def claim(username):
            return lambda: services.set_external_id(course_key=course.id, actor=course_staff,
                                                    learner=username, external_id="RACE1")

        with looked_up_together(2):  # both requests have seen the id as free before either writes
            results = run_together([claim("racer0"), claim("racer1")])
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], PluginError) and errors[0].error_code == "external_id_taken"
        assert errors[0].http_status == 409
        assert ExternalId.objects.filter(course_key=course.id, external_id="RACE1").count() == 1

    def test_two_imports_cannot_both_claim_one_id(self, course, course_staff):
        def upload(email):
            return import_roster(course, course_staff, f"email,external_id\n{email},RACE2\nx{email},{email}-2\n")

        _, together = planned_together(2)  # both imports plan the id as free
        with together, without_import_lock():
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


class TestConcurrentSwaps:
    """racer0 holds SWAP-A and racer1 SWAP-B; they swap, at once, through the API's two ways of setting ids."""

    @pytest.fixture(autouse=True)
    def held_ids(self, course, racers):
        give(course.id, "SWAP-A", user=racers[0])
        give(course.id, "SWAP-B", user=racers[1])

    SWAP = "email,external_id\nracer0@example.com,SWAP-B\nracer1@example.com,SWAP-A\n"

    def test_two_patches_claiming_each_others_id_at_once_are_both_409(self, course, course_staff):
        def claim(username, external_id):
            return lambda: services.set_external_id(course_key=course.id, actor=course_staff, learner=username,
                                                    external_id=external_id)

        with looked_up_together(2):
            results = run_together([claim("racer0", "SWAP-B"), claim("racer1", "SWAP-A")])
        assert all(isinstance(r, PluginError) and r.error_code == "external_id_taken" for r in results), results
        assert ids(course.id) == {"racer0": "SWAP-A", "racer1": "SWAP-B"}

    def test_two_imports_of_one_swap_at_once_swap_once(self, course, course_staff):
        _, together = planned_together(2)
        with together, without_import_lock():
            results = run_together([import_roster(course, course_staff, self.SWAP)] * 2)
        assert not any(isinstance(r, Exception) for r in results), results
        assert ids(course.id) == {"racer0": "SWAP-B", "racer1": "SWAP-A"} and held_once(course)

    def test_an_import_swapping_while_a_patch_moves_one_of_the_ids(self, course, course_staff):
        barrier, together = planned_together(2)
        original = services._write  # pylint: disable=protected-access

        def write_when_planned(*args):
            barrier.wait()  # the import has planned its swap from the ids as they were
            original(*args)

        def move():
            return services.set_external_id(course_key=course.id, actor=course_staff, learner="racer0",
                                            external_id="SWAP-C")

        with together, mock.patch.object(services, "_write", write_when_planned):
            results = run_together([import_roster(course, course_staff, self.SWAP), move])
        assert not any(isinstance(r, Exception) for r in results), results
        assert ids(course.id)["racer1"] == "SWAP-A" and ids(course.id)["racer0"] in ("SWAP-B", "SWAP-C")
        assert held_once(course)


class TestJoinDuringAnUpload:

    def test_a_learner_joining_while_a_roster_enrols_them_is_enrolled_once(self, course, course_staff, api_client):
        joiner = UserFactory(username="joiner", email="joiner@example.com")  # an account, not enrolled yet
        join_code = JoinCode.objects.create(course_key=course.id, code="B123-C456")
        enrolling = threading.Barrier(2, timeout=20)
        original = StandaloneHost.enroll

        def enroll_together(host, **kwargs):
            if any(learner.id == joiner.id for learner in kwargs["learners"]):
                enrolling.wait()  # both have found the joiner not enrolled, and enrol them now
            return original(host, **kwargs)

        roster = "email,external_id\njoiner@example.com,J1\nnew@example.com,N1\nracer0@example.com,R0\n"
        upload = uploader(api_client(course_staff), course)
        learner = api_client(joiner)
        with mock.patch.object(StandaloneHost, "enroll", enroll_together):
            uploaded, joined = run_together([lambda: upload(roster),
                                             lambda: learner.post(f"/api/course_join/v1/codes/{join_code.code}")])
        assert joined.status_code == 200 and joined.json()["status"] == "enrolled", joined.content
        rows = rows_by_number(uploaded)
        assert [rows[n]["outcome"] for n in (2, 3, 4)] == ["enrolled", "invited", "existing_enrollment"]
        assert CourseEnrollment.objects.filter(course_id=course.id, user=joiner, is_active=True).count() == 1
        assert JoinCode.objects.get(pk=join_code.pk).join_count == 1
        assert ids(course.id) == {"joiner": "J1", "new@example.com": "N1", "racer0": "R0"}
        assert invited(course.id) == {"new@example.com": True}
