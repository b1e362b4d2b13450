"""
Retirement on the standalone host, in detail: what is kept and what is replaced, failures that never reach the
LMS's view and are finished by ``retire_learner_data``, uploads of running imports, the stand-in's ``retire``.
(The whole "no trace left" check runs on both hosts in tests/contract/test_retirement_over_hosts.py.)
"""
import io
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from certexceptions_plugin.audit.api import AuditRecord, record_events
from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk import operations, pipeline
from certexceptions_plugin.bulk.kinds import KINDS
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.privacy import retirement
from certexceptions_plugin.privacy.models import UnfinishedRetirement
from certexceptions_plugin.standalone import retirement as standalone_retirement
from certexceptions_plugin.standalone.host import StandaloneHost
from certexceptions_plugin.standalone.models import CourseEnrollmentAllowed, UserRetirementStatus
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory

LOGGER = "certexceptions_plugin.privacy.retirement"


@pytest.fixture(autouse=True)
def _own_upload_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def staff(db):
    return UserFactory(username="staffer")


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", email="Ada@Example.com")


def roster(course, actor, text, **options):
    return pipeline.run(INVITATIONS, course_key=course.id, actor=actor, options=options,
                        upload=io.BytesIO(text.encode()))


def status_of(user) -> UserRetirementStatus:
    return UserRetirementStatus.objects.get(user=user)


def broken(*args, **kwargs):
    raise RuntimeError("the database went away")


class TestWhatIsKept:

    def test_audit_events_keep_their_history_under_the_retired_names(self, course, staff, ada):
        other = UserFactory(username="bob")
        record_events([
            AuditRecord(actor=staff, course_key=course.id, action="certificate_exception.granted",
                        learner_username="ada", learner_email="Ada@Example.com", after={"notes": "Ada's surgery"}),
            AuditRecord(actor=staff, course_key=course.id, action="invitation.invited", learner_email="ada@example.com",
                        after={"auto_enroll": True, "external_id": "S1"}),
            AuditRecord(actor=ada, course_key=course.id, action="join_code.changed", learner_username="bob",
                        learner_email=other.email, before={"max_enrollments": 3}, after={"max_enrollments": 4}),
        ])
        status = standalone_retirement.retire(ada)
        granted, invited, changed = AuditEvent.objects.order_by("id")
        assert (granted.learner_username, granted.learner_email, granted.after) == (
            status.retired_username, status.retired_email, {"notes": "redacted"})
        assert (invited.learner_username, invited.learner_email, invited.after) == (
            "", status.retired_email, {"auto_enroll": True, "external_id": "redacted"})
        assert (changed.actor_username, changed.learner_username, changed.after) == (
            status.retired_username, "bob", {"max_enrollments": 4})
        assert granted.action == "certificate_exception.granted" and granted.actor_username == "staffer"

    def test_the_learners_rows_keep_their_number_and_outcome(self, course, staff, ada):
        EnrollmentFactory(user=ada, course_id=course.id)
        result = roster(course, staff, "email,name,external_id\nbob@example.com,Bob,B1\nADA@example.com,Ada L.,S1\n")
        status = standalone_retirement.retire(ada)
        bob_row, ada_row = result.rows
        assert (ada_row.row, ada_row.outcome, ada_row.reason) == (3, "existing_enrollment", None)
        assert ada_row.fields == {"email": status.retired_email, "name": "redacted",
                                  "username": status.retired_username, "external_id": "redacted",
                                  "previous_external_id": None, "external_id_updated": True}
        assert ada_row.message == "Personal data removed: this learner's account was retired."
        assert bob_row.fields["email"] == "bob@example.com" and bob_row.fields["name"] == "Bob"

    def test_names_are_replaced_as_whole_words_only(self, course, staff):
        ann = UserFactory(username="ann", email="ann@example.com")
        operation = BulkOperation.objects.create(kind="invitations", course_key=course.id, actor=staff)
        rows = [BulkOperationRow.objects.create(operation=operation, row=number, outcome="failed", message=message,
                                                fields={"email": email})
                for number, (email, message) in enumerate([
                    ("anne@example.com", "The external id X1 already belongs to ann in this course."),
                    ("joanna@example.com", "The external id X2 already belongs to joanna in this course."),
                    ("annie@example.com", "Sent to ann@example.com."),
                ], start=2)]
        status = standalone_retirement.retire(ann)
        messages = [row.message for row in BulkOperationRow.objects.filter(pk__in=[r.pk for r in rows])]
        assert messages == [
            f"The external id X1 already belongs to {status.retired_username} in this course.",
            "The external id X2 already belongs to joanna in this course.",
            f"Sent to {status.retired_email}.",
        ]

    def test_other_people_keep_their_external_ids_and_invitations(self, course, staff, ada):
        roster(course, staff, "email,external_id\nnew@example.com,N1\nada@example.com,S1\n")
        CourseEnrollmentAllowed.objects.create(email="ada@example.com", course_id=course.id)
        standalone_retirement.retire(ada)
        assert list(ExternalId.objects.values_list("email", "external_id")) == [("new@example.com", "N1")]
        # The LMS's own retirement deletes the learner's invitations (CourseEnrollmentAllowed), and only theirs.
        assert list(CourseEnrollmentAllowed.objects.values_list("email", flat=True)) == ["new@example.com"]


class TestFailures:

    def test_a_failure_never_reaches_the_lms_and_is_remembered(self, course, staff, ada, monkeypatch, caplog):
        roster(course, staff, "email,external_id\nada@example.com,S1\n")
        monkeypatch.setattr(retirement, "_scrub_rows", broken)
        with caplog.at_level(logging.ERROR, logger=LOGGER):
            status = standalone_retirement.retire(ada)  # both signals failed in the receiver; retirement went on
        ada.refresh_from_db()
        assert ada.username == status.retired_username and not ada.is_active
        errors = [record for record in caplog.records if record.name == LOGGER]
        assert len(errors) == 2 and all(f"retired user {ada.id};" in record.getMessage() for record in errors)
        assert "ada" not in errors[0].getMessage()
        record = UnfinishedRetirement.objects.get()
        assert (record.user_id, record.original_email, record.retired_username, record.attempts) == (
            ada.id, "Ada@Example.com", status.retired_username, 2)
        assert record.error == "RuntimeError: the database went away"
        # The savepoint undid what the failed attempt had changed.
        assert ExternalId.objects.filter(external_id="S1").exists()

    def test_the_retry_command_finishes_every_pending_retirement(self, course, staff, ada, monkeypatch):
        roster(course, staff, "email,external_id\nada@example.com,S1\n")
        monkeypatch.setattr(retirement, "_scrub_rows", broken)
        status = standalone_retirement.retire(ada)
        monkeypatch.undo()
        output = io.StringIO()
        call_command("retire_learner_data", "--all-pending", stdout=output)
        assert output.getvalue() == (f"user {ada.id} ({status.retired_username}): external ids deleted: 1, audit "
                                     "events pseudonymised: 2, import rows pseudonymised: 1, stored uploads "
                                     "deleted: 0\n")
        assert not ExternalId.objects.exists() and not UnfinishedRetirement.objects.exists()
        call_command("retire_learner_data", "--all-pending", stdout=output)
        assert output.getvalue().endswith("No unfinished retirement.\n")

    def test_the_retry_command_says_which_retirements_still_fail(self, ada, monkeypatch):
        monkeypatch.setattr(retirement, "_scrub_rows", broken)
        standalone_retirement.retire(ada)
        errors = io.StringIO()
        with pytest.raises(CommandError, match=rf"1 of 1 retirements are still unfinished \(users {ada.id}\)"):
            call_command("retire_learner_data", "--all-pending", stderr=errors, stdout=io.StringIO())
        assert "RuntimeError: the database went away" in errors.getvalue()
        assert UnfinishedRetirement.objects.get().attempts == 3

    def test_a_remembered_identity_outlives_the_lms_cleanup(self, course, staff, ada, monkeypatch):
        """The LMS deletes its retirement record once retirement is complete: the remembered identity is used."""
        roster(course, staff, "email,external_id\nada@example.com,S1\n")
        monkeypatch.setattr(retirement, "_scrub_rows", broken)
        standalone_retirement.retire(ada)
        monkeypatch.undo()
        UserRetirementStatus.objects.all().delete()
        call_command("retire_learner_data", "--all-pending", stdout=io.StringIO())
        assert not ExternalId.objects.exists() and not UnfinishedRetirement.objects.exists()

    def test_a_signal_for_an_account_the_lms_is_not_retiring_is_remembered_without_identity(self, ada, caplog):
        with caplog.at_level(logging.ERROR, logger=LOGGER):
            standalone_retirement.USER_RETIRE_LMS_MISC.send(sender=None, user=ada)
        record = UnfinishedRetirement.objects.get()
        assert (record.user_id, record.original_email) == (ada.id, "")
        assert record.error.startswith("RetirementNotFound: The LMS has no retirement record")
        errors = io.StringIO()
        with pytest.raises(CommandError):
            call_command("retire_learner_data", "--all-pending", stderr=errors, stdout=io.StringIO())
        assert "the LMS no longer has its retirement record" in errors.getvalue()

    def test_a_host_that_cannot_read_the_retirement_record(self, course, staff, ada, monkeypatch, caplog):
        roster(course, staff, "email,external_id\nada@example.com,S1\n")
        monkeypatch.setattr(StandaloneHost, "retirements", broken)
        with caplog.at_level(logging.ERROR, logger=LOGGER):
            standalone_retirement.retire(ada)
        assert len([record for record in caplog.records if record.name == LOGGER]) == 2
        assert UnfinishedRetirement.objects.get().original_username == ""
        monkeypatch.undo()
        call_command("retire_learner_data", "--all-pending", stdout=io.StringIO())  # the LMS's record, read now
        assert not ExternalId.objects.exists() and not UnfinishedRetirement.objects.exists()

    def test_a_database_error_leaves_the_lms_transaction_usable(self, course, staff, ada, monkeypatch):
        """Under ATOMIC_REQUESTS the receiver runs inside the retirement view's transaction."""
        def failing_sql(*args, **kwargs):
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")

        monkeypatch.setattr(retirement, "_scrub_rows", failing_sql)
        with transaction.atomic():
            standalone_retirement.retire(ada)
            assert UnfinishedRetirement.objects.filter(user=ada).exists()
        assert status_of(ada).original_username == "ada"


class TestRetryCommand:

    @pytest.mark.parametrize("name", ["ada", "ADA", "retired"])
    def test_by_original_or_retired_username_in_any_case(self, name, course, staff, ada):
        status = standalone_retirement.retire(ada)
        roster(course, staff, "email,external_id\nada@example.com,S1\n")  # a row naming her, made afterwards
        output = io.StringIO()
        call_command("retire_learner_data", status.retired_username if name == "retired" else name, stdout=output)
        assert "import rows pseudonymised: 1," in output.getvalue()
        assert not BulkOperationRow.objects.filter(fields__email__iexact="ada@example.com").exists()

    def test_an_account_no_one_is_retiring(self, ada):
        with pytest.raises(CommandError, match="No retirement of 'ada': the LMS is not retiring that account."):
            call_command("retire_learner_data", "ada")

    @pytest.mark.parametrize("arguments", [[], ["ada", "--all-pending"]])
    def test_usernames_or_all_pending(self, arguments, db):  # pylint: disable=unused-argument
        with pytest.raises(CommandError, match="Give one or more usernames, or --all-pending."):
            call_command("retire_learner_data", *arguments)


class TestStoredUploads:

    def stored(self, course, actor, text, status):
        operation = operations.submit(kind="invitations", course_key=course.id, actor=actor,
                                      upload=io.BytesIO(text.encode()), params={"options": {}, "dry_run": False},
                                      rows_total=1)
        BulkOperation.objects.filter(id=operation.id).update(status=status)
        return BulkOperation.objects.get(id=operation.id)

    def test_a_running_import_keeps_its_upload_and_the_retirement_waits_for_it(self, course, staff, ada):
        running = self.stored(course, staff, "email\nada@example.com\n", BulkOperation.RUNNING)
        standalone_retirement.retire(ada)
        storage = operations.upload_storage()
        assert storage.exists(running.file_path)
        assert UnfinishedRetirement.objects.get().error == f"Waiting for imports still running: {running.file_path}"
        # The import finishes (its upload deleted, its rows stored), and the retry finishes the retirement.
        operation_row = BulkOperationRow.objects.create(operation=running, row=2, outcome="failed",
                                                        fields={"email": "ada@example.com"})
        storage.delete(running.file_path)
        BulkOperation.objects.filter(id=running.id).update(status=BulkOperation.SUCCEEDED)
        call_command("retire_learner_data", "--all-pending", stdout=io.StringIO())
        operation_row.refresh_from_db()
        assert operation_row.fields["email"] != "ada@example.com"
        assert not UnfinishedRetirement.objects.exists()

    def test_an_import_whose_worker_died_is_not_waited_for(self, course, staff, ada, settings):
        lost = self.stored(course, staff, "email\nada@example.com\n", BulkOperation.RUNNING)
        BulkOperation.objects.filter(id=lost.id).update(
            modified=timezone.now() - timedelta(seconds=settings.CERTEXCEPTIONS_OPERATION_STALE_SECONDS + 1))
        standalone_retirement.retire(ada)
        lost.refresh_from_db()
        assert lost.status == BulkOperation.FAILED and lost.error["error_code"] == "worker_lost"
        assert not operations.upload_storage().exists(lost.file_path)
        assert not UnfinishedRetirement.objects.exists()

    def test_uploads_naming_someone_else_are_kept(self, course, staff, ada):
        other = self.stored(course, staff, "email\nadam@example.com\nada@example.community\n", BulkOperation.FAILED)
        standalone_retirement.retire(ada)
        assert operations.upload_storage().exists(other.file_path)


def test_every_row_field_of_every_import_is_classified_for_retirement():
    """A new row field must be classified: naming the person, saying more about them, or neither."""
    classified = {*retirement.IDENTITY_FIELDS, *retirement.PERSONAL_FIELDS, *retirement.OTHER_FIELDS}
    for kind in KINDS.values():
        assert set(kind.row_fields) <= classified, kind.name
        assert kind.identifier_field in retirement.IDENTITY_FIELDS


def test_the_standalone_retire_command(ada, course, staff):
    roster(course, staff, "email,external_id\nada@example.com,S1\n")
    output = io.StringIO()
    call_command("retire", "ada", stdout=output)
    status = status_of(ada)
    assert output.getvalue() == (f"Retired ada: the account is now {status.retired_username} "
                                 f"<{status.retired_email}>, inactive.\n")
    assert not ExternalId.objects.exists()
    with pytest.raises(CommandError, match="No user named 'ada'."):
        call_command("retire", "ada")
    with pytest.raises(CommandError, match="has already asked for their account to be retired"):
        call_command("retire", status.retired_username)


def test_python_m_standalone_retire_runs_through_djangos_command_dispatch(tmp_path):
    """The demo's command line, in a fresh process on its own SQLite file: the real receivers forget the learner."""
    env = {**{k: v for k, v in os.environ.items() if k not in ("CERTEXCEPTIONS_TEST_DB", "DJANGO_SETTINGS_MODULE")},
           "CERTEXCEPTIONS_HOME": str(tmp_path), "CERTEXCEPTIONS_DB": str(tmp_path / "demo.sqlite3")}

    def standalone(*arguments):
        return subprocess.run([sys.executable, "-m", "certexceptions_plugin.standalone", *arguments], env=env,
                              cwd=tmp_path, capture_output=True, text=True, check=True)

    standalone("migrate", "--verbosity", "0")
    standalone("shell", "-c", (
        "from django.contrib.auth import get_user_model;"
        "from certexceptions_plugin.invitations.models import ExternalId;"
        "user = get_user_model().objects.create(username='grace', email='grace@example.com');"
        "ExternalId.objects.create(course_key='course-v1:DemoX+CE101+2026', user=user, external_id='G-1')"))
    completed = standalone("retire", "grace")
    assert completed.stdout.startswith("Retired grace: the account is now retired__user_")
    with sqlite3.connect(tmp_path / "demo.sqlite3") as database:
        assert database.execute("SELECT COUNT(*) FROM certexceptions_plugin_externalid").fetchone() == (0,)
        assert database.execute("SELECT COUNT(*) FROM auth_user WHERE username = 'grace'").fetchone() == (0,)


def test_the_signal_paths_of_signals_config_name_the_hosts_signals():
    from certexceptions_plugin.host import signals  # pylint: disable=import-outside-toplevel

    assert signals.USER_RETIRE_LMS_MISC is standalone_retirement.USER_RETIRE_LMS_MISC
    assert signals.USER_RETIRE_LMS_CRITICAL is standalone_retirement.USER_RETIRE_LMS_CRITICAL
    with pytest.raises(AttributeError, match="has no attribute 'USER_RETIRE_MAILINGS'"):
        signals.USER_RETIRE_MAILINGS  # pylint: disable=pointless-statement
