"""
The demo a new user runs: ``serve`` on a port of their choosing, then what it prints (JWTs and the README's commands,
run as printed by a shell), the index page, the offline API docs, and the command line's one-line errors.
"""
import json
import re
import shutil
import socket
import subprocess
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
from tests.demo_server import demo_env, run_cli, serve_demo
from tests.test_docs import code_block_after

COURSE = "course-v1:DemoX+CE101+2026"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """
    ``serve --port P`` (never 8000) from a folder other than the demo's: the database goes to the demo's home.
    The walkthrough test runs first, on the fresh seed, as a new user would.
    """
    home, elsewhere = tmp_path_factory.mktemp("demo-home"), tmp_path_factory.mktemp("elsewhere")
    with serve_demo(home, cwd=elsewhere) as server:
        output = server.output()
        tokens = dict(re.findall(r"export TOKEN_(\w+)='([^']+)'", output))
        yield types.SimpleNamespace(base=server.url, port=server.port, tokens=tokens, output=output, home=home,
                                    elsewhere=elsewhere, db=server.db)


def multipart(fields, filename, content):
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


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


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get_content_type(), response.read().decode(errors="replace")


@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("bash"), reason="the walkthrough is curl in bash")
def test_the_printed_walkthrough_works_as_printed(demo_server, tmp_path):
    """Paste the banner's export lines and commands into a shell: every step answers what the README says."""
    output = demo_server.output
    assert "Migrating... done" in output and "Seeding the demo data... done" in output
    walkthrough = demo.walkthrough(demo_server.base)
    assert walkthrough in output, output
    exports = "\n".join(re.findall(r"^export TOKEN_\w+='[^']+'$", output, re.M))
    shell = subprocess.run(["bash", "-c", f"set -eu\n{exports}\n{walkthrough}"], capture_output=True, text=True,
                           env={**demo_env(), "TMPDIR": str(tmp_path)}, timeout=120)
    assert shell.returncode == 0, shell.stderr
    bodies = [json.loads(line) for line in shell.stdout.splitlines() if line.startswith("{")]
    assert len(bodies) == 17, shell.stdout
    preview, grant, again, staff, remove, roster_preview, roster, ids, taken, *joins, audit = bodies
    assert preview["dry_run"] and preview["summary"] == {
        "rows": 6, "granted": 2, "updated": 0, "unchanged": 0, "removed": 0, "failed": 4}
    assert {e["row"]: e["reason"] for e in preview["errors"]} == {
        4: "user_not_found", 5: "not_enrolled", 6: "certificate_invalidated", 7: "duplicate_in_file"}
    assert (grant["summary"]["granted"], again["summary"]["unchanged"], remove["summary"]["removed"]) == (2, 2, 2)
    assert staff["error_code"] == "permission_denied"
    assert roster_preview["summary"] == roster["summary"] == {
        "rows": 7, "invited": 1, "enrolled": 1, "existing_invitation": 1, "existing_enrollment": 2, "failed": 2,
        "external_id_updated": 3}
    assert {r["username"]: r["external_id"] for r in ids["results"]} == {
        "learner1": "S0003", "learner2": "S0002", "learner3": "S0001"}
    assert taken["error_code"] == "external_id_taken"
    created, lookup, joinable, joined, again_joined, regenerated, gone = joins
    assert created["join_url"] == f"{demo_server.base}/courses/join/{created['code']}"
    assert [lookup["status"], joinable["status"], joined["status"], again_joined["status"]] == [
        "unauthenticated", "joinable", "enrolled", "already_enrolled"]
    assert regenerated["code"] != created["code"] and gone["error_code"] == "join_code_not_found"
    assert audit["count"] == 2
    folder, = tmp_path.iterdir()  # the walkthrough's own temporary folder, not the working directory
    assert sorted(path.name for path in folder.iterdir()) == [
        "exceptions.csv", "external_ids.csv", "granted.json", "join.svg", "report.csv", "roster.csv"]
    assert (folder / "report.csv").read_text(encoding="utf-8-sig").startswith("row,")
    assert "<svg" in (folder / "join.svg").read_text()
    assert list(demo_server.elsewhere.iterdir()) == []  # nothing in the folder the demo was started from
    assert demo_server.db.exists()


def test_demo_grants_previews_and_reuploads(demo_server):
    base, tokens = demo_server.base, demo_server.tokens
    assert {"INSTRUCTOR", "STAFF", "LEARNER1", "LEARNER51"} <= set(tokens), demo_server.output
    url = f"{base}/api/instructor/v2/courses/{COURSE}/certificates/exceptions/imports"
    audit_url = f"{base}/api/instructor/v2/courses/{COURSE}/audit?action=certificate_exception.granted"
    granted_before = call(audit_url, tokens["STAFF"])[1]["count"]
    # learner55 is enrolled by now (the walkthrough's roster); learner56 is not.
    csv_text = "username_or_email,notes\nlearner10,Medical leave\nlearner11@example.com\nnobody\nlearner56\nlearner7\n"

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

    status, audit = call(audit_url, tokens["STAFF"])
    assert status == 200 and audit["count"] == granted_before + 2


def test_the_index_page_links_the_docs_and_explains_tokens(demo_server):
    status, content_type, html = fetch(f"{demo_server.base}/")
    assert (status, content_type) == (200, "text/html")
    assert 'href="/api-docs/"' in html and 'href="/api-docs/redoc/"' in html
    assert "Authorization: JWT" in html
    assert f"token USERNAME --port {demo_server.port}" in html


def test_the_api_docs_and_their_assets_are_served_by_the_demo(demo_server):
    status, _, html = fetch(f"{demo_server.base}/api-docs/")
    assert status == 200
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert assets
    assert all(fetch(demo_server.base + asset)[0] == 200 for asset in assets)


def test_token_command_matches_the_server(demo_server):
    completed = run_cli("token", "instructor", "--port", str(demo_server.port), home=demo_server.home,
                        cwd=demo_server.elsewhere)
    assert completed.returncode == 0, completed.stderr
    token = completed.stdout.strip()
    assert token.count(".") == 2
    status, _ = call(f"{demo_server.base}/api/instructor/v2/courses/{COURSE}/audit", token)
    assert status == 200
    # A token for another port names another issuer: this server refuses it.
    other = run_cli("token", "instructor", home=demo_server.home).stdout.strip()
    assert call(f"{demo_server.base}/api/instructor/v2/courses/{COURSE}/audit", other)[0] == 401


def test_unknown_user_is_one_line(demo_server):
    completed = run_cli("token", "nobody", home=demo_server.home)
    assert completed.returncode == 1
    assert completed.stderr.count("\n") == 1 and "no user 'nobody'" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_missing_database_is_one_line_and_creates_nothing(tmp_path):
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    cwd.mkdir()
    for args in (["token", "admin"], ["bulk_invite", COURSE, "roster.csv", "--actor", "staff"]):
        completed = run_cli(*args, home=home, cwd=cwd)
        assert completed.returncode == 1
        assert completed.stderr.count("\n") == 1 and "no demo database at" in completed.stderr, completed.stderr
    assert not home.exists() and list(cwd.iterdir()) == []


def test_a_busy_port_is_refused_before_any_work(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        completed = run_cli("serve", "--port", str(port), home=tmp_path)
    assert completed.returncode == 1
    assert completed.stdout == "" and completed.stderr.count("\n") == 1
    assert f"port {port} on 127.0.0.1 is in use" in completed.stderr and "make demo PORT=" in completed.stderr
    assert time.monotonic() - started < 10 and list(tmp_path.iterdir()) == []


def test_help_lists_every_command(tmp_path):
    completed = run_cli("--help", home=tmp_path)
    assert completed.returncode == 0
    for command in ("serve", "token", "reset", "bulk_certificate_exceptions", "bulk_invite", "--db", "--port"):
        assert command in completed.stdout


def test_reset_then_a_plugin_command_on_the_demo(tmp_path):
    database = tmp_path / "elsewhere.sqlite3"
    reset = run_cli("--db", str(database), "reset", home=tmp_path / "home")
    assert reset.returncode == 0, reset.stderr
    assert "Migrating... done" in reset.stdout and database.exists()
    roster = tmp_path / "roster.csv"
    roster.write_text("email\nlearner55@example.com\n")
    invite = run_cli("bulk_invite", COURSE, str(roster), "--actor", "staff", "--db", str(database),
                     home=tmp_path / "home")
    assert invite.returncode == 0, invite.stderr
    assert "enrolled: 1" in invite.stdout
    unknown = run_cli("bulk_invite", COURSE, str(roster), "--actor", "nobody", "--db", str(database),
                      home=tmp_path / "home")
    assert unknown.returncode == 1 and unknown.stderr.strip() == "CommandError: No user named 'nobody'."
    # The README's Python API example, in the demo's shell.
    shell = run_cli("--db", str(database), "shell", "-c", code_block_after("demo shell example"),
                    home=tmp_path / "home")
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout.splitlines()[-2:] == [
        "1 1", "3 user_not_found No account has the username or email 'nobody'."]


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
    assert get_user_model().objects.get(username="learner60").check_password(demo.DEMO_PASSWORD)
