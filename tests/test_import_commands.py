"""Both import management commands and the Python API they call."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from certexceptions_plugin import api
from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone.models import CertificateAllowlist, CourseEnrollmentAllowed
from tests.conftest import csv_file
from tests.factories import AllowlistFactory

EXCEPTIONS = "username,notes\nlearner1,ok\nnobody\n"
ROSTER = "email,external_id\nnew@example.com,N1\nlearner1@example.com,S1\nnot an email,X\n"


@pytest.fixture
def write_csv(tmp_path):
    def write(text, name="upload.csv"):
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def external_ids(course):
    return {(r.user.username if r.user_id else r.email): r.external_id
            for r in ExternalId.objects.filter(course_key=course.id).select_related("user")}


# --- bulk_certificate_exceptions ---------------------------------------------------------------------------------

def test_grants_and_prints_summary_and_failures(course, instructor, enrolled_learners, write_csv):
    output = run("bulk_certificate_exceptions", str(course.id), write_csv(EXCEPTIONS), "--actor", instructor.username)
    assert "granted: 1" in output and "failed: 1" in output
    assert "row 3: nobody: user_not_found" in output
    assert CertificateAllowlist.objects.get(course_id=course.id).notes == "ok"


def test_dry_run_and_remove(course, instructor, enrolled_learners, write_csv):
    AllowlistFactory(user=enrolled_learners[0], course_id=course.id)
    path = write_csv(EXCEPTIONS)
    assert "Dry run" in run("bulk_certificate_exceptions", str(course.id), path, "--actor", instructor.username,
                            "--remove", "--dry-run")
    assert CertificateAllowlist.objects.count() == 1
    assert "removed: 1" in run("bulk_certificate_exceptions", str(course.id), path, "--actor", instructor.username,
                               "--remove")
    assert not CertificateAllowlist.objects.exists()


# --- bulk_invite -------------------------------------------------------------------------------------------------

def test_invites_and_prints_the_same_summary(course, course_staff, enrolled_learners, write_csv):
    output = run("bulk_invite", str(course.id), write_csv(ROSTER), "--actor", course_staff.username)
    assert output.splitlines() == [
        "rows: 3, invited: 1, enrolled: 0, existing_invitation: 0, existing_enrollment: 1, failed: 1, "
        "external_id_updated: 2",
        "row 4: not an email: invalid_email: 'not an email' is not a valid email address.",
    ]
    assert external_ids(course) == {"new@example.com": "N1", "learner1": "S1"}
    assert AuditEvent.objects.filter(actor_username=course_staff.username).count() == 3


def test_json_is_the_rest_body(course, course_staff, enrolled_learners, write_csv):
    body = json.loads(run("bulk_invite", str(course.id), write_csv(ROSTER), "--actor", course_staff.username,
                          "--dry-run", "--json"))
    assert body["dry_run"] is True and body["summary"]["invited"] == 1
    assert [row["outcome"] for row in body["rows"]] == ["invited", "existing_enrollment", "failed"]
    assert not ExternalId.objects.exists() and not CourseEnrollmentAllowed.objects.exists()


def test_invitation_options(course, course_staff, write_csv):
    run("bulk_invite", str(course.id), write_csv("email\nnew@example.com\n"), "--actor", course_staff.username,
        "--no-auto-enroll")
    assert CourseEnrollmentAllowed.objects.get(email="new@example.com").auto_enroll is False


# --- both --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["bulk_certificate_exceptions", "bulk_invite"])
@pytest.mark.parametrize("args, message", [
    (["course-v1:No+Such+Course", "{csv}", "--actor", "instructor"], "does not exist"),
    (["bad key", "{csv}", "--actor", "instructor"], "Invalid course id"),
    (["{course}", "{csv}", "--actor", "ghost"], "No user named"),
    (["{course}", "/nonexistent.csv", "--actor", "instructor"], "Cannot read"),
])
def test_errors(course, instructor, write_csv, command, args, message):
    path = write_csv("email\nnew@example.com\n")
    with pytest.raises(CommandError, match=message):
        run(command, *[a.format(csv=path, course=course.id) for a in args])


@pytest.mark.parametrize("command, text, error_code", [
    ("bulk_certificate_exceptions", "username\n", "empty_file"),
    ("bulk_invite", "mail\nnew@example.com\n", "bad_header"),
])
def test_rejected_file_is_a_command_error(course, instructor, write_csv, command, text, error_code):
    with pytest.raises(CommandError, match=error_code):
        run(command, str(course.id), write_csv(text), "--actor", instructor.username)


# --- the Python API ----------------------------------------------------------------------------------------------

def test_python_api_for_certificates(course, instructor, enrolled_learners):
    result = api.bulk_certificate_exceptions(course_key=str(course.id), actor=instructor,
                                             csv_file=io.BytesIO(EXCEPTIONS.encode()))
    assert result.summary["granted"] == 1
    assert [row.reason for row in result.failures] == ["user_not_found"]


def test_python_api_refuses_an_unknown_action(course, instructor, enrolled_learners):
    AllowlistFactory(user=enrolled_learners[0], course_id=course.id)
    with pytest.raises(ValueError, match="action"):
        api.bulk_certificate_exceptions(course_key=str(course.id), actor=instructor,
                                        csv_file=io.BytesIO(EXCEPTIONS.encode()), action="Grant")
    assert CertificateAllowlist.objects.count() == 1


def test_python_api_for_invitations_reports_the_rest_summary(course, course_staff, enrolled_learners, api_client):
    result = api.bulk_invite(course_key=str(course.id), actor=course_staff, csv_file=io.BytesIO(ROSTER.encode()),
                             dry_run=True)
    response = api_client(course_staff).post(
        f"/api/instructor/v2/courses/{course.id}/invitations/bulk",
        {"file": csv_file(ROSTER), "dry_run": "true"}, format="multipart")
    assert result.summary == response.json()["summary"]
    assert result.summary["external_id_updated"] == 2


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("command, text", [
    ("bulk_certificate_exceptions", EXCEPTIONS),
    ("bulk_invite", ROSTER),
])
def test_a_terminal_shows_a_progress_bar_and_a_report_can_be_written(
        course, instructor, enrolled_learners, write_csv, tmp_path, command, text):
    terminal, report = Terminal(), tmp_path / "report.csv"
    call_command(command, str(course.id), write_csv(text), "--actor", instructor.username, "--report", str(report),
                 stdout=io.StringIO(), stderr=terminal)
    assert "100%" in terminal.getvalue() and "rows" in terminal.getvalue()
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("row,") and lines[0].endswith(",outcome,reason,message")
    assert len(lines) == 1 + len(text.strip().splitlines()) - 1


def test_no_progress_bar_off_a_terminal(course, instructor, enrolled_learners, write_csv):
    stderr = io.StringIO()
    call_command("bulk_certificate_exceptions", str(course.id), write_csv(EXCEPTIONS), "--actor", instructor.username,
                 stdout=io.StringIO(), stderr=stderr)
    assert stderr.getvalue() == ""
