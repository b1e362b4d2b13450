"""
Forgetting a learner the LMS retires: the one place that knows where the plugin keeps a person's data.

The LMS's retirement views send ``USER_RETIRE_LMS_MISC`` and then ``USER_RETIRE_LMS_CRITICAL`` (the receivers are
in :mod:`certexceptions_plugin.signals`). By then the account's email is already its retired form, so the learner
is found by user id and by the original username and email of the LMS's retirement record (``Host.retirements``).
Both signals do the same work; the second finds nothing left to do.

* ``ExternalId``: the learner's external ids in every course, and those of pending invitations of the original
  email, are deleted.
* ``AuditEvent``: kept (counts and history matter), with the learner's username and email, as learner or as actor,
  replaced by the retired ones; in the learner's own events, ``before`` / ``after`` too, where external ids and
  notes are redacted. Other events of a course that hold one of the learner's ids there have it redacted.
* ``BulkOperationRow``: the learner's rows keep their number, outcome and reason; their username and email become
  the retired ones, their other personal fields are redacted and their message says why. Other rows that name the
  learner (an external id "already belongs to" them) name the retired username or email instead, and rows of a
  course that claimed one of the learner's ids there have it redacted.
* Stored uploads that name the learner (or, for an import into a course, hold one of their ids there) are deleted:
  a failed import whose file is gone cannot be started again (upload it again). An upload whose import is still
  running is left to it; the retirement stays unfinished, and ``retire_learner_data`` finishes it once the import
  is done.

A retirement that fails or must wait is remembered (:class:`UnfinishedRetirement`) for ``retire_learner_data``.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.bulk import operations
from certexceptions_plugin.bulk.models import BulkOperation, BulkOperationRow
from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import Retirement
from certexceptions_plugin.invitations.models import ExternalId
from certexceptions_plugin.privacy.models import UnfinishedRetirement

log = logging.getLogger(__name__)

REDACTED = "redacted"
#: Row fields and audit payload keys that name the person: their username or email (``learner`` is either).
IDENTITY_FIELDS = ("learner", "username", "email")
#: Row fields and audit payload keys that say more about the person: redacted.
PERSONAL_FIELDS = ("name", "notes", "external_id", "previous_external_id")
#: Row fields that hold nothing personal.
OTHER_FIELDS = ("external_id_updated",)


@dataclass
class Forgotten:
    """What one retirement changed."""

    external_ids: int = 0
    audit_events: int = 0
    rows: int = 0
    uploads: int = 0
    #: Uploads naming the learner that an import still running reads: the retirement waits for them.
    waiting: list[str] = field(default_factory=list)

    def __str__(self):
        text = (f"external ids deleted: {self.external_ids}, audit events pseudonymised: {self.audit_events}, "
                f"import rows pseudonymised: {self.rows}, stored uploads deleted: {self.uploads}")
        return text + (f", uploads of running imports: {len(self.waiting)}" if self.waiting else "")


class RetirementNotFound(Exception):
    """The LMS has no retirement record of the account, and the plugin remembers none."""


class _Person:
    """
    A retiring learner: how to find what names them (their original username and email, and their external ids in
    each course), and what to write instead.
    """

    def __init__(self, retirement: Retirement, external_ids: dict[Any, set[str]]):
        self.retirement = retirement
        #: Course key -> the learner's external ids there (lower-cased), as stored before they are deleted.
        self.external_ids = external_ids
        # Emails first: a username may be part of the email, and the retired email must not be rewritten again.
        self.names = [(_token(original), retired) for original, retired in (
            (retirement.original_email, retirement.retired_email),
            (retirement.original_username, retirement.retired_username),
        ) if original]

    def named_by(self, *fields: str, username: bool = True, email: bool = True) -> Q:
        """What holds the original username or email (ignoring case) in any of ``fields``."""
        values = [value for value, wanted in ((self.retirement.original_username, username),
                                              (self.retirement.original_email, email)) if value and wanted]
        return _any_iexact(fields, values)

    def holding_ids(self, course_key, *fields: str) -> Q:
        """What holds one of the learner's external ids in the course (ignoring case) in any of ``fields``."""
        return _any_iexact(fields, sorted(self.external_ids.get(course_key, ())))

    def mentioned_in(self, text: str, course_key=None) -> bool:
        """Whether ``text`` names the learner (or, given a course, holds one of their external ids there)."""
        return any(pattern.search(text) for pattern, _ in self.names + self._id_tokens(course_key))

    def pseudonymise(self, text: str, course_key=None) -> str:
        """``text`` with the retired username and email for the original ones (and their ids in the course redacted)."""
        for pattern, replacement in self.names + self._id_tokens(course_key):
            text = pattern.sub(lambda _match, replacement=replacement: replacement, text)
        return text

    def scrub(self, value: Any, key: str | None = None) -> Any:
        """The learner's own row fields or audit payload, without what they say about the learner."""
        if isinstance(value, dict):
            return {name: self.scrub(item, name) for name, item in value.items()}
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, str) and value:
            return REDACTED if key in PERSONAL_FIELDS else self.pseudonymise(value)
        return value

    def redact_ids(self, value: Any, course_key) -> Any:
        """Someone else's row fields or audit payload, with the learner's external ids in the course redacted."""
        if isinstance(value, dict):
            return {name: self.redact_ids(item, course_key) for name, item in value.items()}
        if isinstance(value, str) and value.lower() in self.external_ids.get(course_key, ()):
            return REDACTED
        return value

    def _id_tokens(self, course_key) -> list[tuple[re.Pattern, str]]:
        return [(_token(external_id), REDACTED) for external_id in sorted(self.external_ids.get(course_key, ()))]


def _token(value: str) -> re.Pattern:
    """``value`` as a whole word in any case: not inside a longer username or email (a final full stop may follow)."""
    return re.compile(rf"(?<![\w.@+-]){re.escape(value)}(?!\.?[\w@+-])", re.IGNORECASE)


def _any_iexact(fields: Iterable[str], values: list[str]) -> Q:
    query = Q(pk__in=[])  # matches nothing, also when there is nothing to look for
    for name in fields:
        for value in values:
            query |= Q(**{f"{name}__iexact": value})
    return query


# --- forgetting ---------------------------------------------------------------------------------------------

def forget(retirement: Retirement) -> Forgotten:
    """Forget the retiring learner in every table and stored file of the plugin (see the module's docstring)."""
    with transaction.atomic():
        records = ExternalId.objects.filter(_external_ids_of(retirement))
        external_ids: dict[Any, set[str]] = {}
        for course_key, external_id in records.exclude(external_id=None).values_list("course_key", "external_id"):
            external_ids.setdefault(course_key, set()).add(external_id.lower())
        person = _Person(retirement, external_ids)
        deleted, _ = records.delete()
        forgotten = Forgotten(external_ids=deleted, audit_events=_pseudonymise_audit_events(person),
                              rows=_scrub_rows(person))
    _delete_uploads(person, forgotten)
    return forgotten


def _external_ids_of(retirement: Retirement) -> Q:
    """The learner's external ids (by user id), and those of pending invitations of their original email."""
    query = Q(user_id=retirement.user_id)
    if retirement.original_email:
        query |= Q(user__isnull=True, email=retirement.original_email.lower())
    return query


def _pseudonymise_audit_events(person: _Person) -> int:
    retired = person.retirement
    acting = AuditEvent.objects.filter(Q(actor_id=retired.user_id) | person.named_by("actor_username", email=False))
    changed = set(acting.values_list("pk", flat=True))
    AuditEvent.objects.filter(pk__in=changed).update(actor_username=retired.retired_username)

    def own(event: AuditEvent) -> bool:
        event.learner_username = retired.retired_username if event.learner_username else ""
        event.learner_email = retired.retired_email if event.learner_email else ""
        event.before, event.after = person.scrub(event.before), person.scrub(event.after)
        return True

    def others(event: AuditEvent) -> bool:
        before, after = person.redact_ids(event.before, event.course_key), person.redact_ids(event.after,
                                                                                               event.course_key)
        altered = (before, after) != (event.before, event.after)
        event.before, event.after = before, after
        return altered

    changed |= _rewrite(AuditEvent.objects.filter(person.named_by("learner_username", "learner_email")),
                        ["learner_username", "learner_email", "before", "after"], own)
    for course_key in person.external_ids:
        changed |= _rewrite(
            AuditEvent.objects.filter(person.holding_ids(course_key, "before__external_id", "after__external_id"),
                                      course_key=course_key),
            ["before", "after"], others)
    return len(changed)


def _scrub_rows(person: _Person) -> int:
    message = _("Personal data removed: this learner's account was retired.")

    def own(row: BulkOperationRow) -> bool:
        row.fields, row.message = person.scrub(row.fields), message
        return True

    def naming(row: BulkOperationRow) -> bool:
        course_key = row.operation.course_key
        fields = person.redact_ids(row.fields, course_key)
        text = person.pseudonymise(row.message, course_key)
        altered = (fields, text) != (row.fields, row.message)
        row.fields, row.message = fields, text
        return altered

    changed = _rewrite(BulkOperationRow.objects.filter(
        person.named_by("fields__learner") | person.named_by("fields__username", email=False)
        | person.named_by("fields__email", username=False)), ["fields", "message"], own)
    # Other rows: a message naming the learner (an external id "already belongs to" them), or a claim on their id.
    names = [name for name in (person.retirement.original_username, person.retirement.original_email) if name]
    others = _any_contains("message", names)
    for course_key in person.external_ids:
        others |= Q(operation__course_key=course_key) & person.holding_ids(
            course_key, "fields__external_id", "fields__previous_external_id")
    changed |= _rewrite(BulkOperationRow.objects.filter(others).exclude(pk__in=changed).select_related("operation"),
                        ["fields", "message"], naming)
    return len(changed)


def _any_contains(field_name: str, values: list[str]) -> Q:
    query = Q(pk__in=[])
    for value in values:
        query |= Q(**{f"{field_name}__icontains": value})
    return query


def _rewrite(queryset, fields: list[str], rewrite: Callable[[Any], bool]) -> set[int]:
    """
    Call ``rewrite`` on each object of ``queryset``, a chunk at a time, and save ``fields`` of those it changed
    (it says so by returning true); return their primary keys. The keys are read first: no cursor stays open
    while rows are written.
    """
    changed: set[int] = set()
    pks = list(queryset.values_list("pk", flat=True))
    size = settings.CERTEXCEPTIONS_CHUNK_SIZE
    for start in range(0, len(pks), size):
        objects = [obj for obj in queryset.filter(pk__in=pks[start:start + size]) if rewrite(obj)]
        queryset.model.objects.bulk_update(objects, fields)
        changed.update(obj.pk for obj in objects)
    return changed


def _delete_uploads(person: _Person, forgotten: Forgotten) -> None:
    storage = operations.upload_storage()
    course_of = dict(BulkOperation.objects.exclude(file_path="").values_list("file_path", "course_key"))
    naming = [path for path in operations.stored_uploads() if _names(storage, path, person, course_of.get(path))]
    if not naming:
        return
    # An import whose worker died is not running any more: it is marked failed here, and its upload deleted.
    operations.mark_lost(BulkOperation.objects.filter(file_path__in=naming, status__in=operations.UNFINISHED))
    running = set(BulkOperation.objects.filter(file_path__in=naming, status__in=operations.UNFINISHED)
                  .values_list("file_path", flat=True))
    for path in naming:
        if path in running:
            forgotten.waiting.append(path)
        else:
            storage.delete(path)
            forgotten.uploads += 1


def _names(storage, path: str, person: _Person, course_key) -> bool:
    with storage.open(path, "rb") as upload:
        return any(person.mentioned_in(line.decode("utf-8", errors="replace"), course_key) for line in upload)


# --- retirements, finished or remembered --------------------------------------------------------------------

def finish(retirement: Retirement) -> Forgotten:
    """
    Forget the learner. A retirement that fails (the error is raised again) or waits for a running import is
    remembered as unfinished; one that completes is no longer.
    """
    try:
        forgotten = forget(retirement)
    except Exception as exc:
        _remember(retirement.user_id, retirement, exc)
        raise
    if forgotten.waiting:
        _remember(retirement.user_id, retirement, f"Waiting for imports still running: {', '.join(forgotten.waiting)}")
    else:
        UnfinishedRetirement.objects.filter(user_id=retirement.user_id).delete()
    log.info("Personal data of retired user %s: %s", retirement.user_id, forgotten)
    return forgotten


def receive(*, user) -> None:
    """What both retirement signals do for ``user``; never raises into the LMS's retirement view."""
    try:
        retirement = _retirement_of(user.id)
    except Exception as exc:  # pylint: disable=broad-except
        _log_failure(user.id)
        _remember(user.id, None, exc)
        return
    try:
        finish(retirement)  # remembers its own failures
    except Exception:  # pylint: disable=broad-except
        _log_failure(user.id)


def _log_failure(user_id: int) -> None:
    log.exception("Could not forget the personal data of retired user %s; run retire_learner_data to finish",
                  user_id)


def _retirement_of(user_id: int) -> Retirement:
    retirement = get_host().retirements(user_ids=[user_id]).get(user_id)
    if retirement is None:
        raise RetirementNotFound(f"The LMS has no retirement record (UserRetirementStatus) of user {user_id}.")
    return retirement


def _remember(user_id: int, retirement: Retirement | None, error) -> None:
    """Keep the unfinished retirement for ``retire_learner_data``; a failure here is only logged."""
    identity = {} if retirement is None else {
        "original_username": retirement.original_username, "original_email": retirement.original_email,
        "retired_username": retirement.retired_username, "retired_email": retirement.retired_email}
    error = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    try:
        with transaction.atomic():
            record, created = UnfinishedRetirement.objects.get_or_create(
                user_id=user_id, defaults={**identity, "error": error})
            if not created:
                for name, value in identity.items():
                    setattr(record, name, value)
                record.error, record.attempts = error, record.attempts + 1
                record.save()
    except Exception:  # pylint: disable=broad-except
        log.exception("Could not remember the unfinished retirement of user %s", user_id)


def unfinished() -> dict[int, Retirement | None]:
    """
    Every unfinished retirement by user id: the LMS's record while it has one, else the remembered identity
    (``None`` when neither is known).
    """
    return _identities(list(UnfinishedRetirement.objects.order_by("created")))


def find(username: str) -> Retirement | None:
    """The retirement of ``username`` (original or retired, ignoring case), from the LMS or else remembered."""
    for retirement in get_host().retirements(usernames=[username]).values():
        return retirement
    remembered = [record for record in UnfinishedRetirement.objects.all()
                  if username.lower() in (record.original_username.lower(), record.retired_username.lower())]
    return next(iter(_identities(remembered).values()), None)


def _identities(records: list[UnfinishedRetirement]) -> dict[int, Retirement | None]:
    from_lms = get_host().retirements(user_ids=[record.user_id for record in records])
    return {record.user_id: from_lms.get(record.user_id) or _remembered(record) for record in records}


def _remembered(record: UnfinishedRetirement) -> Retirement | None:
    if not (record.original_username and record.original_email and record.retired_username
            and record.retired_email):
        return None
    return Retirement(user_id=record.user_id, original_username=record.original_username,
                      original_email=record.original_email, retired_username=record.retired_username,
                      retired_email=record.retired_email)
