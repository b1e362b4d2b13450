"""Two certificate-exception uploads for one course at once: the course's import lock lets one run (MariaDB)."""
import threading
import time
from unittest import mock

import pytest

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.certificates.importer import CertificateExceptionImporter
from certexceptions_plugin.standalone.models import CertificateAllowlist
from tests.certificates import post_file
from tests.concurrency import run_together
from tests.factories import CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.mysql_only

LEARNERS = 20


@pytest.fixture
def course(transactional_db):  # the race needs real commits, seen by the other threads' connections
    return CourseFactory()


@pytest.fixture(autouse=True)
def learners(course):
    return [EnrollmentFactory(course_id=course.id, user__username=f"racer{n}").user for n in range(LEARNERS)]


@pytest.fixture
def slow_plans():
    """The first upload to plan waits there until the other upload has been answered."""
    answered = threading.Event()
    original = CertificateExceptionImporter.plan

    def plan_then_wait(importer, rows):
        answered.wait(timeout=20)
        return original(importer, rows)

    with mock.patch.object(CertificateExceptionImporter, "plan", plan_then_wait):
        yield answered


def test_two_uploads_at_once_one_runs_and_the_other_is_409(course, instructor, api_client, learners, slow_plans):
    roster = "username,notes\n" + "".join(f"{learner.username},race\n" for learner in learners)

    def upload():
        client = api_client(instructor)
        client.raise_request_exception = False  # an unexpected exception is a 500 here, as for a real client
        response = post_file(client, course, roster)
        if response.status_code != 200:
            slow_plans.set()  # this one was answered first: let the other go on
        return response

    started = time.monotonic()
    responses = run_together([upload, upload])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409], [response.content for response in responses]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["error_code"] == "import_in_progress"
    granted = next(response for response in responses if response.status_code == 200)
    assert granted.json()["summary"]["granted"] == LEARNERS
    assert time.monotonic() - started < 20  # the refused upload did not wait for the other
    assert CertificateAllowlist.objects.filter(course_id=course.id).count() == LEARNERS
    assert AuditEvent.objects.filter(course_key=course.id, action="certificate_exception.granted").count() == LEARNERS
    assert BulkOperation.objects.filter(course_key=course.id, status=BulkOperation.SUCCEEDED).count() == 1
