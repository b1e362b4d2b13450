"""The bulk_certificate_exceptions management command and the Python API."""
import io

import pytest
from django.core.management import CommandError, call_command

from certexceptions_plugin import api
from certexceptions_plugin.standalone.models import CertificateAllowlist
from tests.factories import AllowlistFactory


@pytest.fixture
def csv_path(tmp_path):
    path = tmp_path / "exceptions.csv"
    path.write_text("username,notes\nlearner1,ok\nnobody\n")
    return path


def run(*args):
    out = io.StringIO()
    call_command("bulk_certificate_exceptions", *args, stdout=out)
    return out.getvalue()


def test_grants_and_prints_summary_and_failures(course, instructor, enrolled_learners, csv_path):
    output = run(str(course.id), str(csv_path), "--actor", instructor.username)
    assert "granted: 1" in output and "failed: 1" in output
    assert "row 3: nobody: user_not_found" in output
    assert CertificateAllowlist.objects.get(course_id=course.id).notes == "ok"


def test_dry_run_and_remove(course, instructor, enrolled_learners, csv_path):
    AllowlistFactory(user=enrolled_learners[0], course_id=course.id)
    assert "Dry run" in run(str(course.id), str(csv_path), "--actor", instructor.username, "--remove", "--dry-run")
    assert CertificateAllowlist.objects.count() == 1
    assert "removed: 1" in run(str(course.id), str(csv_path), "--actor", instructor.username, "--remove")
    assert not CertificateAllowlist.objects.exists()


@pytest.mark.parametrize("args, message", [
    (["course-v1:No+Such+Course", "{csv}", "--actor", "instructor"], "does not exist"),
    (["bad key", "{csv}", "--actor", "instructor"], "Invalid course id"),
    (["{course}", "{csv}", "--actor", "ghost"], "No user named"),
    (["{course}", "/nonexistent.csv", "--actor", "instructor"], "Cannot read"),
])
def test_errors(course, instructor, csv_path, args, message):
    args = [a.format(csv=csv_path, course=course.id) for a in args]
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_rejected_file_is_a_command_error(course, instructor, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("username\n")
    with pytest.raises(CommandError, match="empty_file"):
        run(str(course.id), str(path), "--actor", instructor.username)


def test_python_api(course, instructor, enrolled_learners, csv_path):
    with open(csv_path, "rb") as csv_file:
        result = api.bulk_certificate_exceptions(course_key=str(course.id), actor=instructor, csv_file=csv_file)
    assert result.summary["granted"] == 1
    assert [row.reason for row in result.failures] == ["user_not_found"]


def test_python_api_refuses_an_unknown_action(course, instructor, enrolled_learners, csv_path):
    AllowlistFactory(user=enrolled_learners[0], course_id=course.id)
    with open(csv_path, "rb") as csv_file, pytest.raises(ValueError, match="action"):
        api.bulk_certificate_exceptions(course_key=str(course.id), actor=instructor, csv_file=csv_file,
                                        action="Grant")
    assert CertificateAllowlist.objects.count() == 1
