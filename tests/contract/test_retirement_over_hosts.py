"""
A learner's retirement, on every host: the host's retirement runs its steps and sends its signals (the LMS's, over
the fake LMS; the stand-in's ``retire``), the plugin's receivers are connected as the LMS connects them, and
afterwards no table or stored file of the plugin holds the learner's username, email or external ids.
"""
import csv
import io

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from edx_django_utils.plugins import connect_plugin_receivers

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk import operations, pipeline
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
from certexceptions_plugin.certificates.imports import CERTIFICATE_EXCEPTIONS
from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import RETIREMENT_SIGNALS
from certexceptions_plugin.invitations.imports import INVITATIONS
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.join_codes import services as join_codes
from certexceptions_plugin.privacy.models import UnfinishedRetirement

# What names the retiring learner, in any case: none of it may be left anywhere.
USERNAME, EMAIL = "ada_lovelace", "Ada.Lovelace@School.example"
EXTERNAL_IDS = ("ADA-A-0001", "ADA-B-0002", "ADA-C-0003")
RECEIVER_UID = "certexceptions_plugin.signals.forget_retired_learner"


def csv_upload(records) -> io.BytesIO:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(records)
    return io.BytesIO(buffer.getvalue().encode())


def roster(course, actor, rows, **options):
    return pipeline.run(INVITATIONS, course_key=course, actor=actor, options=options,
                        upload=csv_upload([("email", "name", "external_id"), *rows]))


def stored(status, course, actor, text, kind="invitations"):
    """A background import of ``text`` with its upload stored, in ``status``."""
    operation = operations.submit(kind=kind, course_key=course, actor=actor, upload=io.BytesIO(text.encode()),
                                  params={"options": {}, "dry_run": False}, rows_total=text.count("\n"))
    BulkOperation.objects.filter(id=operation.id).update(status=status)
    return operation


@pytest.fixture
def on_host(world, settings, tmp_path):
    """The world, with the features over its host, uploads in a storage of this test's own."""
    host = world.make_host()
    settings.CERTEXCEPTIONS_HOST = f"{type(host).__module__}.{type(host).__name__}"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return world


@pytest.fixture
def receivers(on_host):  # pylint: disable=unused-argument
    """The plugin's receivers connected to this host's retirement signals, as the LMS's PluginsConfig connects them."""
    connect_plugin_receivers("lms.djangoapp")
    yield
    for name in RETIREMENT_SIGNALS:
        get_host().retirement_signal(name=name).disconnect(dispatch_uid=RECEIVER_UID)


def plugin_tables_text() -> str:
    """Every row of every table of the plugin, as JSON text."""
    models = apps.get_app_config("certexceptions_plugin").get_models()
    return "\n".join(serializers.serialize("json", model.objects.all()) for model in models)


def stored_files_text() -> str:
    storage = operations.upload_storage()
    texts = []
    for path in operations.stored_uploads():
        with storage.open(path, "rb") as upload:
            texts.append(upload.read().decode())
    return "\n".join(texts)


def traces(text: str) -> list[str]:
    # JSON escapes non-ASCII and some punctuation; these identifiers have none of it.
    return [value for value in (USERNAME, EMAIL, *EXTERNAL_IDS) if value.lower() in text.lower()]


@pytest.mark.usefixtures("receivers")
def test_a_retired_learner_leaves_no_trace_in_the_plugin(on_host):
    world = on_host
    first, second, third, joined = (world.course(f"course-v1:ContractX+{name}+2026")
                                    for name in ("A", "B", "C", "D"))
    staff = world.user("staffer")
    # A pending invitation under the learner's email, before their account exists.
    roster(third, staff, [(EMAIL, "Ada Lovelace", EXTERNAL_IDS[2])], auto_enroll=False)
    ada = world.user(USERNAME, email=EMAIL)
    bob, carol = world.user("bob"), world.user("carol")
    # External ids in two courses, and rows naming the learner in other people's rows.
    roster(first, staff, [(EMAIL, "Ada Lovelace", EXTERNAL_IDS[0]), (bob.email, "Bob", "BOB-1")])
    roster(second, staff, [(EMAIL.upper(), "", EXTERNAL_IDS[1])])
    claim = roster(first, staff, [(carol.email, "", EXTERNAL_IDS[0].lower())])
    assert claim.rows[0].reason == "external_id_taken" and USERNAME in claim.rows[0].message
    # A certificate exception with notes about the learner, typed by username in another case.
    granted = pipeline.run(CERTIFICATE_EXCEPTIONS, course_key=first, actor=staff, options={},
                           upload=csv_upload([("username", "notes"), (USERNAME.upper(), "Ada's medical leave")]))
    assert granted.summary["granted"] == 1
    # The learner as an actor: joining a course with its code.
    join_codes.create_join_code(course_key=joined, actor=staff)
    assert join_codes.join(code=join_codes.get_join_code(course_key=joined).code, user=ada).status == "enrolled"
    # Stored uploads: a failed import kept for a retry, another person's, and one no operation names any more.
    failed = stored(BulkOperation.FAILED, second, staff, f"email,external_id\n{EMAIL},{EXTERNAL_IDS[1]}\n")
    kept = stored(BulkOperation.FAILED, second, staff, "email,external_id\nbob@example.com,BOB-2\n")
    orphan = operations.upload_storage().save("certexceptions_plugin/invitations/orphan.csv",
                                              ContentFile(f"email\n{EMAIL.lower()}\n".encode()))
    counts = (AuditEvent.objects.count(), BulkOperationRow.objects.count(), BulkOperation.objects.count())
    assert set(traces(plugin_tables_text())) == {USERNAME, EMAIL, *EXTERNAL_IDS}

    world.run_retirement(ada)

    assert traces(plugin_tables_text()) == []
    assert traces(stored_files_text()) == []
    storage = operations.upload_storage()
    assert not storage.exists(failed.file_path) and not storage.exists(orphan) and storage.exists(kept.file_path)
    assert not UnfinishedRetirement.objects.exists()
    # History is kept, under the retired names; other people's data is untouched.
    assert (AuditEvent.objects.count(), BulkOperationRow.objects.count(), BulkOperation.objects.count()) == counts
    retired = get_host().retirements(user_ids=[ada.id])[ada.id]
    assert AuditEvent.objects.filter(learner_username=retired.retired_username).count() >= 4
    assert AuditEvent.objects.filter(actor_username=retired.retired_username, action="join_code.joined").exists()
    assert dict(ExternalId.objects.values_list("external_id", "user_id")) == {"BOB-1": bob.id}
    assert AuditEvent.objects.filter(learner_username="bob", after__external_id="BOB-1").exists()
    (carol_row,) = claim.rows
    assert carol_row.fields["email"] == carol.email and retired.retired_username in carol_row.message


@pytest.mark.usefixtures("receivers")
def test_the_receivers_run_on_both_signals_and_the_second_finds_nothing_left(on_host, caplog):
    world = on_host
    course = world.course()
    staff = world.user("staffer")
    ada = world.user(USERNAME, email=EMAIL)
    roster(course, staff, [(EMAIL, "", EXTERNAL_IDS[0])])
    with caplog.at_level("INFO", logger="certexceptions_plugin.privacy.retirement"):
        world.run_retirement(ada)
    reports = [record.getMessage() for record in caplog.records if "retired user" in record.getMessage()]
    assert len(reports) == 2, reports  # USER_RETIRE_LMS_MISC, then USER_RETIRE_LMS_CRITICAL
    assert "external ids deleted: 1," in reports[0] and "external ids deleted: 0," in reports[1]
    assert all(str(ada.id) in report and USERNAME not in report for report in reports)
    assert not ExternalId.objects.exists()


def test_without_the_receivers_nothing_is_forgotten(on_host):
    """The test above can fail: the data stays when no receiver is connected to the host's signals."""
    world = on_host
    for name in RETIREMENT_SIGNALS:
        get_host().retirement_signal(name=name).disconnect(dispatch_uid=RECEIVER_UID)
    course = world.course()
    ada = world.user(USERNAME, email=EMAIL)
    roster(course, world.user("staffer"), [(EMAIL, "", EXTERNAL_IDS[0])])
    try:
        world.run_retirement(ada)
        assert set(traces(plugin_tables_text())) == {USERNAME, EMAIL, EXTERNAL_IDS[0]}
    finally:
        if world.name == "standalone":  # the standalone host connected them at start-up: connect them again
            connect_plugin_receivers("lms.djangoapp")


def test_plugin_tables_text_sees_every_model():
    """The check above reads every model of the plugin, the remembered retirements included."""
    names = {model.__name__ for model in apps.get_app_config("certexceptions_plugin").get_models()}
    assert {"ExternalId", "AuditEvent", "BulkOperation", "BulkOperationRow", "JoinCode",
            "UnfinishedRetirement"} <= names
