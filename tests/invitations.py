"""Uploading a roster of invitations, and reading the state it leaves: shared by the invitation import tests."""
from django.urls import reverse

from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone.models import CourseEnrollment, CourseEnrollmentAllowed
from tests.conftest import csv_file


def url(course, name="bulk_invitations"):
    return reverse(name, kwargs={"course_id": str(course.id)})


def uploader(client, course):
    """A function that uploads a roster to the course with this client."""
    def upload(text, name="roster.csv", **data):
        return client.post(url(course), {"file": csv_file(text, name=name), **data}, format="multipart")
    return upload


def rows_by_number(response):
    assert response.status_code == 200, response.content
    return {row["row"]: row for row in response.json()["rows"]}


def give(course_key, external_id, *, user=None, email=None):
    return ExternalId.objects.create(course_key=course_key, external_id=external_id, user=user, email=email)


def invite(course_key, email, auto_enroll=True):
    CourseEnrollmentAllowed.objects.create(course_id=course_key, email=email, auto_enroll=auto_enroll)


def ids(course_key):
    """owner (username, or email while pending) -> external id, in this course."""
    return {
        (record.user.username if record.user_id else record.email): record.external_id
        for record in ExternalId.objects.filter(course_key=course_key).select_related("user")
    }


def enrolled(course_key):
    return set(CourseEnrollment.objects.filter(course_id=course_key, is_active=True)
               .values_list("user__username", flat=True))


def invited(course_key):
    return dict(CourseEnrollmentAllowed.objects.filter(course_id=course_key, user__isnull=True)
                .values_list("email", "auto_enroll"))
