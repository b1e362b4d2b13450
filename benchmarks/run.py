"""
Benchmarks of the bulk imports at scale, each figure printed beside its target (issues 9 and 14).

    python benchmarks/run.py [--rows N] [--db sqlite|mysql] [--only certificates|invite]

``N`` (default 100,000) is the large certificate file; the comparison with the LMS's algorithm and the small memory
runs use N/10 rows, the invitation roster N/2. ``--only`` runs one part (on the same N learners). Without ``--db``
each database runs in a process of its own, SQLite (a temporary file) then MariaDB (a throwaway ``bench_…``
database on 127.0.0.1, created and dropped), and the last lines are one ``bench:`` line per database. Runs use the
standalone host's settings and schema (with the LMS's index on ``auth_user.email``), on N learners.

Certificate files hold 90% learners who are granted an exception and 10% failures (unknown learner, not enrolled,
invalidated certificate, duplicate in the file, too many columns). Figures:

* speedup_vs_seed: N/10 rows through a reference of the LMS's v2 bulk endpoint (BulkCertificateExceptionsView,
  PR #38464: one query per identifier, bulk validation, one ``update_or_create`` per learner) run as the LMS runs
  the view, in one transaction, divided by the plugin's time for the same file. The same reference in autocommit
  (every write its own commit) is timed too, for comparison, and so is the floor below on the same N/10 rows: the
  reference's time divided by the floor's is the most any import that writes those rows could reach (the ceiling).
* floor_ratio: the plugin's real import of N rows (``api.bulk_certificate_exceptions``: read, plan, write, audit,
  store the row results), divided by one ``bulk_create`` of the same allowlist rows.
* queries_per_1000: SQL statements of that import (plan + apply) per 1,000 rows, captured in a run of its own
  (an ``executemany`` counts as one, as Django logs it); on MariaDB also the statements the server received
  (its ``Questions`` counter), where mysqlclient may split an ``executemany`` into several multi-row INSERTs.
* peak_mb_*: peak Python memory growth (tracemalloc) of an import of N/10 and of N rows, each in a run of its own,
  through the Python API and through the upload path (``operations.import_or_submit`` given the upload as Django
  hands a large one to the view, a ``TemporaryUploadedFile``: it is stored, then run as an operation).
* invite_speedup, invite_queries_per_1000: a roster of N/2 rows (half existing accounts, half new emails, each with
  an external id) through ``api.bulk_invite``, against a per-row reference of the LMS's enrolment by email (look
  the email up, enrol or invite, record the manual enrolment, set the external id, one row at a time, in one
  transaction); the SQL statements of the import and of its dry run per 1,000 rows, each captured in a run of its
  own (an ``executemany`` counts as one statement, as Django counts it).
  Then the same roster again into the course the import filled, every id changed (so the file is planned in
  two passes, as any import into a course holding ids is): its time against the same reference is shown beside.
* invite_peak_mb: peak Python memory growth (tracemalloc) of a roster import of N/2 rows, beside one of N/20 rows.

Times are wall clock, one run each, with no query capture or memory tracing (a reference's query count comes from
a bare counter). A cProfile of the N-row certificate import goes to ``benchmarks/out/profile-<db>.txt``. This
reports; it never fails on a missed target.
"""
import argparse
import cProfile
import csv
import gc
import io
import os
import pstats
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter, deque
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
sys.path.insert(0, ROOT)

DATABASES = ("sqlite", "mysql")
PARTS = ("certificates", "invite")
DATABASE_NAMES = {"sqlite": "SQLite", "mysql": "MariaDB"}
MIB = 2**20
#: Where a row of the certificate file falls in each block of 50 rows: the last five slots are failures.
BLOCK, NOT_FOUND, NOT_ENROLLED, INVALIDATED, DUPLICATE, INVALID_ROW = 50, 45, 46, 47, 48, 49
ENROLLMENT_REASON = "benchmark roster"


@dataclass(frozen=True)
class Target:
    """What a figure should be: at most (``<=``) or at least (``>=``) ``bound``."""

    op: str
    bound: float

    def met(self, value: float) -> bool:
        return value <= self.bound if self.op == "<=" else value >= self.bound

    def __str__(self):
        return f"{self.op} {self.bound:g}"


TARGETS = {
    "speedup_vs_seed": Target(">=", 50),
    "floor_ratio": Target("<=", 3),
    "queries_per_1000": Target("<=", 10),
    "peak_mb": Target("<=", 50),
    "peak_mb_step": Target("<=", 10),
    "invite_speedup": Target(">=", 10),
    "invite_queries_per_1000": Target("<=", 10),
}


# --- one database, in this process ----------------------------------------------------------------------------

def configure(db: str, home: str) -> str | None:
    """Point the standalone settings at ``db``; return the MariaDB database to drop afterwards, if any."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "certexceptions_plugin.standalone.settings"
    os.environ["CERTEXCEPTIONS_HOME"] = home  # the JWT key pair and stored uploads go there, not into the tree
    os.environ.pop("CERTEXCEPTIONS_CELERY_BROKER", None)  # operations run eagerly, in this process
    if db == "sqlite":
        os.environ["CERTEXCEPTIONS_TEST_DB"] = "sqlite"
        os.environ["CERTEXCEPTIONS_DB"] = os.path.join(home, "bench.sqlite3")
        return None
    import MySQLdb  # pylint: disable=import-outside-toplevel
    name = f"bench_certexceptions_{uuid.uuid4().hex[:8]}"
    connection = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", password="")
    connection.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()
    os.environ["CERTEXCEPTIONS_TEST_DB"] = "mysql"
    os.environ["MYSQL_DATABASE"] = name
    return name


def drop_database(name: str) -> None:
    import MySQLdb  # pylint: disable=import-outside-toplevel
    connection = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", password="")
    connection.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    connection.close()


def setup_django(rows: int) -> None:
    import django  # pylint: disable=import-outside-toplevel
    django.setup()
    import logging  # pylint: disable=import-outside-toplevel

    from django.conf import settings  # pylint: disable=import-outside-toplevel
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel
    # The audit log's INFO lines would go to the console, one per change.
    logging.getLogger("certexceptions_plugin").setLevel(logging.WARNING)
    settings.CERTEXCEPTIONS_MAX_ROWS = max(settings.CERTEXCEPTIONS_MAX_ROWS, rows)
    call_command("migrate", verbosity=0)


def run_database(db: str, rows: int, only: str | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="certexceptions-bench-") as home:
        database = configure(db, home)
        try:
            setup_django(rows)
            Benchmark(db, rows, only).run()
        finally:
            if database:
                from django.db import connections  # pylint: disable=import-outside-toplevel
                connections.close_all()
                drop_database(database)


# --- generated data -------------------------------------------------------------------------------------------

def certificate_file(rows: int) -> bytes:
    """``rows`` rows: in each block of 50, 45 learners to grant, then one row of each failure."""
    lines = ["username_or_email,notes"]
    for n in range(rows):
        slot = n % BLOCK
        if slot == NOT_FOUND:
            lines.append(f"nobody{n}@example.com,bench note {n}")
        elif slot == NOT_ENROLLED:
            lines.append(f"bench{n},bench note {n}")
        elif slot == INVALIDATED:
            lines.append(f"bench{n}@example.com,bench note {n}")
        elif slot == DUPLICATE:  # the learner of a row 40 rows up, by email
            lines.append(f"bench{n - 40}@example.com,again")
        elif slot == INVALID_ROW:
            lines.append(f"bench{n},bench note {n},an extra column")
        else:
            lines.append(f"{f'bench{n}@example.com' if n % 2 else f'bench{n}'},bench note {n}")
    return ("\n".join(lines) + "\n").encode()


def granted_in(rows: int) -> list[int]:
    """The learners (by number) a certificate file of ``rows`` rows grants."""
    return [n for n in range(rows) if n % BLOCK < NOT_FOUND]


def roster_file(rows: int, id_prefix: str = "") -> bytes:
    """Even rows: existing accounts, to enrol; odd rows: new emails, to invite. Each with an external id."""
    lines = ["email,name,student_id"]
    for n in range(rows):
        if n % 2:
            lines.append(f"new{n}@school.example,New Learner {n},{id_prefix}N{n:07d}")
        else:
            lines.append(f"bench{n}@example.com,Bench Learner {n},{id_prefix}B{n:07d}")
    return ("\n".join(lines) + "\n").encode()


def make_world(rows: int):
    """``rows`` learners; the certificate course, where all but the not-enrolled ones are enrolled; an actor."""
    from django.contrib.auth import get_user_model  # pylint: disable=import-outside-toplevel

    from certexceptions_plugin.standalone import models  # pylint: disable=import-outside-toplevel
    User = get_user_model()
    User.objects.bulk_create((User(username=f"bench{n}", email=f"bench{n}@example.com") for n in range(rows)),
                             batch_size=5000)
    user_ids = dict(User.objects.filter(username__startswith="bench").values_list("username", "id"))
    course = new_course("CERTIFICATES")
    models.CourseEnrollment.objects.bulk_create(
        (models.CourseEnrollment(user_id=user_ids[f"bench{n}"], course_id=course) for n in range(rows)
         if n % BLOCK != NOT_ENROLLED), batch_size=5000)
    actor = User.objects.create(username="bench-actor", email="actor@example.com", is_staff=True)
    invalidated = [user_ids[f"bench{n}"] for n in range(rows) if n % BLOCK == INVALIDATED]
    models.GeneratedCertificate.objects.bulk_create(
        models.GeneratedCertificate(user_id=user_id, course_id=course) for user_id in invalidated)
    models.CertificateInvalidation.objects.bulk_create(
        models.CertificateInvalidation(generated_certificate=certificate, invalidated_by=actor)
        for certificate in models.GeneratedCertificate.objects.filter(course_id=course))
    return course, actor, user_ids


def new_course(name: str):
    from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel

    from certexceptions_plugin.standalone import models  # pylint: disable=import-outside-toplevel
    key = CourseKey.from_string(f"course-v1:Bench+{name}+2026")
    models.Course.objects.create(id=key, display_name=name, org="Bench")
    return key


def reset(course=None) -> None:
    """Undo a certificate import of ``course``: its allowlist; and every operation, row result and audit event."""
    # pylint: disable=import-outside-toplevel
    from certexceptions_plugin.audit.models import AuditEvent
    from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
    from certexceptions_plugin.standalone import models
    if course is not None:
        models.CertificateAllowlist.objects.filter(course_id=course).delete()
    BulkOperationRow.objects.all().delete()
    BulkOperation.objects.all().delete()
    AuditEvent.objects.all().delete()


# --- what is measured -----------------------------------------------------------------------------------------

def reference_core_v2(course_key, data: bytes) -> int:
    """
    openedx-platform's BulkCertificateExceptionsView, on the standalone tables: read the whole upload, resolve each
    identifier with its own query (get_user_by_username_or_email), bulk-validate, then
    create_or_update_certificate_allowlist_entry (update_or_create) per learner. Returns the entries written.
    """
    # pylint: disable=import-outside-toplevel
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
    written = 0
    for learner, user in learner_to_user.items():
        if user.id in enrolled and user.id not in allowlisted and user.id not in invalid:
            models.CertificateAllowlist.objects.update_or_create(
                user=user, course_id=course_key, defaults={"allowlist": True, "notes": notes_by_learner[learner]})
            written += 1
    return written


def as_request(reference):
    """
    ``reference`` run as the LMS runs its views: in one transaction (the LMS's ATOMIC_REQUESTS; neither view opts
    out), so each row's writes are savepoints, not commits of their own.
    """
    def in_one_transaction(*args):
        from django.db import transaction  # pylint: disable=import-outside-toplevel
        with transaction.atomic():
            return reference(*args)
    return in_one_transaction


def plugin_certificates(course_key, actor, data: bytes) -> dict:
    from certexceptions_plugin import api  # pylint: disable=import-outside-toplevel
    return api.bulk_certificate_exceptions(course_key=course_key, actor=actor, csv_file=io.BytesIO(data)).summary


def temporary_upload(data: bytes):
    """The upload as Django's upload handler hands a large file to the view: a temporary file on disk."""
    from django.core.files.uploadedfile import TemporaryUploadedFile  # pylint: disable=import-outside-toplevel
    upload = TemporaryUploadedFile("bench.csv", "text/csv", len(data), None)
    upload.write(data)
    upload.seek(0)
    return upload


def upload_certificates(course_key, actor, upload) -> dict:
    """The upload view's path: check the upload, then import it now or store it and run it as an operation."""
    # pylint: disable=import-outside-toplevel
    from certexceptions_plugin.bulk import operations
    from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS
    try:
        accepted = operations.import_or_submit(CERTIFICATE_EXCEPTIONS, course_key=course_key, actor=actor,
                                               upload=upload, options={"action": "grant"})
    finally:
        upload.close()  # the storage moved the temporary file (as for a real upload); closing forgets it
    accepted.operation.refresh_from_db()
    return accepted.operation.summary or {"status": accepted.operation.status}


def floor(course_key, user_ids: dict, granted: list[int]) -> int:
    """The database's floor: the allowlist rows the import writes, in one bulk_create."""
    from certexceptions_plugin.standalone import models  # pylint: disable=import-outside-toplevel
    created = models.CertificateAllowlist.objects.bulk_create(
        models.CertificateAllowlist(user_id=user_ids[f"bench{n}"], course_id=course_key, allowlist=True,
                                    notes=f"bench note {n}")
        for n in granted)
    return len(created)


def reference_enroll_by_email(course_key, actor, data: bytes) -> int:
    """
    The LMS's enrolment by email, one row at a time, on the standalone tables (instructor v2 EnrollmentModifyView:
    get_student_from_identifier, enroll_email, ManualEnrollmentAudit.create_manual_enrollment_audit), then the row's
    external id. Returns the rows written.
    """
    # pylint: disable=import-outside-toplevel
    from django.contrib.auth import get_user_model
    from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
    from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

    from certexceptions_plugin.invitations.models import ExternalId
    from certexceptions_plugin.standalone import models
    User = get_user_model()
    course = models.Course.objects.get(id=course_key)
    done = 0
    for email, _name, external_id in list(csv.reader(data.decode("utf-8-sig").splitlines()))[1:]:
        user = User.objects.filter(email=email).first()
        if user and user.is_active:
            enrollment, _ = models.CourseEnrollment.objects.update_or_create(
                user=user, course_id=course_key, defaults={"is_active": True})
            COURSE_ENROLLMENT_CREATED.send_event(enrollment=CourseEnrollmentData(
                user=UserData(id=user.id, is_active=True, pii=UserPersonalData(username=user.username, email=email)),
                course=CourseData(course_key=course_key, display_name=course.display_name),
                mode=enrollment.mode, is_active=True, creation_date=enrollment.created))
            models.ManualEnrollmentAudit.objects.create(
                enrollment=enrollment, enrolled_by=actor, enrolled_email=email, reason=ENROLLMENT_REASON,
                state_transition=models.UNENROLLED_TO_ENROLLED)
            ExternalId.objects.update_or_create(course_key=course_key, user=user,
                                                defaults={"external_id": external_id})
        else:
            models.CourseEnrollmentAllowed.objects.update_or_create(course_id=course_key, email=email,
                                                                    defaults={"auto_enroll": True})
            models.ManualEnrollmentAudit.objects.create(
                enrolled_by=actor, enrolled_email=email, reason=ENROLLMENT_REASON,
                state_transition=models.UNENROLLED_TO_ALLOWEDTOENROLL)
            ExternalId.objects.update_or_create(course_key=course_key, email=email,
                                                defaults={"external_id": external_id})
        done += 1
    return done


def plugin_invite(course_key, actor, data: bytes, dry_run: bool = False) -> dict:
    from certexceptions_plugin import api  # pylint: disable=import-outside-toplevel
    return api.bulk_invite(course_key=course_key, actor=actor, csv_file=io.BytesIO(data), dry_run=dry_run).summary


# --- measuring ------------------------------------------------------------------------------------------------

@dataclass
class Run:
    label: str
    rows: int
    seconds: float
    result: object
    queries: int | None = None


def timed(label: str, rows: int, func, *args, count_queries: bool = False) -> Run:
    """One run, wall clock; ``count_queries`` counts statements with a bare execute wrapper (no SQL kept)."""
    from django.db import connection  # pylint: disable=import-outside-toplevel
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    gc.collect()
    started = time.perf_counter()
    if count_queries:
        with connection.execute_wrapper(count):
            result = func(*args)
    else:
        result = func(*args)
    return Run(label, rows, time.perf_counter() - started, result, queries if count_queries else None)


def captured_queries(func, *args) -> tuple[object, list[str]]:
    """The SQL of every statement ``func`` runs (CaptureQueriesContext, with no cap on how many it keeps)."""
    # pylint: disable=import-outside-toplevel
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    connection.queries_log = deque(maxlen=None)
    try:
        with CaptureQueriesContext(connection) as context:
            result = func(*args)
        return result, [query["sql"] for query in context.captured_queries]
    finally:
        connection.queries_log = deque(maxlen=connection.queries_limit)


STATEMENT = re.compile(r"^\s*(SELECT|INSERT (?:OR )?(?:IGNORE )?INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE SAVEPOINT|"
                       r"ROLLBACK TO SAVEPOINT|BEGIN|COMMIT)\b", re.IGNORECASE)
TABLE = re.compile(r"(?:FROM|INTO|UPDATE)\s+[`\"]?(\w+)", re.IGNORECASE)


#: How Django logs an ``executemany``: "2000 times: INSERT ...".
EXECUTEMANY = re.compile(r"^(\d+) times: ")


def statement_kind(sql: str) -> str:
    """``SELECT auth_user``, ``INSERT standalone_certificateallowlist``, ``SAVEPOINT``, ``INSERT … (executemany)``"""
    if many := EXECUTEMANY.match(sql):
        return f"{statement_kind(sql[many.end():])} (executemany)"
    match = STATEMENT.match(sql)
    verb = match.group(1).upper().split()[0] if match else sql.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return verb
    table = TABLE.search(sql)
    return f"{verb} {table.group(1) if table else '?'}"


def server_statements(func, *args) -> tuple[object, int]:
    """
    The statements MariaDB received while ``func`` ran (its session's ``Questions``): mysqlclient sends one
    ``executemany`` INSERT as as many multi-row INSERTs as its size needs, which Django counts as one.
    """
    from django.db import connection  # pylint: disable=import-outside-toplevel

    def questions() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SHOW SESSION STATUS LIKE 'Questions'")
            return int(cursor.fetchone()[1])
    before = questions()
    result = func(*args)
    return result, questions() - before - 1  # the second SHOW counts itself


def peak_growth(func, *args) -> tuple[object, float]:
    """Peak Python memory growth (tracemalloc) of one run, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        result = func(*args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak / MIB


def profile(path: str, func, *args) -> tuple[object, pstats.Stats]:
    """cProfile of one run; the top 25 by cumulative and by own time go to ``path``."""
    profiler = cProfile.Profile()
    result = profiler.runcall(func, *args)
    stats = pstats.Stats(profiler)
    stats.dump_stats(path.replace(".txt", ".prof"))
    with open(path, "w", encoding="utf-8") as out:
        for order in ("cumulative", "tottime"):
            out.write(f"=== sorted by {order}, top 25 ===\n")
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(25)
    return result, stats


def top_lines(stats: pstats.Stats, order: str, count: int) -> list[str]:
    """The first ``count`` functions by ``order``, one short line each."""
    stats.sort_stats(order)
    lines = [f"  {'ncalls':>9} {'tottime':>8} {'cumtime':>8}  function"]
    for key in stats.fcn_list[:count]:  # pylint: disable=no-member
        _cc, calls, own, cumulative, _callers = stats.stats[key]  # pylint: disable=no-member
        lines.append(f"  {calls:>9} {own:>8.2f} {cumulative:>8.2f}  {short_function(key)}")
    return lines


#: Parts of an import, found in its profile by (file, function): what each costs, calls included.
PHASES = (
    ("read the file (check, then one pass)", "bulk/reader.py", "rows"),
    ("plan the chunks (resolve, classify)", "certificates/importer.py", "plan"),
    ("write batches (one transaction each)", "bulk/engine.py", "write"),
    ("  allowlist writes (host)", "standalone/host.py", "grant_certificate_exceptions"),
    ("  audit events", "audit/api.py", "record_events"),
    ("store row results (all rows)", "bulk/pipeline.py", "store_rows"),
)


def phase_lines(stats: pstats.Stats) -> list[str]:
    total = max(ct for _cc, _nc, _tt, ct, _callers in stats.stats.values())  # pylint: disable=no-member
    lines = []
    for label, filename, name in PHASES:
        cumulative = sum(ct for (path, _line, function), (_cc, _nc, _tt, ct, _callers)
                         in stats.stats.items()  # pylint: disable=no-member
                         if path.endswith(filename) and function == name)
        lines.append(f"  {label:44} {cumulative:>7.2f} s {cumulative / total:>5.0%}")
    return lines


def short_function(key) -> str:
    filename, line, name = key
    if filename == "~":
        return name
    for marker in ("site-packages/", ROOT + "/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
    return f"{filename}:{line}({name})"


# --- the benchmark of one database ----------------------------------------------------------------------------

class Benchmark:  # pylint: disable=too-many-instance-attributes
    """Every figure of one database, measured in this process."""

    def __init__(self, db: str, rows: int, only: str | None = None):
        self.db, self.rows, self.only = db, rows, only
        self.small = max(rows // 10, 1)
        self.invite_rows = max(rows // 2, 1)
        self.figures: dict[str, float] = {}

    def run(self) -> None:
        started = time.perf_counter()
        print(f"== {DATABASE_NAMES[self.db]}: setting up {self.rows:,} learners", flush=True)
        self.course, self.actor, self.user_ids = make_world(self.rows)
        self.warm_up()
        if self.only in (None, "certificates"):
            self.certificates()
        if self.only in (None, "invite"):
            self.invitations()
        self.print_targets()
        print(f"({DATABASE_NAMES[self.db]}: {time.perf_counter() - started:.0f} s in all)\n")
        print(self.bench_line(), flush=True)

    def warm_up(self) -> None:
        """Load every module, translation and cached query plan the runs use, so the first run is not charged."""
        data = certificate_file(min(self.rows, 100))
        reference_core_v2(self.course, data)
        reset(self.course)
        plugin_certificates(self.course, self.actor, data)
        reset(self.course)
        plugin_invite(new_course("WARMUP"), self.actor, roster_file(min(self.invite_rows, 100)))

    # certificates
    def certificates(self) -> None:
        large, small = certificate_file(self.rows), certificate_file(self.small)
        granted = len(granted_in(self.rows))
        print(f"\nCertificate exceptions, {DATABASE_NAMES[self.db]}: {self.rows:,}-row file ({len(large) / MIB:.1f} "
              f"MiB), {granted / self.rows:.0%} granted, the rest failures of five reasons", flush=True)
        reference, autocommit, small_floor, small_run = self.against_reference(small)
        floor_run, import_run = self.against_floor(large)
        note("certificates: counting the queries of an import")
        summary, queries = self.fresh(captured_queries, plugin_certificates, self.course, self.actor, large)
        self.check(summary, granted, self.rows)
        import_run.queries = len(queries)
        if self.db == "mysql":
            note("certificates: counting the statements MariaDB receives")
            summary, received = self.fresh(server_statements, plugin_certificates, self.course, self.actor, large)
            self.check(summary, granted, self.rows)
            self.figures["server_statements_per_1000"] = received / (self.rows / 1000)
        print_runs([reference, autocommit, small_floor, small_run, floor_run, import_run])
        print(f"  plugin vs reference on {self.small:,} rows: {reference.seconds / small_run.seconds:.1f}x faster "
              f"({autocommit.seconds / small_run.seconds:.1f}x against the autocommit reference); the floor alone is "
              f"{reference.seconds / small_floor.seconds:.1f}x faster than the reference, the most any import that "
              f"writes the rows could be\n")
        print_queries(f"Queries of the {self.rows:,}-row import", queries, self.rows)
        if "server_statements_per_1000" in self.figures:
            print(f"Statements MariaDB received for the same import: "
                  f"{self.figures['server_statements_per_1000']:.1f} per 1,000 rows\n")
        self.figures.update(
            speedup_vs_seed=reference.seconds / small_run.seconds,
            speedup_ceiling=reference.seconds / small_floor.seconds,
            floor_ratio=import_run.seconds / floor_run.seconds,
            queries_per_1000=len(queries) / (self.rows / 1000),
        )
        self.memory(small, large)
        self.profile(large)

    def against_reference(self, small: bytes) -> list[Run]:
        note(f"certificates: the references and the plugin on {self.small:,} rows")
        runs = [
            self.fresh(timed, "reference: LMS v2 view, in one transaction", self.small,
                       as_request(reference_core_v2), self.course, small, count_queries=True),
            self.fresh(timed, "reference, autocommit: each write commits", self.small, reference_core_v2,
                       self.course, small),
            self.fresh(timed, "floor: one bulk_create of the granted rows", self.small, floor, self.course,
                       self.user_ids, granted_in(self.small)),
            self.fresh(timed, "plugin: import (plan + apply)", self.small, plugin_certificates, self.course,
                       self.actor, small),
        ]
        self.check(runs[-1].result, len(granted_in(self.small)), self.small)
        return runs

    def against_floor(self, large: bytes) -> list[Run]:
        note(f"certificates: the floor and the plugin on {self.rows:,} rows")
        granted = granted_in(self.rows)
        runs = [
            self.fresh(timed, "floor: one bulk_create of the granted rows", self.rows, floor, self.course,
                       self.user_ids, granted),
            self.fresh(timed, "plugin: import (plan + apply)", self.rows, plugin_certificates, self.course,
                       self.actor, large),
        ]
        for run in runs:
            self.check(run.result, len(granted), self.rows)
        return runs

    def memory(self, small: bytes, large: bytes) -> None:
        print("Peak Python memory growth (tracemalloc), certificate import", flush=True)
        print(f"  {'path':36} {f'{self.small:,} rows':>12} {f'{self.rows:,} rows':>12} {'growth':>8}")
        paths = (("api", "api.bulk_certificate_exceptions", plugin_certificates, lambda data: data),
                 ("upload", "upload (operations.import_or_submit)", upload_certificates, temporary_upload))
        for key, label, func, upload in paths:
            note(f"certificates: memory through {label}")
            peaks = []
            for content, rows in ((small, self.small), (large, self.rows)):
                summary, peak = self.fresh(peak_growth, func, self.course, self.actor, upload(content))
                self.check(summary, len(granted_in(rows)), rows)
                peaks.append(peak)
            print(f"  {label:36} {peaks[0]:>9.1f} MB {peaks[1]:>9.1f} MB {peaks[1] - peaks[0]:>+5.1f} MB")
            self.figures[f"peak_mb_small_{key}"], self.figures[f"peak_mb_100k_{key}"] = peaks
        self.figures["peak_mb_100k"] = max(self.figures["peak_mb_100k_api"], self.figures["peak_mb_100k_upload"])
        self.figures["peak_mb_step"] = max(self.figures[f"peak_mb_100k_{key}"] - self.figures[f"peak_mb_small_{key}"]
                                           for key in ("api", "upload"))
        print()

    def profile(self, large: bytes) -> None:
        os.makedirs(OUT, exist_ok=True)
        path = os.path.join(OUT, f"profile-{self.db}.txt")
        note("certificates: profiling an import")
        summary, stats = self.fresh(profile, path, plugin_certificates, self.course, self.actor, large)
        self.check(summary, len(granted_in(self.rows)), self.rows)
        print(f"cProfile of the {self.rows:,}-row import ({os.path.relpath(path, ROOT)}; top 25 there); "
              f"where its time goes (profiled time, calls included):")
        print("\n".join(phase_lines(stats)))
        for order in ("cumulative", "tottime"):
            print(f" top 10 by {order}:")
            print("\n".join(top_lines(stats, order, 10)))
        print(flush=True)

    def fresh(self, measure, *args, course=..., **kwargs):
        """
        A measurement with no operation, row result or audit event stored yet, and by default on the certificate
        course as it was before any import.
        """
        course = self.course if course is ... else course
        reset(course)
        try:
            return measure(*args, **kwargs)
        finally:
            reset(course)

    @staticmethod
    def check(summary, granted: int, rows: int) -> None:
        """Every run must do the work it is timed for; a run that does not is reported, loudly."""
        if isinstance(summary, int):
            ok = summary == granted
        else:
            ok = summary.get("granted") == granted and summary.get("rows") == rows
        if not ok:
            print(f"  !! a run did not do the expected work: expected {granted} of {rows} rows granted, got "
                  f"{summary}", flush=True)

    @staticmethod
    def check_roster(summary: dict, rows: int, counts=("enrolled", "invited")) -> None:
        """A roster run must do the work it is timed for: the ``counts`` of its summary add up to its rows."""
        done = sum(summary.get(count, 0) for count in counts)
        if done != rows:
            print(f"  !! a roster run did not do the expected work: {' + '.join(counts)} is {done}, not {rows}: "
                  f"{summary}", flush=True)

    # invitations
    def invitations(self) -> None:
        roster = roster_file(self.invite_rows)
        print(f"Invitations, {DATABASE_NAMES[self.db]}: {self.invite_rows:,}-row roster ({len(roster) / MIB:.1f} "
              f"MiB), half existing accounts, half new emails, each with an external id", flush=True)
        note("invitations: the reference, one row at a time")
        runs = [self.fresh(timed, "reference: enroll_email per row, one transaction", self.invite_rows,
                           as_request(reference_enroll_by_email), new_course("INVITE-REFERENCE"), self.actor, roster,
                           count_queries=True, course=None)]
        note("invitations: the plugin, timed, then counted")
        course = new_course("INVITE")
        runs.append(self.fresh(timed, "plugin: invite/enrol + external ids", self.invite_rows, plugin_invite,
                               course, self.actor, roster, course=None))
        note("invitations: the plugin again, every id changed")
        reimport = self.fresh(timed, "plugin: the same roster again, new ids", self.invite_rows, plugin_invite,
                              course, self.actor, roster_file(self.invite_rows, id_prefix="R"), course=None)
        self.check_roster(reimport.result, self.invite_rows, counts=("external_id_updated",))
        summary, queries = self.fresh(captured_queries, plugin_invite, new_course("INVITE-QUERIES"), self.actor,
                                      roster, course=None)
        for done in (runs[1].result, summary):
            self.check_roster(done, self.invite_rows)
        runs[1].queries = len(queries)
        note("invitations: counting the queries of a dry run")
        _, dry_run_queries = self.fresh(captured_queries, plugin_invite, new_course("INVITE-DRY-RUN"), self.actor,
                                        roster, True, course=None)
        print_runs([*runs, reimport])
        print()
        print_queries(f"Queries of the {self.invite_rows:,}-row roster import", queries, self.invite_rows)
        print_queries("Queries of its dry run", dry_run_queries, self.invite_rows)
        self.figures.update(invite_speedup=runs[0].seconds / runs[1].seconds,
                            invite_reimport_speedup=runs[0].seconds / reimport.seconds,
                            invite_queries_per_1000=len(queries) / (self.invite_rows / 1000),
                            invite_dry_run_queries_per_1000=len(dry_run_queries) / (self.invite_rows / 1000))
        self.invitation_memory()

    def invitation_memory(self) -> None:
        small = max(self.invite_rows // 10, 1)
        peaks = []
        for rows in (small, self.invite_rows):
            note(f"invitations: memory of a {rows:,}-row roster")
            summary, peak = self.fresh(peak_growth, plugin_invite, new_course(f"INVITE-MEMORY-{rows}"), self.actor,
                                       roster_file(rows), course=None)
            self.check_roster(summary, rows)
            peaks.append(peak)
        print(f"Peak Python memory growth (tracemalloc), roster import: {small:,} rows {peaks[0]:.1f} MB, "
              f"{self.invite_rows:,} rows {peaks[1]:.1f} MB ({peaks[1] - peaks[0]:+.1f} MB)\n")
        self.figures["invite_peak_mb"] = peaks[1]

    # results
    def print_targets(self) -> None:
        rows = [
            (f"speedup_vs_seed ({self.small:,} rows)", "speedup_vs_seed", "x", "speedup_vs_seed"),
            ("  the floor's own speedup (the ceiling)", "speedup_ceiling", "x", "speedup_vs_seed"),
            (f"floor_ratio ({self.rows:,} rows)", "floor_ratio", "", "floor_ratio"),
            ("queries_per_1000 (certificates)", "queries_per_1000", "", "queries_per_1000"),
            ("  as MariaDB received them", "server_statements_per_1000", "", "queries_per_1000"),
            (f"peak MB, {self.rows:,} rows, api", "peak_mb_100k_api", " MB", "peak_mb"),
            (f"peak MB, {self.rows:,} rows, upload", "peak_mb_100k_upload", " MB", "peak_mb"),
            (f"peak MB, {self.rows:,} over {self.small:,} rows", "peak_mb_step", " MB", "peak_mb_step"),
            (f"invite_speedup ({self.invite_rows:,} rows)", "invite_speedup", "x", "invite_speedup"),
            ("  the re-import, every id changed", "invite_reimport_speedup", "x", "invite_speedup"),
            ("invite_queries_per_1000", "invite_queries_per_1000", "", "invite_queries_per_1000"),
            ("invite_dry_run_queries_per_1000", "invite_dry_run_queries_per_1000", "", "invite_queries_per_1000"),
            (f"peak MB, {self.invite_rows:,}-row roster", "invite_peak_mb", " MB", "peak_mb"),
        ]
        print(f"Targets, {DATABASE_NAMES[self.db]}")
        print(f"  {'figure':40} {'value':>10} {'target':>9}  met")
        for label, figure, unit, target in rows:
            if figure in self.figures:  # a part left out with --only has no figures
                value = self.figures[figure]
                met = "yes" if TARGETS[target].met(value) else "NO"
                print(f"  {label:40} {f'{value:.1f}{unit}':>10} {str(TARGETS[target]):>9}  {met}")

    def bench_line(self) -> str:
        formats = {"speedup_vs_seed": ".1f", "floor_ratio": ".2f", "queries_per_1000": ".1f", "peak_mb_100k": ".1f",
                   "invite_speedup": ".1f", "invite_queries_per_1000": ".1f", "invite_peak_mb": ".1f"}
        return " ".join([f"bench: db={self.db}"] + [f"{name}={self.figures[name]:{spec}}"
                                                     for name, spec in formats.items() if name in self.figures])


def note(message: str) -> None:
    """Progress, on stderr: the tables stay on stdout."""
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def print_runs(runs: list[Run]) -> None:
    print(f"  {'run':46} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'queries':>8}")
    for run in runs:
        queries = "" if run.queries is None else f"{run.queries:,}"
        print(f"  {run.label:46} {run.rows:>8,} {run.seconds:>8.2f} {run.rows / run.seconds:>8,.0f} {queries:>8}")


def print_queries(title: str, queries: list[str], rows: int) -> None:
    kinds = Counter(statement_kind(sql) for sql in queries)
    print(f"{title}: {len(queries):,} statements, {len(queries) / (rows / 1000):.1f} per 1,000 rows")
    for kind, count in kinds.most_common():
        print(f"  {count:>7,}  {count / (rows / 1000):>6.2f}/1,000  {kind}")
    print()


# --- every database, each in its own process ------------------------------------------------------------------

def run_all(rows: int, only: str | None = None) -> int:
    """Run each database in a child process, passing its output through; the ``bench:`` lines come last."""
    lines, status, started = [], 0, time.perf_counter()
    for db in DATABASES:
        child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--rows", str(rows), "--db", db]
                                 + (["--only", only] if only else []),
                                 stdout=subprocess.PIPE, text=True, bufsize=1)
        for line in child.stdout:
            if line.startswith("bench:"):
                lines.append(line.rstrip("\n"))
            else:
                print(line, end="", flush=True)
        if child.wait():
            status = child.returncode
            lines.append(f"bench: db={db} error=exit status {child.returncode}")
    print(f"(all databases: {(time.perf_counter() - started) / 60:.0f} min)")
    print("\n".join(lines))
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the large certificate file")
    parser.add_argument("--db", choices=DATABASES, help="one database, in this process (default: each in turn)")
    parser.add_argument("--only", choices=PARTS, help="one part of the benchmark (default: every part)")
    args = parser.parse_args()
    if args.db is None:
        return run_all(args.rows, args.only)
    run_database(args.db, args.rows, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
