"""
The standalone host on SQLite never answers 500 to concurrent writers: eight joins by each learner at the same
moment, and CSV uploads beside them, against its own threaded server (``runserver``) on a database file.

pytest-django's ``live_server`` cannot show this: with the suite's in-memory SQLite it hands every server thread the
test's one connection, so requests never overlap in the database.
"""
import http.client
import json
import sqlite3
import subprocess
import sys
import threading
import time

from django.urls import reverse

from certexceptions_plugin.standalone.models import CourseEnrollment
from tests.demo_server import demo_env, free_port
from tests.test_demo import multipart

JOINS = 8  # by each learner
LEARNERS = ("learner1", "learner2", "learner3")
UPLOADS = 3
COURSES = [f"course-v1:RaceX+C{n}+2026" for n in range(UPLOADS)]

# Run by the host's own manage.py on the database file: the course team and the learners, then their JWTs.
SETUP = f"""
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from opaque_keys.edx.keys import CourseKey
from certexceptions_plugin.standalone import demo, models

call_command("migrate", verbosity=0)
users = {{name: get_user_model().objects.create(username=name, email=f"{{name}}@example.com")
         for name in ("staff", *{LEARNERS!r})}}
for course_id in {COURSES!r}:
    course_key = CourseKey.from_string(course_id)
    models.Course.objects.create(id=course_key, display_name=course_id, org="RaceX")
    models.CourseAccessRole.objects.create(user=users["staff"], org="RaceX", course_id=course_key, role="staff")
print(json.dumps({{name: [user.id, demo.token(name)] for name, user in users.items()}}))
"""


def serve(db, port, log):
    """The host's threaded development server on ``db`` (set up by SETUP), once it accepts connections."""
    env = {**demo_env(), "CERTEXCEPTIONS_DB": str(db)}
    setup = subprocess.run([sys.executable, "-m", "certexceptions_plugin.standalone", "shell", "-c", SETUP],
                           env=env, capture_output=True, text=True, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "certexceptions_plugin.standalone", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return server, json.loads(setup.stdout.strip().splitlines()[-1])
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise AssertionError("the server did not start")


def post_later(port, path, token, body=b"", content_type=None):
    """
    A POST on a connection opened now, sent when the returned function is called. Opening them one by one keeps
    within runserver's listen queue (10); the requests themselves then reach the server together.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.connect()
    time.sleep(0.01)  # let the server accept it and start the thread that will read the request
    headers = {"Authorization": f"JWT {token}", **({"Content-Type": content_type} if content_type else {})}

    def send():
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode(errors="replace")
        connection.close()
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, json.loads(content) if is_json else content
    return send


def together(calls):
    """Run every call at the same moment, each in its own thread; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except OSError as error:  # the server dropped the connection
            results[index] = (None, repr(error))

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def roster(course_number):
    lines = [f"newstudent{course_number}_{n}@example.com,Student {n},S{course_number}{n:03}" for n in range(40)]
    return "email,name,student_id\n" + "\n".join(lines) + "\n"


def test_concurrent_joins_and_uploads_never_fail(tmp_path):
    db, port = tmp_path / "race.sqlite3", free_port()
    with open(tmp_path / "server.log", "w+", encoding="utf-8") as log:
        server, users = serve(db, port, log)
        try:
            staff_token = users["staff"][1]
            status, code = post_later(port, reverse("course_join_code", kwargs={"course_id": COURSES[0]}),
                                      staff_token)()
            assert status == 201, code
            join_path = reverse("course_join", kwargs={"code": code["code"]})
            joins = [post_later(port, join_path, users[name][1]) for name in LEARNERS for _ in range(JOINS)]
            uploads = [post_later(port, reverse("bulk_invitations", kwargs={"course_id": COURSES[n]}), staff_token,
                                  *multipart({}, "roster.csv", roster(n)))
                       for n in range(UPLOADS)]
            results = together(joins + uploads)
        finally:
            server.terminate()
            server.wait(timeout=30)
        log.seek(0)
        assert [status for status, _ in results] == [200] * len(results), (results, log.read())

    join_results, upload_results = results[:len(joins)], results[len(joins):]
    assert [body["status"] for _, body in join_results].count("enrolled") == len(LEARNERS)
    with sqlite3.connect(db) as connection:
        enrolments = connection.execute(
            f"SELECT user_id, COUNT(*) FROM {CourseEnrollment._meta.db_table} WHERE course_id = ? GROUP BY user_id",
            (COURSES[0],)).fetchall()
    assert sorted(enrolments) == sorted((users[name][0], 1) for name in LEARNERS)
    assert [body["summary"]["invited"] for _, body in upload_results] == [40] * UPLOADS, upload_results
