"""Writing many rows in one statement, as bulk_create would write them."""
from django.utils import timezone

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
from certexceptions_plugin.db import insert_many


def test_rows_are_written_with_the_shared_values_the_defaults_and_the_time(course):
    operation = BulkOperation.objects.create(kind="k", course_key=course.id)
    before = timezone.now()
    insert_many(BulkOperationRow, ("row", "outcome", "reason", "fields"),
                [(1, "granted", None, {"notes": "a"}), (2, "failed", "user_not_found", {})],
                same={"operation": operation.pk})
    rows = list(BulkOperationRow.objects.filter(operation=operation).values("row", "outcome", "reason", "message",
                                                                         "fields"))
    assert rows == [{"row": 1, "outcome": "granted", "reason": None, "message": "", "fields": {"notes": "a"}},
                    {"row": 2, "outcome": "failed", "reason": "user_not_found", "message": "", "fields": {}}]
    insert_many(AuditEvent, ("action", "before", "after"), [("x", None, {"notes": "n"})],
                same={"course_key": course.id})
    event = AuditEvent.objects.get()
    assert event.created >= before and event.before is None and event.after == {"notes": "n"}
    assert event.course_key == course.id


def test_conflicting_rows_are_skipped_when_asked(course):
    operation = BulkOperation.objects.create(kind="k", course_key=course.id)
    fields, same = ("row", "outcome"), {"operation": operation.pk}
    insert_many(BulkOperationRow, fields, [(1, "granted")], same=same)
    insert_many(BulkOperationRow, fields, [(1, "failed"), (2, "granted")], same=same, ignore_conflicts=True)
    assert list(BulkOperationRow.objects.values_list("row", "outcome")) == [(1, "granted"), (2, "granted")]


def test_nothing_to_insert_sends_nothing(db, django_assert_num_queries):  # pylint: disable=unused-argument
    with django_assert_num_queries(0):
        insert_many(BulkOperationRow, ("row",), [])
