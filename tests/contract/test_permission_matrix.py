"""
Who may call what: every endpoint of the plugin, for every kind of caller, on both hosts, with the exact status.

Course staff may enrol (invitations, external ids, join codes, audit); only course instructors and global staff may
grant certificate exceptions or read certificate operations, as the LMS's CERTIFICATE_EXCEPTION_VIEW and CAN_ENROLL.
"""
import base64
import json
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from rest_framework.test import APIClient

from certexceptions_plugin.bulk.models import BulkOperation
from certexceptions_plugin.join_codes.models import JoinCode
from tests.conftest import csv_file

CALLERS = ("anonymous", "learner", "course_staff", "instructor", "global_staff", "other_instructor", "forged_token")
CERTIFICATES = {"instructor", "global_staff"}
ENROLLMENT = {"course_staff", "instructor", "global_staff"}
CODE = "B123-C456"


def forged_token(user) -> str:
    """An unsigned JWT claiming global staff for ``user``."""
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    now = int(time.time())
    claims = {"iss": django_settings.JWT_AUTH["JWT_ISSUER"], "aud": django_settings.JWT_AUTH["JWT_AUDIENCE"],
              "iat": now, "exp": now + 600, "preferred_username": user.username, "email": user.email,
              "user_id": user.id, "administrator": True, "version": "1.1.0", "scopes": [], "filters": []}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.fixture
def setting_up(world, settings):
    """The course, its team, a learner, a join code and one finished operation of each kind."""
    host = world.make_host()
    settings.CERTEXCEPTIONS_HOST = f"{type(host).__module__}.{type(host).__name__}"
    course, other = world.course(), world.course("course-v1:ContractX+OTHER+2026")
    people = {name: world.user(name) for name in ("learner", "course_staff", "instructor", "other_instructor")}
    people["global_staff"] = world.user("global_staff", is_staff=True)
    world.enroll(people["learner"], course)
    world.role(people["course_staff"], course, "staff")
    world.role(people["instructor"], course, "instructor")
    world.role(people["other_instructor"], other, "instructor")
    JoinCode.objects.create(course_key=course, code=CODE)
    operations = {kind: BulkOperation.objects.create(kind=kind, course_key=course, status=BulkOperation.SUCCEEDED,
                                                     params={"options": {}, "dry_run": True})
                  for kind in ("certificate_exceptions", "invitations")}
    return course, people, operations


def client_for(caller, people):
    client = APIClient()
    if caller == "forged_token":
        client.credentials(HTTP_AUTHORIZATION=f"JWT {forged_token(people['learner'])}")
    elif caller != "anonymous":
        client.force_authenticate(people[caller])
    return client


def course_endpoints(course, operations):
    """(name, method, url, body, format, who may, status when allowed)."""
    def url(name, **kwargs):
        return reverse(name, kwargs={"course_id": str(course), **kwargs})

    def op(name, kind):
        return url(name, operation_id=operations[kind].id)

    return [
        ("certificate import", "post", url("certificate_exception_imports"),
         lambda: {"file": csv_file("learner,ok\n"), "dry_run": "true"}, "multipart", CERTIFICATES, 200),
        ("certificate template", "get", url("certificate_exception_imports_template"), None, None, CERTIFICATES, 200),
        ("roster import", "post", url("bulk_invitations"),
         lambda: {"file": csv_file("email\nnew@example.com\n"), "dry_run": "true"}, "multipart", ENROLLMENT, 200),
        ("roster template", "get", url("bulk_invitations_template"), None, None, ENROLLMENT, 200),
        ("external ids", "get", url("external_ids"), None, None, ENROLLMENT, 200),
        ("set an external id", "patch", url("external_ids"), lambda: {"learner": "learner", "external_id": "M1"},
         "json", ENROLLMENT, 200),
        ("external ids csv", "get", url("external_ids_csv"), None, None, ENROLLMENT, 200),
        ("join code", "get", url("course_join_code"), None, None, ENROLLMENT, 200),
        ("create join code", "post", url("course_join_code"), None, None, ENROLLMENT, 200),
        ("change join code", "patch", url("course_join_code"), lambda: {"is_active": True}, "json", ENROLLMENT, 200),
        ("regenerate join code", "post", url("course_join_code_regenerate"), None, None, ENROLLMENT, 200),
        ("join code qr", "get", url("course_join_code_qr"), None, None, ENROLLMENT, 200),
        ("audit", "get", url("audit_events"), None, None, ENROLLMENT, 200),
        ("operations", "get", url("bulk_operations"), None, None, ENROLLMENT, 200),
        ("certificate operation", "get", op("bulk_operation", "certificate_exceptions"), None, None, CERTIFICATES,
         200),
        ("certificate operation rows", "get", op("bulk_operation_rows", "certificate_exceptions"), None, None,
         CERTIFICATES, 200),
        ("certificate operation report", "get", op("bulk_operation_report", "certificate_exceptions"), None, None,
         CERTIFICATES, 200),
        ("retry certificate operation", "post", op("bulk_operation_retry", "certificate_exceptions"), None, None,
         CERTIFICATES, 409),
        ("roster operation", "get", op("bulk_operation", "invitations"), None, None, ENROLLMENT, 200),
        ("roster operation report", "get", op("bulk_operation_report", "invitations"), None, None, ENROLLMENT, 200),
    ]


def expected(caller, allowed, ok):
    if caller in ("anonymous", "forged_token"):
        return 401
    return ok if caller in allowed else 403


@pytest.mark.parametrize("caller", CALLERS)
def test_every_course_endpoint_answers_each_caller_as_its_role_allows(setting_up, caller):
    course, people, operations = setting_up
    client = client_for(caller, people)
    seen = {}
    for name, method, url, body, form, allowed, ok in course_endpoints(course, operations):
        kwargs = {"format": form} if form else {}
        response = getattr(client, method)(url, body() if body else None, **kwargs)
        seen[name] = (response.status_code, expected(caller, allowed, ok))
        if response.status_code >= 400:
            assert "error_code" in response.json(), (name, response.content)
    assert {name: got for name, (got, _) in seen.items()} == {name: want for name, (_, want) in seen.items()}


@pytest.mark.parametrize("caller, look_up, join", [
    ("anonymous", 200, 401), ("learner", 200, 200), ("course_staff", 200, 200), ("forged_token", 401, 401),
])
def test_the_learner_endpoints(setting_up, caller, look_up, join):
    _, people, _ = setting_up
    client = client_for(caller, people)
    url = reverse("course_join", kwargs={"code": CODE})
    assert (client.get(url).status_code, client.post(url).status_code) == (look_up, join)
