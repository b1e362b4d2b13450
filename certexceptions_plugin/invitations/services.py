"""Managing external ids one learner at a time, and linking a pending invitation's id on enrolment."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from certexceptions_plugin.audit.api import AuditRecord, record_events
from certexceptions_plugin.errors import PluginError
from certexceptions_plugin.host import get_host
from certexceptions_plugin.invitations.importer import external_id_audit, id_key, import_links_ids
from certexceptions_plugin.invitations.models import MAX_EXTERNAL_ID_LENGTH, ExternalId

ENROLLED, INVITED = "enrolled", "invited"
EXPORT_COLUMNS = ("username", "email", "external_id", "status")


@dataclass(frozen=True)
class ExternalIdEntry:
    username: str | None
    email: str
    external_id: str | None
    status: str

    def as_dict(self) -> dict:
        return {"username": self.username, "email": self.email, "external_id": self.external_id,
                "status": self.status}


def _entry(record: ExternalId) -> ExternalIdEntry:
    if record.user_id:
        return ExternalIdEntry(record.user.username, record.user.email, record.external_id, ENROLLED)
    return ExternalIdEntry(None, record.email, record.external_id, INVITED)


def external_ids(*, course_key, search: str = "") -> QuerySet:
    """The course's external ids, ordered by id; ``search`` matches email, username or id (case-insensitive)."""
    records = ExternalId.objects.filter(course_key=course_key, external_id__isnull=False).select_related("user")
    if search:
        records = records.filter(Q(email__icontains=search) | Q(user__email__icontains=search)
                                 | Q(user__username__icontains=search) | Q(external_id__icontains=search))
    return records.order_by("external_id", "id")


def entries(records) -> list[dict]:
    return [_entry(record).as_dict() for record in records]


def external_ids_csv_rows(*, course_key, search: str = "") -> Iterator[dict]:
    for record in external_ids(course_key=course_key, search=search).iterator(
            chunk_size=settings.CERTEXCEPTIONS_CHUNK_SIZE):
        yield _entry(record).as_dict()


def external_id_too_long() -> PluginError:
    return PluginError("invalid_external_id", _("The external id is longer than {limit} characters.").format(
        limit=MAX_EXTERNAL_ID_LENGTH), 400)


def set_external_id(*, course_key, actor, learner: str, external_id: str | None) -> dict:
    """
    Set (or, with a blank or ``None`` id, clear) one learner's external id.

    ``learner`` is the username or email of an enrolled learner, or the email of a pending invitation.
    Raises :class:`PluginError`: 404 ``learner_not_found``, 400 ``ambiguous_learner`` /
    ``invalid_external_id``, 409 ``external_id_taken``.
    """
    external_id = (external_id or "").strip() or None
    if external_id and len(external_id) > MAX_EXTERNAL_ID_LENGTH:
        raise external_id_too_long()
    person = _find_person(course_key, learner)
    before = person.record.external_id if person.record else None
    if external_id == before:
        return {**_person_entry(person, before).as_dict(), "previous_external_id": before, "changed": False}
    holder = _holder_of(course_key, external_id) if external_id else None
    if holder is not None and holder.pk != getattr(person.record, "pk", None):
        raise _taken(external_id)
    try:
        with transaction.atomic():
            _write(course_key, person, external_id)
            record_events([external_id_audit(
                before=before, after=external_id, actor=actor, course_key=course_key,
                learner_username=person.username or "", learner_email=person.email)])
    except IntegrityError as exc:  # a concurrent change claimed the id first
        raise _taken(external_id) from exc
    return {**_person_entry(person, external_id).as_dict(), "previous_external_id": before, "changed": True}


@dataclass(frozen=True)
class _Person:
    user_id: int | None
    username: str | None
    email: str
    record: ExternalId | None


def _person_entry(person: _Person, external_id: str | None) -> ExternalIdEntry:
    return ExternalIdEntry(person.username, person.email, external_id, ENROLLED if person.user_id else INVITED)


def _find_person(course_key, identifier: str) -> _Person:
    """An enrolled learner (by username or email), else a pending invitation (by email); 404 otherwise."""
    host = get_host()
    identifier = (identifier or "").strip()
    if not identifier:
        raise PluginError("learner_not_found", _("Give the username or email of a learner."), 404)
    accounts = host.resolve_learners(identifiers={identifier}).get(identifier, ())
    enrolled_ids = host.active_enrollments(course_key=course_key, user_ids={ref.id for ref in accounts})
    enrolled = [ref for ref in accounts if ref.id in enrolled_ids]
    if len(enrolled) > 1:
        raise PluginError("ambiguous_learner", _("'{identifier}' is the username of one learner and the email "
                                                     "of another; use the other identifier.").format(
            identifier=identifier), 400)
    records = ExternalId.objects.filter(course_key=course_key).select_related("user")
    if enrolled:
        learner = enrolled[0]
        record = (records.filter(user_id=learner.id).first()
                  or records.filter(email=learner.email.lower(), user__isnull=True).first())
        return _Person(learner.id, learner.username, learner.email, record)
    emails = {ref.email.lower() for ref in accounts} | ({identifier.lower()} if "@" in identifier else set())
    for email in sorted(emails):
        record = records.filter(email=email).first()
        if record is not None or email in host.pending_invitations(course_key=course_key, emails={email}):
            return _Person(None, None, email, record)
    raise PluginError("learner_not_found", _("'{identifier}' is neither enrolled in nor invited to this "
                                                 "course.").format(identifier=identifier), 404)


def _holder_of(course_key, external_id: str) -> ExternalId | None:
    return (ExternalId.objects.filter(course_key=course_key).annotate(key=Lower("external_id"))
            .filter(key=id_key(external_id)).first())


def _write(course_key, person: _Person, external_id: str | None) -> None:
    record = person.record
    if record is None:
        ExternalId.objects.create(course_key=course_key, user_id=person.user_id, external_id=external_id,
                                  email=None if person.user_id else person.email)
    elif external_id is None:
        record.delete()
    else:
        record.external_id = external_id
        if person.user_id:
            record.user_id, record.email = person.user_id, None
        record.save()


def _taken(external_id: str) -> PluginError:
    return PluginError("external_id_taken", _("The external id {external_id} already belongs to another "
                                                  "learner or invitation in this course.").format(
        external_id=external_id), 409)


def link_pending_external_id(*, course_key, user_id: int, username: str, email: str) -> None:
    """On enrolment, the external id held by the person's pending invitation becomes the learner's."""
    if import_links_ids.get():
        return
    record = ExternalId.objects.filter(course_key=course_key, email=(email or "").lower(), user__isnull=True).first()
    if record is None or ExternalId.objects.filter(course_key=course_key, user_id=user_id).exists():
        return
    try:
        with transaction.atomic():
            record.user_id, record.email = user_id, None
            record.save(update_fields=["user", "email", "modified"])
            record_events([AuditRecord(actor=None, course_key=course_key, action="external_id.linked",
                                       learner_username=username, learner_email=email,
                                       after={"external_id": record.external_id})])
    except IntegrityError:  # linked by a concurrent enrolment of the same person
        pass
