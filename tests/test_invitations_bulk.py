"""Large rosters: above CERTEXCEPTIONS_SYNC_MAX_ROWS they run as a background operation; queries stay bounded."""
import pytest

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.bulk.reader import CsvRow
from certexceptions_plugin.invitations.importer import InvitationImporter, parse_header
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone.models import CourseEnrollment
from tests.factories import UserFactory
from tests.invitations import give, ids, uploader

# As in every roster test: a course with its course staff, and learner1..learner5 enrolled.
pytestmark = pytest.mark.usefixtures("course_staff", "enrolled_learners")


@pytest.fixture
def upload(course_staff_client, course):
    return uploader(course_staff_client, course)


class TestBackground:

    def test_large_upload_runs_in_the_background(self, upload, course, settings, django_capture_on_commit_callbacks):
        settings.CERTEXCEPTIONS_SYNC_MAX_ROWS = 2
        with django_capture_on_commit_callbacks(execute=True):
            response = upload("email,external_id\na@example.com,A\nb@example.com,B\nlearner1@example.com,S\n",
                              existing_external_ids="keep")
        assert response.status_code == 202, response.content
        operation = BulkOperation.objects.get(id=response.json()["id"])
        assert operation.status == "succeeded" and operation.kind == "invitations"
        assert operation.summary["invited"] == 2 and operation.summary["existing_enrollment"] == 1
        assert ids(course.id) == {"a@example.com": "A", "b@example.com": "B", "learner1": "S"}

    def test_a_large_file_with_a_bad_header_is_rejected_before_any_operation(self, upload, settings,
                                                                             django_capture_on_commit_callbacks):
        settings.CERTEXCEPTIONS_SYNC_MAX_ROWS = 1
        with django_capture_on_commit_callbacks(execute=True):
            response = upload("email,phone\na@example.com,1\nb@example.com,2\n")
        assert response.status_code == 400 and response.json()["error_code"] == "bad_header"
        assert not BulkOperation.objects.exists()


class TestQueryCount:

    def test_thousand_rows_take_a_bounded_number_of_queries(self, upload, course, settings,
                                                            django_assert_max_num_queries):
        settings.CERTEXCEPTIONS_CHUNK_SIZE = 500
        users = UserFactory.create_batch(500)
        CourseEnrollment.objects.bulk_create(CourseEnrollment(user=u, course_id=course.id) for u in users)
        ExternalId.objects.bulk_create(ExternalId(course_key=course.id, user=u, external_id=f"OLD{i}")
                                       for i, u in enumerate(users))
        # 500 enrolled learners each take the next one's old id (a rotation), and 500 new invitees
        text = "email,external_id\n" + "".join(
            f"{u.email},OLD{(i + 1) % 500}\n" for i, u in enumerate(users)) + "".join(
            f"new{i}@example.com,NEW{i}\n" for i in range(500))
        # Whether the course holds ids; per chunk, in each of the two passes: accounts and current ids (and, in the
        # second, enrolments, invitations and retired emails); in the first, who holds the claimed ids; then per
        # transaction the id writes (clear, update, insert), the invitations (look-up, insert, accounts,
        # manual-enrolment audit), the audit rows and the stored row results (SQLite splits the bulk update of ids
        # under its 999 bound parameters). Per-row work would be thousands.
        with django_assert_max_num_queries(41):
            response = upload(text)
        summary = response.json()["summary"]
        assert summary["existing_enrollment"] == 500 and summary["invited"] == 500 and summary["failed"] == 0
        assert summary["external_id_updated"] == 1000  # 500 replaced, 500 set for the first time
        assert ExternalId.objects.filter(course_key=course.id).count() == 1000
        assert ExternalId.objects.get(user=users[0]).external_id == "OLD1"
        assert AuditEvent.objects.count() == 1500  # 500 changed, 500 invited, 500 set

    def test_thousand_rows_to_enrol_and_invite_take_a_bounded_number_of_queries(self, upload, course, settings,
                                                                                django_assert_max_num_queries):
        settings.CERTEXCEPTIONS_CHUNK_SIZE = 500
        users = UserFactory.create_batch(500)  # accounts, not enrolled yet
        text = "email,external_id\n" + "".join(f"{u.email},E{i}\n" for i, u in enumerate(users)) + "".join(
            f"new{i}@example.com,N{i}\n" for i in range(500))
        # As above, but in one pass (the course holds no id yet, so no claim can involve another row), and per
        # transaction the enrolments: enrolments and invitations of the learners, the enrolment rows (inserted, then
        # read back), the manual-enrolment audit.
        with django_assert_max_num_queries(37):
            response = upload(text)
        summary = response.json()["summary"]
        assert summary["enrolled"] == 500 and summary["invited"] == 500 and summary["failed"] == 0
        assert CourseEnrollment.objects.filter(course_id=course.id, user__in=users, is_active=True).count() == 500
        assert ExternalId.objects.filter(course_key=course.id).count() == 1000

    def test_enrolling_accounts_queries_their_ids_per_chunk_not_per_row(self, upload, course, settings):
        from django.db import connection  # pylint: disable=import-outside-toplevel
        from django.test.utils import CaptureQueriesContext  # pylint: disable=import-outside-toplevel
        settings.CERTEXCEPTIONS_CHUNK_SIZE = 500
        users = UserFactory.create_batch(300)  # accounts, not enrolled yet: the import enrols them
        text = "email,external_id\n" + "".join(f"{u.email},E{i}\n" for i, u in enumerate(users))
        with CaptureQueriesContext(connection) as queries:
            summary = upload(text).json()["summary"]
        assert summary["enrolled"] == 300
        id_selects = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")
                      and 'FROM "certexceptions_plugin_externalid"' in q["sql"].replace("`", '"')]
        assert len(id_selects) <= 4, len(id_selects)  # per pass: the rows' current ids, and the claimed ids


class TestFirstPass:
    """The file is planned in a first pass only where the course holds ids a claim could involve."""

    @staticmethod
    def prepare(course, rows):
        importer = InvitationImporter(course_key=course.id, actor=None, columns=parse_header(("email", "external_id")))
        importer.prepare(rows)
        return importer

    def test_a_course_holding_no_id_is_read_once(self, course):
        rows = iter([CsvRow(number=2, cells=("a@example.com", "A"))])
        self.prepare(course, rows)
        assert next(rows, None) is not None

    def test_a_course_holding_ids_settles_the_claims_first(self, course, enrolled_learners):
        give(course.id, "A", user=enrolled_learners[0])
        rows = iter([CsvRow(number=2, cells=("new@example.com", "A"))])
        importer = self.prepare(course, rows)
        assert next(rows, None) is None
        assert importer.taken == {2: "learner1"}
