"""Writing many rows in one statement, as bulk_create would write them."""
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
from certexceptions_plugin.db import insert_many, update_many
from certexceptions_plugin.invitations.models import ExternalId
from tests.factories import UserFactory


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


class TestUpdateMany:
    """Rows updated by primary key, in one statement (or a few on MySQL), as bulk_update would leave them."""

    @staticmethod
    def operation_rows(course, count):
        operation = BulkOperation.objects.create(kind="k", course_key=course.id)
        insert_many(BulkOperationRow, ("row", "outcome"), [(n, "planned") for n in range(count)],
                    same={"operation": operation.pk})
        return list(BulkOperationRow.objects.filter(operation=operation).order_by("row"))

    def test_each_row_gets_its_values_and_the_shared_ones(self, course):
        first, second, untouched = self.operation_rows(course, 3)
        update_many(BulkOperationRow, ("outcome", "fields"),
                    [(first.pk, "granted", {"n": 1}), (second.pk, "failed", {})], same={"message": "done"})
        rows = {row.pk: (row.outcome, row.fields, row.message) for row in BulkOperationRow.objects.all()}
        assert rows == {first.pk: ("granted", {"n": 1}, "done"), second.pk: ("failed", {}, "done"),
                        untouched.pk: ("planned", {}, "")}

    def test_more_rows_than_one_statement_holds(self, course, monkeypatch):
        monkeypatch.setattr("certexceptions_plugin.db.MYSQL_UPDATE_ROWS", 2)
        rows = self.operation_rows(course, 5)
        update_many(BulkOperationRow, ("outcome",), [(row.pk, f"o{row.row}") for row in rows])
        assert list(BulkOperationRow.objects.order_by("row").values_list("outcome", flat=True)) == [
            "o0", "o1", "o2", "o3", "o4"]

    def test_a_unique_index_still_guards_the_rows(self, course):
        first, second = self.operation_rows(course, 2)
        with pytest.raises(IntegrityError), transaction.atomic():
            update_many(BulkOperationRow, ("row",), [(first.pk, second.row)])
        assert list(BulkOperationRow.objects.order_by("row").values_list("row", flat=True)) == [0, 1]

    @pytest.mark.django_db
    def test_nothing_to_update_sends_nothing(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            update_many(BulkOperationRow, ("outcome",), [])

    def test_null_and_values_mix_in_one_column(self, course):
        """On MySQL the rows' values form a derived table, whose column types the first row does not fix alone."""
        user = UserFactory()
        pending = ExternalId.objects.create(course_key=course.id, email="a@example.com", external_id="A")
        linked = ExternalId.objects.create(course_key=course.id, user=user, external_id="B")
        update_many(ExternalId, ("user", "email", "external_id"),
                    [(pending.pk, None, "b@example.com", "A2"), (linked.pk, user.id, None, "B2")])
        assert set(ExternalId.objects.values_list("user", "email", "external_id")) == {
            (None, "b@example.com", "A2"), (user.id, None, "B2")}
