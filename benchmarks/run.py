"""
Benchmarks: the certificate-exception import against a reference run of core v2's algorithm, in one process.

The reference follows openedx-platform's BulkCertificateExceptionsView (PR #38464): read the whole upload, resolve
each identifier with its own query (get_user_by_username_or_email), bulk-validate, then write one entry at a time.
Both runs grant the same learners in fresh courses of the standalone host, on a temporary SQLite file.

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
    """Wall time and queries of one run; peak Python memory (tracemalloc) is taken over the same run."""
    from django.db import connection
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        granted = func(*args, **kwargs)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"label": label, "granted": granted, "seconds": elapsed, "queries": queries, "peak_mb": peak / 2**20}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(os.path.join(tmp, "bench.sqlite3"))
        (reference_course, plugin_course, dry_course), actor, data = make_world(args.rows)
        results = [
            measure("reference: core v2 algorithm", reference_core_v2, reference_course, data),
            measure("plugin: dry run (read, resolve, plan)", plugin, dry_course, actor, data, dry_run=True),
            measure("plugin: grant (plan, apply, audit)", plugin, plugin_course, actor, data),
        ]
    print(f"Bulk certificate exceptions, {args.rows} rows ({len(data) / 1024:.0f} KiB), SQLite, one process")
    print(f"{'run':40} {'granted':>8} {'seconds':>8} {'rows/s':>9} {'queries':>8} {'peak MiB':>9}")
    for r in results:
        print(f"{r['label']:40} {r['granted']:>8} {r['seconds']:>8.2f} {args.rows / r['seconds']:>9.0f} "
              f"{r['queries']:>8} {r['peak_mb']:>9.1f}")
    reference, _, ours = results
    assert reference["granted"] == ours["granted"] == args.rows, "both runs must grant every learner"
    print(f"plugin vs reference: {reference['seconds'] / ours['seconds']:.1f}x faster, "
          f"{reference['queries'] / ours['queries']:.0f}x fewer queries (and audited, with row-level reasons)")


if __name__ == "__main__":
    main()
