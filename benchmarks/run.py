"""
Benchmarks: each bulk import against a reference run of the LMS's own algorithm, in one process.

* Certificate exceptions: the reference follows openedx-platform's BulkCertificateExceptionsView (PR #38464):
  read the whole upload, resolve each identifier with its own query (get_user_by_username_or_email),
  bulk-validate, then write one entry at a time.
* Invitations: the reference follows the instructor dashboard's enrolment by identifiers (EnrollmentModifyView):
  for each email, look the user up, then enrol the account or create its CourseEnrollmentAllowed, one at a time.
  The plugin run also checks and stores an external id per row.

Both runs of a pair do the same work in fresh courses of the standalone host, on a temporary SQLite file.

    python benchmarks/run.py [--rows N]
"""
import argparse
import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def setup_django(db_path):
    os.environ["CERTEXCEPTIONS_DB"] = db_path
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certexceptions_plugin.standalone.settings")
    import django
    django.setup()
    import logging
    logging.getLogger("certexceptions_plugin").setLevel(logging.WARNING)
    from django.core.management import call_command
    call_command("migrate", verbosity=0)


def make_world(rows):
    from django.contrib.auth import get_user_model
    from opaque_keys.edx.keys import CourseKey

    from certexceptions_plugin.standalone import models
    User = get_user_model()
    User.objects.bulk_create(User(username=f"bench{n}", email=f"bench{n}@example.com") for n in range(rows))
    users = list(User.objects.filter(username__startswith="bench"))
    courses = []
    for name in ("REFERENCE", "PLUGIN", "PLUGINDRY"):
        key = CourseKey.from_string(f"course-v1:Bench+{name}+2026")
        models.Course.objects.create(id=key, display_name=name, org="Bench")
        models.CourseEnrollment.objects.bulk_create(models.CourseEnrollment(user=u, course_id=key) for u in users)
        courses.append(key)
    actor = User.objects.create(username="bench-actor", is_staff=True)
    text = "username_or_email,notes\n" + "".join(
        f"{u.email if n % 2 else u.username},bench note {n}\n" for n, u in enumerate(users))
    return courses, actor, text.encode()


def reference_core_v2(course_key, data):
    """openedx-platform's algorithm, on the standalone tables."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from certexceptions_plugin.standalone import models
    User = get_user_model()
    content = data.decode("utf-8-sig")
    learners = [(row[0].strip(), row[1].strip() if len(row) > 1 else "")
                for row in csv.reader(content.splitlines()) if row and row[0].strip()]
    notes_by_learner = dict(learners)
    learner_to_user = {}
    for learner in notes_by_learner:
        try:
            learner_to_user[learner] = User.objects.get(Q(email=learner) | Q(username=learner))
        except (User.DoesNotExist, User.MultipleObjectsReturned):
            pass
    ids = [u.id for u in learner_to_user.values()]
    enrolled = set(models.CourseEnrollment.objects.filter(course_id=course_key, user_id__in=ids, is_active=True)
                   .values_list("user_id", flat=True))
    allowlisted = set(models.CertificateAllowlist.objects.filter(course_id=course_key, user_id__in=ids,
                                                                 allowlist=True).values_list("user_id", flat=True))
    invalid = set(models.CertificateInvalidation.objects.filter(
        generated_certificate__course_id=course_key, generated_certificate__user_id__in=ids, active=True)
        .values_list("generated_certificate__user_id", flat=True))
    granted = 0
    for learner, user in learner_to_user.items():
        if user.id in enrolled and user.id not in allowlisted and user.id not in invalid:
            models.CertificateAllowlist.objects.update_or_create(
                user=user, course_id=course_key, defaults={"allowlist": True, "notes": notes_by_learner[learner]})
            granted += 1
    return granted


def plugin(course_key, actor, data, dry_run=False):
    from certexceptions_plugin import api
    result = api.bulk_certificate_exceptions(course_key=course_key, actor=actor, csv_file=io.BytesIO(data),
                                             dry_run=dry_run)
    return result.summary["granted"]


def measure(label, func, *args, **kwargs):
    """Wall time and queries of one run."""
    from django.db import connection
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        done = func(*args, **kwargs)
    elapsed = time.perf_counter() - started
    return {"label": label, "done": done, "seconds": elapsed, "queries": queries}


def peak_memory(func, *args, **kwargs):
    """Peak Python memory (tracemalloc) of one run, in MiB; timed separately, as tracing slows the run."""
    tracemalloc.start()
    func(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def empty_course(name):
    from opaque_keys.edx.keys import CourseKey

    from certexceptions_plugin.standalone import models
    key = CourseKey.from_string(f"course-v1:Bench+{name}+2026")
    models.Course.objects.create(id=key, display_name=name, org="Bench")
    return key


def make_roster(rows):
    """Half the rows are existing accounts to enrol, half new emails to invite; each with a student id."""
    lines = ["email,name,student_id"]
    lines += [f"bench{n}@example.com,,B{n:06d}" for n in range(0, rows, 2)]
    lines += [f"new{n}@school.example,,N{n:06d}" for n in range(1, rows, 2)]
    return ("\n".join(lines) + "\n").encode()


def reference_enroll_by_email(course_key, data):
    """The LMS's per-identifier enrolment (enroll_email), on the standalone tables."""
    from django.contrib.auth import get_user_model

    from certexceptions_plugin.standalone import models
    User = get_user_model()
    done = 0
    for row in list(csv.reader(data.decode("utf-8-sig").splitlines()))[1:]:
        email = row[0].strip()
        user = User.objects.filter(email=email).first()
        if user and user.is_active:
            models.CourseEnrollment.objects.update_or_create(user=user, course_id=course_key,
                                                             defaults={"is_active": True})
        else:
            models.CourseEnrollmentAllowed.objects.get_or_create(course_id=course_key, email=email)
        done += 1
    return done


def plugin_invite(course_key, actor, data):
    from certexceptions_plugin import api
    result = api.bulk_invite(course_key=course_key, actor=actor, csv_file=io.BytesIO(data))
    return result.summary["invited"] + result.summary["enrolled"]


def report(title, rows, size, results, unit):
    print(f"{title}, {rows} rows ({size / 1024:.0f} KiB), SQLite, one process")
    print(f"{'run':40} {unit:>8} {'seconds':>8} {'rows/s':>9} {'queries':>8}")
    for r in results:
        print(f"{r['label']:40} {r['done']:>8} {r['seconds']:>8.2f} {rows / r['seconds']:>9.0f} {r['queries']:>8}")
    reference, ours = results[0], results[-1]
    assert reference["done"] == ours["done"] == rows, "both runs must handle every row"
    print(f"plugin vs reference: {reference['seconds'] / ours['seconds']:.1f}x faster, "
          f"{reference['queries'] / ours['queries']:.0f}x fewer queries\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(os.path.join(tmp, "bench.sqlite3"))
        (reference_course, plugin_course, dry_course), actor, data = make_world(args.rows)
        certificates = [
            measure("reference: core v2 algorithm", reference_core_v2, reference_course, data),
            measure("plugin: dry run (read, resolve, plan)", plugin, dry_course, actor, data, dry_run=True),
            measure("plugin: grant (plan, apply, audit)", plugin, plugin_course, actor, data),
        ]
        roster = make_roster(args.rows)
        invitations = [
            measure("reference: enroll_email per row", reference_enroll_by_email, empty_course("INVREF"), roster),
            measure("plugin: invite/enrol + external ids", plugin_invite, empty_course("INVPLUGIN"), actor, roster),
        ]
        memory = peak_memory(plugin, dry_course, actor, data, dry_run=True)
    report("Bulk certificate exceptions", args.rows, len(data), certificates, "granted")
    report("Bulk invitations", args.rows, len(roster), invitations, "done")
    print(f"Peak Python memory of a {args.rows}-row certificate dry run (read, resolve, plan): {memory:.1f} MiB")


if __name__ == "__main__":
    main()
