"""
The rules of a bulk invitation: who is invited or enrolled, and what happens to each learner's external id.

Where the course holds ids, the whole file is planned before anything is written, so an id freed by one row can
be claimed by another row anywhere in the file, and two learners (or invitations) can swap ids. Rows that depend
on each other's ids are written in the same transaction, clearing the ids that change before setting the new
ones; the database's unique indexes stay the final guard against a concurrent change.

A chunk writes its ids first, then enrols and invites through the LMS. A row the LMS fails (``lms_error``) gets
its id back as it was, so nothing of it stays written; a row that claimed the id it was giving up keeps its
enrolment or invitation but not the claimed id.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certexceptions_plugin.audit.api import AuditRecord
from certexceptions_plugin.bulk.engine import Importer, chunked
from certexceptions_plugin.bulk.errors import FileRejected
from certexceptions_plugin.bulk.reader import CsvFormat, CsvRow
from certexceptions_plugin.bulk.results import Code, RowResult
from certexceptions_plugin.db import insert_many, update_many
from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import LearnerRef
from certexceptions_plugin.invitations.models import MAX_EXTERNAL_ID_LENGTH, ExternalId


class Outcome(Code):
    INVITED = "invited", gettext_lazy("No active account has the email: a pending invitation (the LMS's "
                                      "CourseEnrollmentAllowed) was created.")
    ENROLLED = "enrolled", gettext_lazy("An active account has the email, and is now enrolled.")
    EXISTING_INVITATION = "existing_invitation", gettext_lazy("The email was already invited.")
    EXISTING_ENROLLMENT = "existing_enrollment", gettext_lazy("The account was already enrolled.")
    FAILED = "failed", gettext_lazy("Nothing was written for the row; its reason says why.")


class Reason(Code):
    MISSING_EMAIL = "missing_email", gettext_lazy("The email cell is blank.")
    INVALID_EMAIL = "invalid_email", gettext_lazy("Not an email address.")
    INVALID_ROW = "invalid_row", gettext_lazy("More cells than the header, or a value under a blank header.")
    INVALID_EXTERNAL_ID = "invalid_external_id", gettext_lazy("The external id is longer than 100 characters.")
    DUPLICATE_EMAIL_IN_FILE = "duplicate_email_in_file", gettext_lazy(
        "The same email (in any case) appears earlier in the file; the first row counts.")
    DUPLICATE_EXTERNAL_ID_IN_FILE = "duplicate_external_id_in_file", gettext_lazy(
        "The same external id (in any case) appears earlier in the file; the first row counts.")
    EXTERNAL_ID_TAKEN = "external_id_taken", gettext_lazy(
        "The external id belongs to another learner or invitation in the course: nothing is written for the row. "
        "Also, as a note on an invited or enrolled row: the id it claimed stays with a row the LMS failed, so its "
        "own id is left as it was.")
    EXTERNAL_ID_KEPT = "external_id_kept", gettext_lazy(
        "A note, not a failure: with existing_external_ids=keep, the stored external id stayed as it was.")
    EMAIL_RETIRED = "email_retired", gettext_lazy(
        "The email belonged to an account the LMS has retired; the LMS invites no retired email, so nothing is "
        "created.")
    LMS_ERROR = "lms_error", gettext_lazy(
        "The LMS raised while enrolling or inviting the row (an enrolment filter, an account without a profile, "
        "an email shared by two accounts, any other error); the message gives its error. Nothing is written for "
        "the row, its external id included, and the other rows are written.")


#: The fields of an ``ExternalId`` an import reads.
RECORD_FIELDS = ("id", "user", "email", "external_id")

INVITED, ENROLLED = Outcome.INVITED, Outcome.ENROLLED
EXISTING_INVITATION, EXISTING_ENROLLMENT = Outcome.EXISTING_INVITATION, Outcome.EXISTING_ENROLLMENT
REPLACE, KEEP = "replace", "keep"
EXTERNAL_ID_MODES = (REPLACE, KEEP)

EMAIL, NAME, EXTERNAL_ID = "email", "name", "external_id"
#: Accepted header names per column; matched ignoring case, spaces and underscores.
COLUMN_ALIASES = {
    EMAIL: ("email",),
    NAME: ("name",),
    EXTERNAL_ID: ("external_id", "ext_id", "student_id", "sis_id"),
}
TEMPLATE_HEADER = (EMAIL, NAME, EXTERNAL_ID)


#: The reason recorded in the LMS's ``ManualEnrollmentAudit`` for every enrolment and invitation of an import.
ENROLLMENT_REASON = "certexceptions_plugin bulk invitation"

#: The longest email the LMS stores (Django's ``EmailField`` default; ``validate_email`` alone allows 320).
MAX_EMAIL_LENGTH = 254


def _header_key(name: str) -> str:
    return name.lower().replace(" ", "").replace("_", "")


ALIAS_TO_COLUMN = {_header_key(alias): column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
ACCEPTED_COLUMNS = [alias for aliases in COLUMN_ALIASES.values() for alias in aliases]


def id_key(external_id: str) -> str:
    """Ids are compared case-insensitively, as MariaDB's default collation compares them."""
    return external_id.lower()


@dataclass(frozen=True)
class Columns:
    """Where each known column sits in a data row."""

    position: dict[str, int]
    width: int
    unnamed: frozenset[int]

    def cell(self, row: CsvRow, column: str) -> str:
        position = self.position.get(column)
        return row.cells[position] if position is not None and position < len(row.cells) else ""


def parse_header(cells: tuple[str, ...]) -> Columns:
    """Map the header's columns; raise ``bad_header`` naming unknown, repeated or missing columns."""
    position: dict[str, int] = {}
    unknown, repeated, unnamed = [], [], set()
    for index, name in enumerate(cells):
        if not name:
            unnamed.add(index)
            continue
        column = ALIAS_TO_COLUMN.get(_header_key(name))
        if column is None:
            unknown.append(name)
        elif column in position:
            repeated.append(name)
        else:
            position[column] = index
    missing = [] if EMAIL in position else [EMAIL]
    if unknown or repeated or missing:
        problems = []
        if unknown:
            problems.append(_("unknown columns: {names}").format(names=", ".join(unknown)))
        if repeated:
            problems.append(_("repeated columns: {names}").format(names=", ".join(repeated)))
        if missing:
            problems.append(_("no email column"))
        raise FileRejected(
            "bad_header",
            _("The header row is not valid ({problems}). Accepted columns: {accepted}; case, spaces and "
              "underscores are ignored, and the order is free.").format(
                problems="; ".join(problems), accepted=", ".join(ACCEPTED_COLUMNS)),
            unknown_columns=unknown, repeated_columns=repeated, missing_columns=missing,
            accepted_columns=ACCEPTED_COLUMNS,
        )
    return Columns(position=position, width=len(cells), unnamed=frozenset(unnamed))


def is_roster_header(cells: tuple[str, ...]) -> bool:
    """Every named cell is a known column: the record is a roster's header."""
    names = [name for name in cells if name]
    return bool(names) and all(_header_key(name) in ALIAS_TO_COLUMN for name in names)


#: A roster always starts with its header, which alone has a shape to choose the delimiter by.
CSV_FORMAT = CsvFormat(fits=is_roster_header, is_header=lambda cells: True, check_header=parse_header)


@dataclass
class Invitee:
    """What the plan found for one row, and what ``apply`` writes."""

    row: int
    email: str  # lower-cased
    given_id: str | None
    learner: LearnerRef | None = None  # the active account with this email
    record: ExternalId | None = None  # the person's current external id in the course
    owner_before: tuple[int | None, str | None] = (None, None)  # the record's (user id, email) before the import
    outcome_message: str = ""  # the message of the outcome, before the sentence about the external id
    previous_id: str | None = None
    target_id: str | None = None  # the id the person holds after the import
    id_change: bool = False
    group: int = 0  # rows of one group depend on each other's ids and are written together

    @property
    def needs_id_write(self) -> bool:
        return self.id_change or bool(self.learner and self.record and self.record.is_pending)


@dataclass(frozen=True, slots=True)
class Claim:
    """A row giving its person an id they do not hold yet, in compact form."""

    row: int
    target_key: str
    record_pk: int | None  # the person's current id record, if any
    own_name: str  # the person, as a holder of their current id is named

    @classmethod
    def of(cls, invitee: Invitee) -> Claim:
        record = invitee.record
        # A record found for a row is the row's learner's, or the pending invitation's of the row's email.
        own_name = invitee.learner.username if record is not None and record.user_id else invitee.email
        return cls(row=invitee.row, target_key=id_key(invitee.target_id),
                   record_pk=record.pk if record is not None else None, own_name=own_name)


@dataclass(frozen=True)
class RowMessages:
    """The sentences of planned rows, translated once per chunk rather than once per row."""

    outcomes: dict[str, str]
    id_kept: str
    id_set: str
    id_changed: str

    @classmethod
    def translated(cls, *, auto_enroll: bool) -> RowMessages:
        return cls(
            outcomes={
                EXISTING_ENROLLMENT: _("Already enrolled."),
                ENROLLED: _("Enrolled: an account with this email exists."),
                EXISTING_INVITATION: _("Already invited."),
                INVITED: (_("Invited; enrolled once their account is activated.") if auto_enroll
                          else _("Invited; they may enrol once they have an account.")),
            },
            id_kept=_("Kept the existing external id {current}; the file has {given}."),
            id_set=_("External id set to {given}."),
            id_changed=_("External id changed from {current} to {given}."),
        )


class InvitationRow(RowResult):
    """A roster row: ``external_id_updated`` says whether the import set or replaced its stored id."""

    def fail(self, reason: str, message: str) -> None:
        super().fail(reason, message)
        self.fields["external_id_updated"] = False


class InvitationImporter(Importer):
    """Invites or enrols every row of a roster and records their external ids."""

    kind = "invitations"
    outcomes = Outcome
    write_outcomes = frozenset({INVITED, ENROLLED, EXISTING_INVITATION, EXISTING_ENROLLMENT})
    counts = {"external_id_updated": lambda row: row.fields["external_id_updated"]}

    def __init__(self, *, course_key, actor, columns: Columns, auto_enroll: bool = True,
                 email_learners: bool = False, existing_external_ids: str = REPLACE):
        super().__init__(course_key=course_key, actor=actor)
        if existing_external_ids not in EXTERNAL_ID_MODES:
            raise ValueError(f"existing_external_ids must be one of {EXTERNAL_ID_MODES}, not {existing_external_ids!r}")
        self.columns = columns
        self.auto_enroll = auto_enroll
        self.email_learners = email_learners
        self.keep_existing = existing_external_ids == KEEP
        # What spans the file, as compact keys: the first row of each email and id, the rows whose claim of an id
        # fails (-> who holds it), and the rows that must be written together (-> their group).
        self.first_email: dict[str, int] = {}
        self.first_id: dict[str, int] = {}
        self.taken: dict[int, str] = {}
        self.group_of: dict[int, int] = {}
        self.group_size: dict[int, int] = {}
        self.held: dict[int, list[RowResult]] = {}

    # --- plan ------------------------------------------------------------------------------------------------
    def prepare(self, rows: Iterable[CsvRow]) -> None:
        """
        The first pass: plan every chunk, keeping only compact keys (first rows of emails and ids, and the id
        claims that involve another record), then settle which claims fail and which rows must be written together.

        A course that holds no external id yet (its first roster) has no claim to settle: a claim involves a record
        held before the import. The file is then read once, and rows repeating an email or id fail in file order
        all the same.
        """
        if not ExternalId.objects.filter(course_key=self.course_key, external_id__isnull=False).exists():
            return
        claims: list[Claim] = []
        holders: dict[str, tuple[int, str]] = {}  # id key -> (record pk, holder's name)
        for chunk in chunked(rows, settings.CERTEXCEPTIONS_CHUNK_SIZE):
            changes = [result.target for result in self._plan_chunk(chunk, first_pass=True)
                       if result.target.id_change]
            held = self._holders({id_key(invitee.target_id) for invitee in changes})
            # A claim of a free id by someone holding none can neither fail nor free an id for another row.
            kept = [invitee for invitee in changes if invitee.record is not None or id_key(invitee.target_id) in held]
            # The row of a retired email fails, claiming nothing: only the claims that matter are looked up.
            unknown = {invitee.email for invitee in kept if invitee.learner is None}
            retired = get_host().retired_emails(emails=unknown) if unknown else set()
            claims.extend(Claim.of(invitee) for invitee in kept if invitee.email not in retired)
            holders.update(held)
        self._settle_claims(claims, holders)

    def _holders(self, keys: set[str]) -> dict[str, tuple[int, str]]:
        """Who holds each of these ids now: id key -> (record pk, holder's name)."""
        if not keys:
            return {}
        return {id_key(record.external_id): (record.pk, _holder_name(record)) for record in (
            ExternalId.objects.filter(course_key=self.course_key).select_related("user")
            .only(*RECORD_FIELDS, "user__username").annotate(key=Lower("external_id")).filter(key__in=keys))}

    def plan(self, rows: Sequence[CsvRow]) -> list[RowResult]:
        results = self._plan_chunk(rows)
        for result in results:
            taken = self.taken.get(result.row)
            if taken and not result.failed:
                result.fail(Reason.EXTERNAL_ID_TAKEN, _(
                    "The external id {external_id} already belongs to {holder} in this course.").format(
                    external_id=result.target.target_id, holder=taken))
            result.target.group = self.group_of.get(result.row, 0)
        return results

    def _plan_chunk(self, rows: Sequence[CsvRow], *, first_pass: bool = False) -> list[RowResult]:
        results = [self._parse(row) for row in rows]
        self._fail_duplicates(results)
        self._resolve([result for result in results if not result.failed], first_pass=first_pass)
        return results

    def _parse(self, row: CsvRow) -> RowResult:
        email = unicodedata.normalize("NFC", self.columns.cell(row, EMAIL))
        given_id = self.columns.cell(row, EXTERNAL_ID) or None
        result = InvitationRow(row=row.number, outcome="", fields={
            "email": email, "name": self.columns.cell(row, NAME), "username": None, "external_id": given_id,
            "previous_external_id": None, "external_id_updated": False,
        })
        result.target = Invitee(row=row.number, email=email.lower(), given_id=given_id)
        if self.first_email.get(result.target.email) == row.number:
            return result  # the first pass found the row valid, and the first of its email
        if len(row.cells) > self.columns.width:
            result.fail(Reason.INVALID_ROW, _("The row has {count} cells but the header has {width} columns.").format(
                count=len(row.cells), width=self.columns.width))
        elif any(row.cells[index] for index in self.columns.unnamed if index < len(row.cells)):
            result.fail(Reason.INVALID_ROW, _("The row has a value in a column whose header is blank."))
        elif not email:
            result.fail(Reason.MISSING_EMAIL, _("The row has no email."))
        elif not _is_email(email):
            result.fail(Reason.INVALID_EMAIL, _("'{email}' is not a valid email address.").format(email=email))
        elif given_id and len(given_id) > MAX_EXTERNAL_ID_LENGTH:
            result.fail(Reason.INVALID_EXTERNAL_ID, _("The external id is longer than {limit} characters.").format(
                limit=MAX_EXTERNAL_ID_LENGTH))
        return result

    def _fail_duplicates(self, results: list[RowResult]) -> None:
        """
        Later rows repeating an email (any case) or a non-blank external id fail; the first one counts. Both passes
        see the same first rows: the first pass records them, the second finds them recorded.
        """
        for result in results:
            if result.failed:
                continue
            invitee = result.target
            first = self.first_email.setdefault(invitee.email, result.row)
            if first != result.row:
                result.fail(Reason.DUPLICATE_EMAIL_IN_FILE, _("The email {email} already appears in row {row}.").format(
                    email=result.fields["email"], row=first))
                continue
            if invitee.given_id is None:
                continue
            first = self.first_id.setdefault(id_key(invitee.given_id), result.row)
            if first != result.row:
                result.fail(Reason.DUPLICATE_EXTERNAL_ID_IN_FILE,
                            _("The external id {external_id} already appears in row {row}.").format(
                                external_id=invitee.given_id, row=first))

    def _resolve(self, chunk: Sequence[RowResult], *, first_pass: bool = False) -> None:
        """
        Find each row's account, enrolment, invitation and current external id: a few queries per chunk. The first
        pass needs only what decides the ids, not enrolments and invitations.
        """
        host = get_host()
        emails = {result.target.email for result in chunk}
        active = {email: ref for email, ref in host.learners_by_email(emails=emails).items() if ref.is_active}
        enrolled, invited = set(), set()
        if not first_pass:
            enrolled = host.active_enrollments(course_key=self.course_key,
                                               user_ids={ref.id for ref in active.values()})
            invited = host.pending_invitations(course_key=self.course_key, emails=emails - set(active))
        # The first pass looks up the retirement of only the emails whose claims matter (prepare).
        retired = set() if first_pass else host.retired_emails(emails=emails - set(active))
        by_user, by_email = {}, {}
        # The course in each branch, so that each is a look-up in its unique index (course, user) or (course, email).
        in_course = {"course_key": self.course_key}
        # Only what the plan and the writes use: parsing each record's course key would cost more than its query.
        for record in ExternalId.objects.filter(Q(user_id__in=[ref.id for ref in active.values()], **in_course)
                                                | Q(email__in=emails, **in_course)).only(*RECORD_FIELDS):
            if record.user_id:
                by_user[record.user_id] = record
            else:
                by_email[record.email] = record

        text = None if first_pass else RowMessages.translated(auto_enroll=self.auto_enroll)
        for result in chunk:
            invitee = result.target
            invitee.learner = active.get(invitee.email)
            if invitee.learner:
                invitee.record = by_user.get(invitee.learner.id) or by_email.get(invitee.email)
                result.fields["username"] = invitee.learner.username
                result.outcome = EXISTING_ENROLLMENT if invitee.learner.id in enrolled else ENROLLED
            else:
                invitee.record = by_email.get(invitee.email)
                if invitee.email in retired:
                    # The LMS's enroll_email creates nothing for a retired email (lms/djangoapps/instructor/
                    # enrollment.py, is_email_retired).
                    result.fail(Reason.EMAIL_RETIRED, _("The email {email} belonged to an account that has been "
                                                   "retired; the LMS does not invite it.").format(
                        email=result.fields["email"]))
                    continue
                result.outcome = EXISTING_INVITATION if invitee.email in invited else INVITED
            if invitee.record is not None:
                invitee.owner_before = (invitee.record.user_id, invitee.record.email)
            id_message = self._plan_external_id(result, text)
            if text is not None:
                invitee.outcome_message = text.outcomes[result.outcome]
                result.message = " ".join(filter(None, [invitee.outcome_message, id_message]))

    def _plan_external_id(self, result: RowResult, text: RowMessages | None) -> str:
        """Decide the row's id; return the sentence about it (none in the first pass, where ``text`` is None)."""
        invitee = result.target
        current = invitee.record.external_id if invitee.record else None
        invitee.previous_id = invitee.target_id = current
        result.fields["external_id"] = current
        given = invitee.given_id
        if given is None or given == current:
            return ""
        if current is not None and self.keep_existing:
            result.reason = Reason.EXTERNAL_ID_KEPT
            return text.id_kept.format(current=current, given=given) if text else ""
        invitee.target_id, invitee.id_change = given, True
        result.fields.update(external_id=given, previous_external_id=current, external_id_updated=True)
        if text is None:
            return ""
        if current is None:
            return text.id_set.format(given=given)
        return text.id_changed.format(current=current, given=given)

    def _settle_claims(self, claims: list[Claim], holders: dict[str, tuple[int, str]]) -> None:
        """
        A claimed id must be free, or held by someone whose own row (anywhere in the file) gives them another id.

        A row that fails keeps its id, so a row claiming that id fails too; failures propagate along chains. Rows
        linked by claims on each other's ids form a group, written in one transaction.
        """
        releaser = {claim.record_pk: claim for claim in claims if claim.record_pk is not None}
        claimant = {}  # holder record pk -> the claim on that record's id
        for claim in claims:
            holder = holders.get(claim.target_key)
            if holder is not None and holder[0] != claim.record_pk:
                claimant[holder[0]] = claim

        def fail_taken(claim: Claim, holder_name: str) -> None:
            stack = [(claim, holder_name)]
            while stack:
                claim, holder_name = stack.pop()
                if claim.row in self.taken:
                    continue
                self.taken[claim.row] = holder_name
                if claim.record_pk in claimant:
                    stack.append((claimant[claim.record_pk], claim.own_name))

        for holder_pk, claim in claimant.items():
            freeing = releaser.get(holder_pk)
            if freeing is None or freeing.row in self.taken:
                fail_taken(claim, holders[claim.target_key][1])
        self._group(claims, releaser, claimant)

    def _group(self, claims: list[Claim], releaser: dict, claimant: dict) -> None:
        """Rows linked by a claim on each other's ids share a group (union-find over the claim edges)."""
        parent = {claim.row: claim.row for claim in claims}

        def root(node):
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for holder_pk, claim in claimant.items():
            if holder_pk in releaser and claim.row not in self.taken:
                parent[root(claim.row)] = root(releaser[holder_pk].row)
        sizes = Counter(root(claim.row) for claim in claims)
        for claim in claims:
            group = root(claim.row)
            if sizes[group] > 1:
                self.group_of[claim.row], self.group_size[group] = group, sizes[group]

    # --- apply -----------------------------------------------------------------------------------------------
    def batches(self, rows: Sequence[RowResult], size: int) -> Iterator[Sequence[RowResult]]:
        """
        File order, but the rows of a group are written in one transaction: a row whose group has rows in later
        chunks waits for them.
        """
        ready: list[list[RowResult]] = []  # units that must not be split
        for result in rows:
            group = result.target.group
            if not group:
                ready.append([result])
                continue
            members = self.held.setdefault(group, [])
            members.append(result)
            if len(members) == self.group_size[group]:
                ready.append(self.held.pop(group))
        return _fill(ready, size)

    def remaining_batches(self, size: int) -> Iterator[Sequence[RowResult]]:
        """Groups some of whose rows failed in the second pass (the database changed in between)."""
        held, self.held = self.held, {}
        return _fill(list(held.values()), size)

    def apply(self, rows: Sequence[RowResult]) -> list[AuditRecord]:
        writes = [result for result in rows if result.target.needs_id_write]
        if writes:
            try:
                with transaction.atomic():
                    self._write_ids(writes)
            except IntegrityError:
                self._write_ids_by_group(writes)
        written = [result for result in writes if not result.failed]
        self._write_to_lms([result for result in rows if not result.failed])
        self._undo_ids([result for result in written if result.failed], written)
        return [record for result in rows if not result.failed for record in self._audit(result)]

    def _write_to_lms(self, rows: list[RowResult]) -> None:
        """Enrol and invite through the host; the rows it could not write fail with ``lms_error``."""
        host = get_host()
        enrol = [result for result in rows if result.outcome == ENROLLED]
        invite = [result for result in rows if result.outcome == INVITED]
        if enrol:
            with _linking_ids():
                failures = host.enroll(course_key=self.course_key,
                                       learners=[result.target.learner for result in enrol],
                                       actor=self.actor, reason=ENROLLMENT_REASON)
            for result in enrol:
                if result.target.learner.id in failures:
                    result.fail(Reason.LMS_ERROR, _("The LMS could not enrol this learner: {error}").format(
                        error=failures[result.target.learner.id]))
        if invite:
            failures = host.invite(course_key=self.course_key, emails=[result.target.email for result in invite],
                                   auto_enroll=self.auto_enroll, email_learners=self.email_learners,
                                   actor=self.actor, reason=ENROLLMENT_REASON)
            for result in invite:
                if result.target.email in failures:
                    result.fail(Reason.LMS_ERROR, _("The LMS could not invite this email: {error}").format(
                        error=failures[result.target.email]))

    def _undo_ids(self, failed: list[RowResult], written: list[RowResult]) -> None:
        """
        Put back the ids written for rows the LMS then failed. A row that claimed an id one of them gives back does
        not get it (its own id is put back too, and so on along the chain), but keeps its enrolment or invitation.
        """
        claimant_of = {id_key(result.target.target_id): result for result in written
                       if result.target.id_change and not result.failed}
        undone, blocked = [], []  # blocked: (row, the row keeping the id it claimed, the failed row behind it)
        stack = [(result, result) for result in failed]
        while stack:
            result, root = stack.pop()
            undone.append(result)
            previous = result.target.previous_id
            claimant = claimant_of.pop(id_key(previous), None) if previous else None
            if claimant is not None and claimant is not result:
                blocked.append((claimant, result, root))
                stack.append((claimant, root))
        if undone:
            self._restore_ids(undone)
        for result, keeper, root in blocked:
            invitee = result.target
            result.message = " ".join([invitee.outcome_message, _(
                "The external id {external_id} was not set: it stays with row {row}, because the LMS could not "
                "write row {failed_row}.").format(external_id=invitee.target_id, row=keeper.row,
                                                 failed_row=root.row)])
            result.reason = Reason.EXTERNAL_ID_TAKEN
            invitee.target_id, invitee.id_change = invitee.previous_id, False
            result.fields.update(external_id=invitee.previous_id, previous_external_id=None,
                                 external_id_updated=False)

    def _restore_ids(self, rows: list[RowResult]) -> None:
        """
        The ids of ``rows`` as they were before the import: records this import created are deleted, and every
        other record gets its previous id back (failed rows also their previous owner), clearing ids first.
        """
        created = [result.target.target_id for result in rows if result.target.record is None]
        existing = [result.target for result in rows if result.target.record is not None]
        ExternalId.objects.filter(course_key=self.course_key, external_id__in=created).delete()
        ExternalId.objects.filter(pk__in=[invitee.record.pk for invitee in existing]).update(external_id=None)
        for result in rows:
            record = result.target.record
            if record is None:
                continue
            record.external_id = result.target.previous_id
            if result.failed:
                record.user_id, record.email = result.target.owner_before
        _save([invitee.record for invitee in existing])

    def _write_ids_by_group(self, writes: list[RowResult]) -> None:
        """A concurrent change took an id: retry group by group; the groups that still collide fail."""
        groups: dict[int, list[RowResult]] = {}
        for result in writes:
            groups.setdefault(result.target.group or id(result), []).append(result)
        for members in groups.values():
            try:
                with transaction.atomic():
                    self._write_ids(members)
            except IntegrityError:
                for result in members:
                    result.fail(Reason.EXTERNAL_ID_TAKEN, _(
                        "The external id {external_id} was taken by another change in this course while the file "
                        "was being processed; nothing was written for this row.").format(
                        external_id=result.target.target_id))

    def _write_ids(self, rows: list[RowResult]) -> None:
        """Clear every id that changes, then set the new ones, so swaps never collide; link pending ids."""
        invitees = [result.target for result in rows]
        existing = [invitee for invitee in invitees if invitee.record is not None]
        changing = [invitee.record.pk for invitee in existing if invitee.id_change]
        if changing:
            ExternalId.objects.filter(pk__in=changing).update(external_id=None)
        for invitee in existing:
            record = invitee.record
            record.external_id = invitee.target_id
            if invitee.learner:
                record.user_id, record.email = invitee.learner.id, None
        _save([invitee.record for invitee in existing])
        insert_many(ExternalId, ["external_id", "user", "email"], (
            (invitee.target_id, *((invitee.learner.id, None) if invitee.learner else (None, invitee.email)))
            for invitee in invitees if invitee.record is None
        ), same={"course_key": self.course_key})

    def _audit(self, result: RowResult) -> list[AuditRecord]:
        invitee = result.target
        learner = invitee.learner
        common = {"actor": self.actor, "course_key": self.course_key,
                  "learner_username": learner.username if learner else "",
                  "learner_email": learner.email if learner else invitee.email}
        records = []
        if result.outcome == INVITED:
            records.append(AuditRecord(action="invitation.invited", after={
                "auto_enroll": self.auto_enroll, "external_id": invitee.target_id}, **common))
        elif result.outcome == ENROLLED:
            records.append(AuditRecord(action="invitation.enrolled", after={"external_id": invitee.target_id},
                                       **common))
        if invitee.id_change:
            records.append(external_id_audit(before=invitee.previous_id, after=invitee.target_id, **common))
        return records


#: True while an import enrols the learners of its rows: it links their pending ids itself (``_write_ids``), so the
#: enrolment signal's receiver has nothing to do then (and would query once per learner).
import_links_ids: ContextVar[bool] = ContextVar("certexceptions_import_links_ids", default=False)


@contextmanager
def _linking_ids():
    token = import_links_ids.set(True)
    try:
        yield
    finally:
        import_links_ids.reset(token)


def _fill(units: list[list[RowResult]], size: int) -> Iterator[list[RowResult]]:
    """Batches of about ``size`` rows, never splitting a unit."""
    batch: list[RowResult] = []
    for unit in units:
        if batch and len(batch) + len(unit) > size:
            yield batch
            batch = []
        batch.extend(unit)
    if batch:
        yield batch


def external_id_audit(*, before: str | None, after: str | None, **common) -> AuditRecord:
    """The audit record of an external id being set, changed or cleared."""
    action = "external_id.set" if before is None else "external_id.cleared" if after is None else "external_id.changed"
    return AuditRecord(action=action, before=None if before is None else {"external_id": before},
                       after=None if after is None else {"external_id": after}, **common)


def _save(records: list[ExternalId]) -> None:
    """Write the id and owner of each of ``records``, in a statement or a few."""
    update_many(ExternalId, ["external_id", "user", "email"],
                ((record.pk, record.external_id, record.user_id, record.email) for record in records),
                same={"modified": timezone.now()})


def _holder_name(record: ExternalId) -> str:
    return record.user.username if record.user_id else record.email


def _is_email(value: str) -> bool:
    """
    An address the LMS can invite: valid for Django, with no invisible or control characters, a domain name (not
    an address literal such as ``[127.0.0.1]``), and no domain mixing scripts (a Cyrillic ``а`` among Latin
    letters looks like a trusted domain and is not).
    """
    plain = value.isascii() and value.isprintable()  # printable ASCII: no invisible character, Latin letters only
    if len(value) > MAX_EMAIL_LENGTH or not plain and any(unicodedata.category(char) in INVISIBLE for char in value):
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    domain = value.rpartition("@")[2]
    return not domain.startswith("[") and (plain or len(_scripts(domain)) <= 1)


#: Unicode categories of characters that do not show: controls, format characters (zero-width space, joiners,
#: direction marks), private use, unassigned.
INVISIBLE = {"Cc", "Cf", "Co", "Cn"}


def _scripts(text: str) -> set[str]:
    """The scripts of the letters in ``text``, as the first word of their Unicode names (LATIN, CYRILLIC, ...)."""
    return {unicodedata.name(char, "UNKNOWN").split()[0] for char in text if char.isalpha()}
