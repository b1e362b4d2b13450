"""What the certificate-exception tests share: uploading a file, and reading back the allowlist."""
from django.urls import reverse

from certexceptions_plugin.standalone.models import CertificateAllowlist
from tests.conftest import csv_file


def url(course_id):
    return reverse("certificate_exception_imports", kwargs={"course_id": str(course_id)})


def post_file(client, course, text, name="exceptions.csv", **data):
    return client.post(url(course.id), {"file": csv_file(text, name=name), **data}, format="multipart")


def rows_by_learner(response):
    assert response.status_code == 200, response.content
    return {row["learner"]: row for row in response.json()["rows"]}


def allowlist(course):
    """username -> notes of the course's enabled allowlist entries."""
    return dict(CertificateAllowlist.objects.filter(course_id=course.id, allowlist=True)
                .values_list("user__username", "notes"))
