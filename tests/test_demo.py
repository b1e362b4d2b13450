"""The demo a new user runs: serve, then the printed JWT and curl-style requests work against it."""
import json
import os
import re
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
import uuid

import pytest
from django.contrib.auth import get_user_model

from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.standalone import demo
from certexceptions_plugin.standalone.models import CourseEnrollmentAllowed

COURSE = "course-v1:DemoX+CE101+2026"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def multipart(fields, filename, content):
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def demo_env():
    """The environment a user's shell has: none of the test run's settings."""
    return {k: v for k, v in os.environ.items() if k not in ("CERTEXCEPTIONS_TEST_DB", "DJANGO_SETTINGS_MODULE")}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {**demo_env(), "CERTEXCEPTIONS_HOME": str(home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "certexceptions_plugin.standalone", "serve", "--port", str(port),
         "--db", str(home / "demo.sqlite3")],
        env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        output.append(line)
        if "Quit the server" in line or server.poll() is not None:
            break
    text = "".join(output)
    tokens = dict(re.findall(r"export TOKEN_(\w+)='([^']+)'", text))
    yield types.SimpleNamespace(base=f"http://127.0.0.1:{port}", tokens=tokens, output=text,
                                db=home / "demo.sqlite3")
    server.terminate()
    server.wait(timeout=30)


def call(url, token=None, body=None, content_type=None):
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    if token:
        request.add_header("Authorization", f"JWT {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_demo_grants_previews_and_reuploads(demo_server):
    base, tokens = demo_server.base, demo_server.tokens
    assert {"INSTRUCTOR", "STAFF", "LEARNER1"} <= set(tokens), demo_server.output
    url = f"{base}/api/instructor/v2/courses/{COURSE}/certificates/exceptions/imports"
    csv_text = "username_or_email,notes\nlearner1,Medical leave\nlearner2@example.com\nnobody\nlearner55\nlearner7\n"

    status, preview = call(url, tokens["INSTRUCTOR"], *multipart({"dry_run": "true"}, "x.csv", csv_text))
    assert status == 200 and preview["dry_run"] and preview["summary"]["granted"] == 2
    assert {e["row"]: e["reason"] for e in preview["errors"]} == {
        4: "user_not_found", 5: "not_enrolled", 6: "certificate_invalidated"}

    status, first = call(url, tokens["INSTRUCTOR"], *multipart({}, "x.csv", csv_text))
    assert status == 200 and first["summary"]["granted"] == 2
    status, again = call(url, tokens["INSTRUCTOR"], *multipart({}, "x.csv", csv_text))
    assert again["summary"]["unchanged"] == 2 and again["summary"]["granted"] == 0

    assert call(url, tokens["STAFF"], *multipart({}, "x.csv", csv_text))[0] == 403
    assert call(url, tokens["LEARNER1"], *multipart({}, "x.csv", csv_text))[0] == 403
    assert call(url, None, *multipart({}, "x.csv", csv_text))[0] == 401
    assert call(url, "not-a-jwt", *multipart({}, "x.csv", csv_text))[0] == 401

    status, audit = call(f"{base}/api/instructor/v2/courses/{COURSE}/audit", tokens["STAFF"])
    assert status == 200 and audit["count"] == 2


def test_token_command_matches_the_server(demo_server):
    completed = subprocess.run(
        [sys.executable, "-m", "certexceptions_plugin.standalone", "token", "instructor", "--db", str(demo_server.db)],
        capture_output=True, text=True, check=True, env=demo_env())
    token = completed.stdout.strip()
    assert token.count(".") == 2
    status, _ = call(f"{demo_server.base}/api/instructor/v2/courses/{COURSE}/audit", token)
    assert status == 200


def test_seed_is_idempotent_and_keeps_demo_changes(db):  # pylint: disable=unused-argument
    demo.seed()
    demo.seed()
    records = {(r.user.username if r.user_id else r.email): r.external_id
               for r in ExternalId.objects.filter(course_key=demo.DEMO_COURSE).select_related("user")}
    assert records == {"learner1": "S0001", "learner2": "S0002", "newstudent@example.com": "S0100"}
    assert CourseEnrollmentAllowed.objects.filter(email="newstudent@example.com", auto_enroll=True).exists()
    ExternalId.objects.filter(user__username="learner1").delete()
    ExternalId.objects.filter(user__username="learner2").update(external_id="S0001")
    demo.seed()  # learner1's S0001 is now learner2's: seeding again must not fail
    assert get_user_model().objects.filter(username="learner60").exists()
