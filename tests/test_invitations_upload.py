"""A roster upload that cannot be read or has a bad option is refused whole, with a specific error; the template."""
import pytest

from certexceptions_plugin.bulk.locks import import_lock
from certexceptions_plugin.invitations.models import ExternalId
from tests.invitations import invited, uploader, url

# As in every roster test: a course with its course staff, and learner1..learner5 enrolled.
pytestmark = pytest.mark.usefixtures("course_staff", "enrolled_learners")


@pytest.fixture
def upload(course_staff_client, course):
    return uploader(course_staff_client, course)


class TestFileAndRequestErrors:

    @pytest.fixture
    def assert_error(self, course):
        """The response is this error, and nothing was written."""
        def check(response, status, error_code):
            assert response.status_code == status, response.content
            assert response.json()["error_code"] == error_code
            assert not ExternalId.objects.exists() and invited(course.id) == {}
        return check

    def test_no_file(self, course_staff_client, course, assert_error):
        assert_error(course_staff_client.post(url(course), {}, format="multipart"), 400, "no_file")

    def test_not_csv(self, upload, assert_error):
        assert_error(upload("email\nnew@example.com\n", name="roster.xlsx"), 400, "not_csv")

    @pytest.mark.parametrize("text", ["", "email,external_id\n", "\n\nemail\n\n"])
    def test_empty(self, upload, assert_error, text):
        assert_error(upload(text), 400, "empty_file")

    def test_malformed(self, upload, assert_error):
        assert_error(upload('email\n"new@example.com\n'), 400, "malformed_csv")

    def test_too_large(self, upload, assert_error, settings):
        settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES = 20
        assert_error(upload("email\nnew@example.com\nother@example.com\n"), 413, "file_too_large")

    @pytest.mark.parametrize("name, value", [
        ("existing_external_ids", "overwrite"), ("auto_enroll", "maybe"), ("dry_run", "2"), ("email_learners", "x")])
    def test_invalid_option(self, upload, assert_error, name, value):
        assert_error(upload("email\nnew@example.com\n", **{name: value}), 400, "invalid_request")

    def test_import_in_progress_is_409(self, upload, assert_error, course):
        with import_lock(course.id, "invitations"):
            assert_error(upload("email\nnew@example.com\n"), 409, "import_in_progress")

    def test_template(self, course_staff_client, course):
        response = course_staff_client.get(url(course, "bulk_invitations_template"))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "email,name,external_id" and len(lines) == 2
