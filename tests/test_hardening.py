"""Bad requests get a clear JSON answer with a documented status, and nothing gets through."""
import json

import pytest
from django.urls import reverse

from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.join_codes.models import JoinCode
from tests.conftest import csv_file
from tests.invitations import rows_by_number, uploader


def course_url(course, name):
    return reverse(name, kwargs={"course_id": str(course.id)})


# --- every response is JSON ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/api/instructor/v2/courses/course-v1:A+B+C/bulk_operations/ABCDEF12-0000-4000-8000-000000000000",
    "/api/instructor/v2/courses/course-v1:A+B+C/bulk_operations/" + "-" * 36 + "/nothing",
    "/api/instructor/v2/courses/course-v1:A+B+C/join_code/nothing",
    "/api/instructor/v2/courses/not-a-course/external_ids",
    "/api/course_join/v1/codes/",
    "/api/course_join/v1/unknown",
])
def test_unknown_paths_under_the_plugin_prefixes_are_json_404(db, client, path):  # pylint: disable=unused-argument
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error_code"] == "not_found"


def test_a_malformed_operation_id_is_404(course, instructor, api_client):
    response = api_client(instructor).get(reverse("bulk_operation", kwargs={
        "course_id": str(course.id), "operation_id": "0" * 36}))
    assert response.status_code == 404 and response.json()["error_code"] == "not_found"


def test_a_deeply_nested_json_body_is_400(course, course_staff_client):
    response = course_staff_client.generic("PATCH", course_url(course, "external_ids"), "[" * 2000,
                                           content_type="application/json")
    assert response.status_code == 400 and response.json()["error_code"] == "malformed_request"


def test_a_json_body_nesting_beyond_the_limit_is_400(course, course_staff_client):
    body = {"learner": "learner1", "external_id": None}
    for _ in range(40):
        body = {"nested": body}
    response = course_staff_client.patch(course_url(course, "external_ids"), body, format="json")
    assert response.status_code == 400 and response.json()["error_code"] == "malformed_request"


def test_a_json_body_larger_than_django_accepts_is_413(course, course_staff_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = course_staff_client.generic("PATCH", course_url(course, "course_join_code"),
                                           json.dumps({"allowed_email_domains": ["example.edu"] * 200}),
                                           content_type="application/json")
    assert response.status_code == 413 and response.json()["error_code"] == "body_too_large"


def test_an_unexpected_error_is_a_json_500(course, instructor, api_client, monkeypatch):
    from certexceptions_plugin.audit import views  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(views.AuditEventListView, "get_queryset", lambda view: 1 / 0)
    client = api_client(instructor)
    client.raise_request_exception = False
    response = client.get(course_url(course, "audit_events"))
    assert response.status_code == 500 and response.json()["error_code"] == "internal_error"
    assert "ZeroDivisionError" not in response.json()["message"]


# --- validation matches the schema ------------------------------------------------------------------------------

@pytest.mark.parametrize("page_size", ["0", "-5", "abc", "101", "1.5"])
def test_page_size_outside_1_to_100_is_400(course, course_staff_client, page_size):
    response = course_staff_client.get(course_url(course, "external_ids"), {"page_size": page_size})
    assert response.status_code == 400 and response.json()["error_code"] == "invalid_request"


def test_page_size_within_bounds_is_served(course, course_staff_client):
    assert course_staff_client.get(course_url(course, "external_ids"), {"page_size": "100"}).status_code == 200


@pytest.fixture
def join_code(course):
    return JoinCode.objects.create(course_key=course.id, code="B123-C456",
                                   expires_at="2099-01-01T00:00:00Z")


@pytest.mark.parametrize("body_format, status, error_code", [
    ("json", 400, "invalid_request"),
    ("multipart", 415, "unsupported_media_type"),  # a form cannot spell null apart from blank: JSON only
])
def test_a_blank_expiry_is_refused_not_a_silent_clear(course, course_staff_client, join_code, body_format, status,
                                                      error_code):
    response = course_staff_client.patch(course_url(course, "course_join_code"), {"expires_at": ""},
                                         format=body_format)
    assert response.status_code == status and response.json()["error_code"] == error_code
    join_code.refresh_from_db()
    assert join_code.expires_at is not None


def test_a_json_null_expiry_clears_it(course, course_staff_client, join_code):
    response = course_staff_client.patch(course_url(course, "course_join_code"), {"expires_at": None},
                                         format="json")
    assert response.status_code == 200 and response.json()["expires_at"] is None


@pytest.mark.parametrize("domains", [
    [f"school{n}.edu" for n in range(101)],
    [("a" * 63 + ".") * 4 + "edu"],  # 259 characters
])
def test_too_many_or_too_long_allowed_domains_are_400(course, course_staff_client, join_code, domains):
    response = course_staff_client.patch(course_url(course, "course_join_code"),
                                         {"allowed_email_domains": domains}, format="json")
    assert response.status_code == 400, response.content
    join_code.refresh_from_db()
    assert join_code.allowed_email_domains == []


@pytest.mark.usefixtures("course_staff")
@pytest.mark.parametrize("email", [
    "zero\u200bwidth@example.com",     # a zero-width space
    "ada@ex\u0430mple.com",            # a Cyrillic а among Latin letters
    "x@[127.0.0.1]",                   # an address literal
    "bell\u0007@example.com",          # a control character
    "rtl\u202e@example.com",           # a direction override
])
def test_invisible_mixed_script_and_literal_addresses_are_invalid_emails(course, course_staff_client, email):
    rows = rows_by_number(uploader(course_staff_client, course)(f"email,external_id\n{email},E1\n"))
    assert rows[2]["reason"] == "invalid_email"
    assert not ExternalId.objects.exists()


@pytest.mark.usefixtures("course_staff")
def test_emails_are_nfc_normalised_and_single_script_idn_domains_are_fine(course, course_staff_client):
    decomposed = "ada@e\u0301cole.fr"  # é as e + combining acute
    rows = rows_by_number(uploader(course_staff_client, course)(
        f"email,external_id\n{decomposed},E1\nivan@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444,E2\n"))
    assert rows[2]["outcome"] == "invited" and rows[2]["email"] == "ada@\u00e9cole.fr"
    assert rows[3]["outcome"] == "invited"


# --- uploads are limited before they are read ----------------------------------------------------------------------

def test_an_upload_announced_too_large_is_refused_before_its_body_is_read(course, instructor, api_client,
                                                                         settings, monkeypatch):
    settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES = 1000
    read = []
    from django.http import multipartparser  # pylint: disable=import-outside-toplevel
    original = multipartparser.MultiPartParser.parse
    monkeypatch.setattr(multipartparser.MultiPartParser, "parse",
                        lambda parser: read.append(True) or original(parser))
    response = api_client(instructor).post(course_url(course, "certificate_exception_imports"),
                                           {"file": csv_file("learner1\n" * 20000)}, format="multipart")
    assert response.status_code == 413 and response.json()["error_code"] == "file_too_large"
    assert not read


def test_an_upload_without_a_length_stops_being_read_at_the_limit(course, instructor, rf, settings):
    from certexceptions_plugin.bulk.views import LimitedUpload  # pylint: disable=import-outside-toplevel
    settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES = 1000
    handler = LimitedUpload(rf.post("/"), limit=1000)
    handler.receive_data_chunk(b"x" * 600, 0)
    with pytest.raises(Exception) as stopped:
        handler.receive_data_chunk(b"x" * 600, 600)
    assert getattr(stopped.value, "error_code", None) == "file_too_large"


def test_an_upload_past_the_limit_stops_with_413_while_it_is_read(course, instructor, api_client, settings):
    settings.CERTEXCEPTIONS_MAX_UPLOAD_BYTES = 1000
    response = api_client(instructor).post(course_url(course, "certificate_exception_imports"),
                                           {"file": csv_file("learner1\n" * 600)}, format="multipart")
    assert response.status_code == 413 and response.json()["error_code"] == "file_too_large"


# --- client IP for rate limits ------------------------------------------------------------------------------------

@pytest.mark.parametrize("remote_addr", ["127.0.0.1", "10.0.0.5", "93.184.216.34"])
@pytest.mark.usefixtures("db")
def test_a_rotating_forwarded_for_does_not_escape_the_per_ip_limit(settings, remote_addr):
    from rest_framework.test import APIClient  # pylint: disable=import-outside-toplevel
    settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP = "3/minute"
    settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_USER = None
    statuses = [APIClient(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=f"151.101.{n}.{n}")
                .get(reverse("course_join", kwargs={"code": "C999-D999"})).status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]


def test_w003_warns_an_lms_that_trusts_no_header(settings):
    from django.core import checks  # pylint: disable=import-outside-toplevel
    from certexceptions_plugin.checks import check_client_ip_headers  # pylint: disable=import-outside-toplevel
    settings.CLOSEST_CLIENT_IP_FROM_HEADERS = []
    assert [m.id for m in check_client_ip_headers(None)] == ["certexceptions_plugin.W003"]
    settings.CLOSEST_CLIENT_IP_FROM_HEADERS = [{"name": "X-Forwarded-For", "index": -1}]
    assert check_client_ip_headers(None) == []
    settings.CLOSEST_CLIENT_IP_FROM_HEADERS, settings.CERTEXCEPTIONS_JOIN_CODE_RATE_PER_IP = [], None
    assert check_client_ip_headers(None) == []
    assert "certexceptions_plugin.W003" not in [m.id for m in checks.run_checks() if not m.is_silenced()]
