"""The bulk certificate-exceptions endpoint end to end over the openedx adapter and the fake LMS."""
from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from certexceptions_plugin.audit.models import AuditEvent
from tests.conftest import csv_file

OPENEDX_HOST = "certexceptions_plugin.host.openedx.OpenedxHost"


@pytest.fixture
def lms(db, openedx_lms, settings):  # pylint: disable=unused-argument
    settings.CERTEXCEPTIONS_HOST = OPENEDX_HOST
    return openedx_lms


def test_bulk_grant_writes_through_the_lms_certificates_api(lms):
    import lms.djangoapps.certificates.api as certificates_api  # pylint: disable=import-outside-toplevel

    course = lms.course()
    instructor = lms.user("instructor")
    lms.role(instructor, course, "instructor")
    ada, bob, carol = (lms.user(name) for name in ("ada", "bob", "carol"))
    for learner in (ada, bob):
        lms.enroll(learner, course)
    lms.allowlist(bob, course, notes="old")
    client = APIClient()
    client.force_authenticate(instructor)
    url = reverse("certificate_exception_imports", kwargs={"course_id": str(course)})
    upload = "username_or_email,notes\nada,Medical leave\nbob@example.com,Extension\ncarol,\nnobody,\n"

    with mock.patch.object(certificates_api, "create_or_update_certificate_allowlist_entry",
                           wraps=certificates_api.create_or_update_certificate_allowlist_entry) as lms_grant:
        response = client.post(url, {"file": csv_file(upload)}, format="multipart")

    assert response.status_code == 200, response.content
    outcomes = {row["learner"]: (row["outcome"], row["reason"]) for row in response.json()["rows"]}
    assert outcomes == {
        "ada": ("granted", None), "bob@example.com": ("updated", None),
        "carol": ("failed", "not_enrolled"), "nobody": ("failed", "user_not_found"),
    }
    assert sorted((call.args[0].username, call.args[1], call.args[2]) for call in lms_grant.call_args_list) == [
        ("ada", course, "Medical leave"), ("bob", course, "Extension"),
    ]
    assert lms.allowlist_rows(course) == {ada.id: (True, "Medical leave"), bob.id: (True, "Extension")}
    assert sorted(AuditEvent.objects.values_list("learner_username", "course_key")) == [
        ("ada", course), ("bob", course),
    ]


def test_permission_comes_from_the_lms_rules(lms):
    course = lms.course()
    staff = lms.user("coursestaff")
    lms.role(staff, course, "staff")
    client = APIClient()
    client.force_authenticate(staff)
    url = reverse("certificate_exception_imports", kwargs={"course_id": str(course)})
    response = client.post(url, {"file": csv_file("ada\n")}, format="multipart")
    assert response.status_code == 403


def test_a_course_whose_overview_is_not_built_yet_is_found(lms):
    course = lms.course(overview=False)
    instructor = lms.user("instructor")
    lms.role(instructor, course, "instructor")
    ada = lms.user("ada")
    lms.enroll(ada, course)
    client = APIClient()
    client.force_authenticate(instructor)
    url = reverse("certificate_exception_imports", kwargs={"course_id": str(course)})
    response = client.post(url, {"file": csv_file("ADA,Medical leave\n")}, format="multipart")
    assert response.status_code == 200, response.content
    assert [row["outcome"] for row in response.json()["rows"]] == ["granted"]
