"""With ATOMIC_REQUESTS on, an import still commits chunk by chunk: a failure keeps the chunks already written."""
import pytest
from django.test import override_settings
from django.urls import reverse

from certexceptions_plugin.bulk import engine
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone.models import CertificateAllowlist
from tests.conftest import csv_file
from tests.factories import EnrollmentFactory

CHUNK = 2


@pytest.fixture
def fail_in_chunk_5(monkeypatch):
    """The fifth chunk's audit write fails, after its rows were written."""
    calls = []
    record_events = engine.record_events

    def failing(records):
        calls.append(records)
        if len(calls) == 5:
            raise RuntimeError("the database went away")
        record_events(records)

    monkeypatch.setattr(engine, "record_events", failing)


@override_settings(CERTEXCEPTIONS_CHUNK_SIZE=CHUNK)
@pytest.mark.usefixtures("fail_in_chunk_5")
def test_certificate_import_keeps_the_chunks_before_a_failure(course, instructor, api_client):
    learners = [EnrollmentFactory(course_id=course.id).user for _ in range(6 * CHUNK)]
    client = api_client(instructor)
    client.raise_request_exception = False
    response = client.post(reverse("certificate_exception_imports", kwargs={"course_id": str(course.id)}),
                           {"file": csv_file("\n".join(learner.username for learner in learners))})
    assert response.status_code == 500
    granted = set(CertificateAllowlist.objects.filter(course_id=course.id).values_list("user_id", flat=True))
    assert granted == {learner.id for learner in learners[:4 * CHUNK]}


@override_settings(CERTEXCEPTIONS_CHUNK_SIZE=CHUNK)
@pytest.mark.usefixtures("fail_in_chunk_5")
def test_invitation_import_keeps_the_chunks_before_a_failure(course, course_staff, api_client):
    rows = [f"person{n}@example.com,,S{n:04}" for n in range(6 * CHUNK)]
    client = api_client(course_staff)
    client.raise_request_exception = False
    response = client.post(reverse("bulk_invitations", kwargs={"course_id": str(course.id)}),
                           {"file": csv_file("email,name,external_id\n" + "\n".join(rows))})
    assert response.status_code == 500
    stored = set(ExternalId.objects.filter(course_key=course.id).values_list("external_id", flat=True))
    assert stored == {f"S{n:04}" for n in range(4 * CHUNK)}
