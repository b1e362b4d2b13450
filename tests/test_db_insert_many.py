"""db.insert_many: rows written in one statement, with what bulk_create would give each field."""
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.db import insert_many
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone.models import CourseEnrollment
from tests.factories import UserFactory


def test_rows_get_the_shared_values_defaults_and_timestamps_in_one_statement(course):
    users = UserFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        insert_many(CourseEnrollment, ["user"], [(user.id,) for user in users], same={"course_id": course.id})
    assert len(queries) == 1
    enrollments = CourseEnrollment.objects.filter(course_id=course.id)
    assert sorted(enrollments.values_list("user_id", flat=True)) == sorted(user.id for user in users)
    assert all(e.is_active and e.mode == "audit" and e.created is not None for e in enrollments)


def test_values_are_prepared_by_their_field(course):
    insert_many(ExternalId, ["external_id", "email"], [(5, "a@example.com")], same={"course_key": course.id})
    insert_many(AuditEvent, ["action", "after"], [("external_id.set", {"external_id": "S1"})],
                same={"course_key": course.id})
    record = ExternalId.objects.get(course_key=course.id)
    assert record.external_id == "5" and record.created is not None and record.modified is not None
    assert AuditEvent.objects.get(course_key=course.id).after == {"external_id": "S1"}


def test_ignore_conflicts_skips_the_rows_a_unique_constraint_refuses(course):
    user = UserFactory()
    CourseEnrollment.objects.create(user=user, course_id=course.id, is_active=False)
    other = UserFactory()
    insert_many(CourseEnrollment, ["user"], [(user.id,), (other.id,)], same={"course_id": course.id},
                ignore_conflicts=True)
    assert not CourseEnrollment.objects.get(user=user).is_active  # the existing row is left as it was
    assert CourseEnrollment.objects.filter(user=other, course_id=course.id).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many(CourseEnrollment, ["user"], [(user.id,)], same={"course_id": course.id})


def test_no_rows_no_statement(course):
    with CaptureQueriesContext(connection) as queries:
        insert_many(CourseEnrollment, ["user"], [], same={"course_id": course.id})
    assert not queries
