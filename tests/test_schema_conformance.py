"""
What schemathesis found, kept fixed without it (tests/test_schemathesis.py runs schemathesis itself): the schema says
what the API answers, the API refuses what the schema forbids and accepts what it allows.
"""
import re

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import DomainNameValidator
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.join_codes.models import JoinCode
from certexceptions_plugin.join_codes.serializers import DOMAIN_PATTERN, MAX_DOMAIN_LENGTH
from tests.conftest import csv_file

COURSE_PATH = "/api/instructor/v2/courses/course-v1:A+B+C"


def course_url(course, name):
    return reverse(name, kwargs={"course_id": str(course.id)})


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    target = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    return yaml.safe_load(target.read_text())


def operation(schema, path_end, method):
    found = [operations[method] for path, operations in schema["paths"].items() if path.endswith(path_end)]
    assert len(found) == 1, path_end
    return found[0]


def component(schema, reference):
    return schema["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]


# --- every answer is a documented JSON one -------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    f"{COURSE_PATH}/bulk_operations/%0A%07v%C3%9E",   # a decoded %0A: `.` in a URL pattern stops there
    f"{COURSE_PATH}/join_code/%0A",
    "/api/course_join/v1/%0Acodes",
])
def test_an_unknown_path_with_a_line_break_is_json_404(db, client, path):  # pylint: disable=unused-argument
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error_code"] == "not_found"


def test_a_post_to_an_unknown_path_in_a_session_is_json_404_not_a_csrf_page(instructor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    response = client.post(f"{COURSE_PATH}/bulk_operations/%C2%84/retry")
    assert response.status_code == 404 and response.json()["error_code"] == "not_found"


@pytest.mark.parametrize("name, accept, content_type", [
    ("bulk_invitations_template", "text/csv", "text/csv"),
    ("certificate_exception_imports_template", "text/csv", "text/csv"),
    ("external_ids_csv", "text/csv", "text/csv"),
    ("external_ids", "application/xml", "application/json"),
])
def test_any_accept_header_gets_the_endpoints_own_type_not_406(course, instructor, api_client, name, accept,
                                                               content_type):
    client = api_client(instructor)
    response = client.get(course_url(course, name), HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)
    assert client.get(course_url(course, name), {"format": "xml"}).status_code == 200


# --- paging: whole numbers from 1, as the schema says ---------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"page": "0"}, {"page": "last"}, {"page": "\u0663"}, {"page": "x"}, {"page_size": "\u0663"}, {"page_size": "²"},
])
def test_page_and_page_size_are_ascii_whole_numbers_from_1(course, course_staff_client, params):
    response = course_staff_client.get(course_url(course, "external_ids"), params)
    assert response.status_code == 400 and response.json()["error_code"] == "invalid_request"


def test_a_page_past_the_last_is_404(course, course_staff_client):
    response = course_staff_client.get(course_url(course, "external_ids"), {"page": "2"})
    assert response.status_code == 404 and response.json()["error_code"] == "not_found"


def test_the_schema_bounds_page_and_page_size(schema):
    parameters = {p["name"]: p["schema"] for p in operation(schema, "/audit", "get")["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert "400" in operation(schema, "/audit", "get")["responses"]


# --- request bodies: JSON of the declared types and fields only ---------------------------------------------------

@pytest.fixture
def join_code(course):
    return JoinCode.objects.create(course_key=course.id, code="B123-C456")


@pytest.mark.parametrize("body", [
    {"is_active": "false"}, {"is_active": 0}, {"max_enrollments": "5"}, {"max_enrollments": True},
    {"allowed_email_domains": [5]}, {"allowed_email_domains": ["\texample.edu"]}, {"code": "Z999-Z999"},
])
def test_a_join_code_patch_takes_json_types_and_its_fields_only(course, course_staff_client, join_code, body):
    response = course_staff_client.patch(course_url(course, "course_join_code"), body, format="json")
    assert response.status_code == 400 and response.json()["error_code"] == "invalid_request"
    join_code.refresh_from_db()
    assert (join_code.is_active, join_code.max_enrollments, join_code.allowed_email_domains, join_code.code) == (
        True, None, [], "B123-C456")


def test_an_expiry_already_past_is_taken_and_ends_the_code(course, course_staff_client, join_code):
    """A date-time is all the schema asks of ``expires_at``: one in the past is a code that stopped working."""
    response = course_staff_client.patch(course_url(course, "course_join_code"),
                                         {"expires_at": "2000-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["expires_at"] == "2000-01-01T00:00:00Z" and response.json()["is_usable"] is False
    assert APIClient().get(f"/api/course_join/v1/codes/{join_code.code}").status_code == 404


@pytest.mark.usefixtures("enrolled_learners")
@pytest.mark.parametrize("body", [
    {"learner": 5, "external_id": "S1"}, {"learner": "learner1", "external_id": 7},
    {"learner": "learner1", "external_id": "S1", "extra": 1}, {"learner": "learner\x001", "external_id": "S1"},
])
def test_an_external_id_patch_takes_json_types_and_its_fields_only(course, course_staff_client, body):
    response = course_staff_client.patch(course_url(course, "external_ids"), body, format="json")
    assert response.status_code == 400 and response.json()["error_code"] == "invalid_request"
    assert not ExternalId.objects.exists()


@pytest.mark.usefixtures("enrolled_learners")
def test_a_blank_learner_is_not_found_as_the_schema_allows_it(course, course_staff_client):
    response = course_staff_client.patch(course_url(course, "external_ids"), {"learner": "", "external_id": "S1"},
                                         format="json")
    assert response.status_code == 404 and response.json()["error_code"] == "learner_not_found"


@pytest.mark.parametrize("name", ["course_join_code", "external_ids"])
@pytest.mark.parametrize("body_format", ["multipart", "form"])
def test_a_patch_body_that_is_not_json_is_415(course, course_staff_client, name, body_format):
    data = {"learner": "learner1", "external_id": "S1", "is_active": "false"}
    if body_format == "form":
        response = course_staff_client.generic("PATCH", course_url(course, name), "learner=learner1",
                                               content_type="application/x-www-form-urlencoded")
    else:
        response = course_staff_client.patch(course_url(course, name), data, format="multipart")
    assert response.status_code == 415 and response.json()["error_code"] == "unsupported_media_type"


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_an_upload_that_is_not_multipart_is_415(course, course_staff_client, content_type):
    response = course_staff_client.generic("POST", course_url(course, "bulk_invitations"), "{}",
                                           content_type=content_type)
    assert response.status_code == 415 and response.json()["error_code"] == "unsupported_media_type"


def test_the_schema_says_so(schema):
    for path_end, required in (("/join_code", set()), ("/external_ids", {"learner", "external_id"})):
        body = operation(schema, path_end, "patch")["requestBody"]["content"]
        assert set(body) == {"application/json"}
        fields = component(schema, body["application/json"]["schema"])
        assert fields["additionalProperties"] is False and set(fields.get("required", ())) == required
        assert {"413", "415"} <= set(operation(schema, path_end, "patch")["responses"])
    upload = operation(schema, "/invitations/bulk", "post")["requestBody"]["content"]
    assert set(upload) == {"multipart/form-data"}
    assert component(schema, upload["multipart/form-data"]["schema"])["properties"]["file"]["format"] == "binary"
    encoding = upload["multipart/form-data"]["encoding"]["file"]
    assert encoding["contentType"] == "text/csv"
    assert re.search(encoding["headers"]["Content-Disposition"]["schema"]["pattern"], 'filename="roster.CSV"')


def test_a_csv_upload_as_the_schema_describes_it_is_accepted(course, course_staff_client):
    response = course_staff_client.post(course_url(course, "bulk_invitations"),
                                        {"file": csv_file("email\nada@example.com\n", name="roster.CSV")},
                                        format="multipart")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("field, value, error_code", [
    ("action", "", "invalid_action"), ("action", "GRANT", "invalid_action"), ("action", " remove", "invalid_action"),
    ("dry_run", "0", "invalid_request"), ("dry_run", "1", "invalid_request"), ("dry_run", "on", "invalid_request"),
    ("dry_run", "", "invalid_request"),
])
def test_an_upload_form_field_takes_the_schemas_values_only(course, instructor, api_client, field, value, error_code):
    """An enum's values as written, a boolean as true or false: a blank is not the default, 0 is not false."""
    response = api_client(instructor).post(course_url(course, "certificate_exception_imports"),
                                           {"file": csv_file("learner1\n"), field: value}, format="multipart")
    assert response.status_code == 400 and response.json()["error_code"] == error_code


@pytest.mark.parametrize("fields", [
    {"dry_run": ["true", "false"]}, {"action": ["grant", "remove"]},
    {"file": [csv_file("learner1\n"), csv_file("learner2\n")]},
])
def test_an_upload_form_field_given_twice_is_400(course, instructor, api_client, fields):
    """Each field of the form has one value in the schema: given twice, neither value is picked."""
    body = {"file": csv_file("learner1\n"), **fields}
    response = api_client(instructor).post(course_url(course, "certificate_exception_imports"), body,
                                           format="multipart")
    assert response.status_code == 400 and response.json()["error_code"] == "invalid_request"


def certificate_rows(instructor, api_client, course, text):
    response = api_client(instructor).post(course_url(course, "certificate_exception_imports"),
                                           {"file": csv_file(text), "dry_run": "true"}, format="multipart")
    assert response.status_code == 200, response.content
    return [(row["row"], row["reason"]) for row in response.json()["rows"]]


def test_the_delimiter_is_one_under_which_the_first_lines_are_valid_csv(course, instructor, api_client):
    """Tab-separated, a quote and a ``;`` in the cells: read with ``;`` the row is not CSV (``"`` then a tab)."""
    assert certificate_rows(instructor, api_client, course, 'email\r\n""""\t;\r\n') == [(2, "user_not_found")]


def test_a_file_not_csv_under_the_likeliest_delimiter_is_read_under_another(course, instructor, api_client):
    """Its first ten lines, all inside quoted cells but the header, fit ``;`` better; only ``,`` reads it whole."""
    text = 'email\r\n,"\na\n"\r\n"\n;\n","\n;\n","\n;\n"\r\n'
    assert certificate_rows(instructor, api_client, course, text) == [(2, "invalid_row"), (5, "invalid_row")]


# --- the allowed-domain pattern in the schema is the validator's ------------------------------------------------------

DOMAIN_LIKE = st.text(st.sampled_from("aZ09-.é_ "), max_size=70) | st.from_regex(DOMAIN_PATTERN, fullmatch=True)


def django_accepts(domain):
    try:
        DomainNameValidator(accept_idna=False)(domain)
    except ValidationError:
        return False
    return True


@given(DOMAIN_LIKE)
def test_the_domain_pattern_accepts_what_djangos_validator_accepts(domain):
    if len(domain) <= MAX_DOMAIN_LENGTH:
        assert bool(re.fullmatch(DOMAIN_PATTERN, domain)) == django_accepts(domain), domain
