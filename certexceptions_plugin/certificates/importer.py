"""The rules of a certificate-exception import: who can be granted (or lose) an exception, and what changes."""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certexceptions_plugin.audit.api import AuditRecord
from certexceptions_plugin.bulk.engine import Importer
from certexceptions_plugin.bulk.reader import CsvFormat, CsvRow
from certexceptions_plugin.bulk.results import Code, RowResult
from certexceptions_plugin.host import get_host
from certexceptions_plugin.host.port import LearnerRef

GRANT, REMOVE = "grant", "remove"
ACTIONS = (GRANT, REMOVE)


class Outcome(Code):
    GRANTED = "granted", gettext_lazy("A new certificate exception.")
    UPDATED = "updated", gettext_lazy("Already had an exception; its notes changed to the file's (non-blank) notes.")
    UNCHANGED = "unchanged", gettext_lazy("Already had an exception, and the notes are blank or the same: so "
                                          "uploading a file again is harmless.")
    REMOVED = "removed", gettext_lazy("The exception was removed.")
    FAILED = "failed", gettext_lazy("Nothing was written for the row; its reason says why.")


class Reason(Code):
    INVALID_ROW = "invalid_row", gettext_lazy("No username or email, or more than two columns.")
    USER_NOT_FOUND = "user_not_found", gettext_lazy("No account has that username or email, in any case "
                                                    "(accounts being retired count as not found).")
    AMBIGUOUS_LEARNER = "ambiguous_learner", gettext_lazy("The identifier is one account's username and another "
                                                          "account's email.")
    DUPLICATE_IN_FILE = "duplicate_in_file", gettext_lazy("The same learner (by username or email) appears earlier "
                                                          "in the file; the first row counts.")
    NOT_ENROLLED = "not_enrolled", gettext_lazy("Granting: the learner has no active enrolment in the course.")
    CERTIFICATE_INVALIDATED = "certificate_invalidated", gettext_lazy("Granting: the learner's certificate has an "
                                                                      "active invalidation.")
    NOT_ALLOWLISTED = "not_allowlisted", gettext_lazy("Removing: the learner has no certificate exception.")
    LMS_ERROR = "lms_error", gettext_lazy("The LMS raised while writing the row; the message gives its error. "
                                          "Nothing is written for the row, and the other rows are written.")


GRANTED, UPDATED, UNCHANGED, REMOVED = Outcome.GRANTED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.REMOVED
#: The message of each row that does not fail, translated once per chunk.
MESSAGES = {
    GRANTED: gettext_lazy("Certificate exception granted."),
    UPDATED: gettext_lazy("Already had a certificate exception; notes updated."),
    UNCHANGED: gettext_lazy("Already has a certificate exception."),
    REMOVED: gettext_lazy("Certificate exception removed."),
}
HEADER_IDENTIFIERS = {"username", "email", "user", "learner", "identifier", "username_or_email"}
TEMPLATE_HEADER = ("username_or_email", "notes")
#: What a username or an email looks like, as far as choosing the delimiter goes: no space, no delimiter.
IDENTIFIER = re.compile(r"[^\s,;]+")


def is_header(cells: tuple[str, ...]) -> bool:
    """A first row like ``username,notes`` or ``email`` is a header, not a learner."""
    return cells[0].lower() in HEADER_IDENTIFIERS and (len(cells) < 2 or cells[1].lower() in ("notes", ""))


def fits(cells: tuple[str, ...]) -> bool:
    """A row of this import: a username or email, and at most a note."""
    return len(cells) <= 2 and IDENTIFIER.fullmatch(cells[0]) is not None


CSV_FORMAT = CsvFormat(fits=fits, is_header=is_header)


class FirstRows:
    """
    The row where each learner first appears in the file (user id -> row), in a few bytes per learner.

    The latest learners sit in a dict; every ``buffer`` of them are folded into one sorted array of
    ``user_id << 32 | row``, searched by bisection. A dict of every learner would take 12 MB per 90,000.
    """

    def __init__(self, buffer: int = 8192):
        self.buffer = buffer
        self._folded = array("q")
        self._latest: dict[int, int] = {}

    def get(self, user_id: int) -> int | None:
        if (row := self._latest.get(user_id)) is not None:
            return row
        index = bisect_left(self._folded, user_id << 32)
        if index < len(self._folded) and self._folded[index] >> 32 == user_id:
            return self._folded[index] & 0xFFFFFFFF
        return None

    def add(self, user_id: int, row: int) -> None:
        self._latest[user_id] = row
        if len(self._latest) >= self.buffer:
            latest = (user << 32 | first for user, first in self._latest.items())
            self._folded = array("q", sorted(chain(self._folded, latest)))
            self._latest.clear()


@dataclass(frozen=True)
class Change:
    learner: LearnerRef
    notes_before: str | None
    notes_after: str | None


class CertificateExceptionImporter(Importer):
    """Grants or removes certificate exceptions for the rows of one file."""

    kind = "certificate_exceptions"
    outcomes = Outcome

    def __init__(self, *, course_key, actor, action: str = GRANT):
        super().__init__(course_key=course_key, actor=actor)
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {action!r}")
        self.action = action
        self.write_outcomes = frozenset({GRANTED, UPDATED} if action == GRANT else {REMOVED})
        #: where each learner first appears, across the chunks planned so far
        self.first_rows = FirstRows()

    def plan(self, rows: Sequence[CsvRow]) -> list[RowResult]:
        results = [self._parse(row) for row in rows]
        self._check(results, self.first_rows)
        return results

    def _parse(self, row: CsvRow) -> RowResult:
        identifier = row.cells[0]
        notes = row.cells[1] if len(row.cells) > 1 else ""
        result = RowResult(row=row.number, outcome="", fields={
            "learner": identifier, "username": None, "email": None, "notes": notes})
        if len(row.cells) > 2:
            result.fail(Reason.INVALID_ROW, _("The row has {count} columns; expected a username or email and optional "
                                         "notes.").format(count=len(row.cells)))
        elif not identifier:
            result.fail(Reason.INVALID_ROW, _("The row has no username or email."))
        return result

    def _check(self, results: list[RowResult], first_rows: FirstRows) -> None:
        host = get_host()
        pending = [r for r in results if not r.failed]
        matches = host.resolve_learners(identifiers={r.fields["learner"] for r in pending})
        user_ids = {ref.id for refs in matches.values() for ref in refs}
        enrolled = host.active_enrollments(course_key=self.course_key, user_ids=user_ids)
        allowlisted = host.allowlist_entries(course_key=self.course_key, user_ids=user_ids)
        invalidated = host.active_invalidations(course_key=self.course_key, user_ids=user_ids)
        messages = {outcome: str(message) for outcome, message in MESSAGES.items()}

        for result in pending:
            identifier = result.fields["learner"]
            found = matches.get(identifier, ())
            if not found:
                result.fail(Reason.USER_NOT_FOUND, _("No account has the username or email '{identifier}'.").format(
                    identifier=identifier))
                continue
            if len(found) > 1:
                result.fail(Reason.AMBIGUOUS_LEARNER, _("'{identifier}' is the username of one account and the email "
                                                   "of another; use the other identifier.").format(
                    identifier=identifier))
                continue
            learner = found[0]
            result.fields.update(username=learner.username, email=learner.email)
            if (first := first_rows.get(learner.id)) is not None:
                result.fail(Reason.DUPLICATE_IN_FILE, _("{username} already appears in row {row}.").format(
                    username=learner.username, row=first))
                continue
            first_rows.add(learner.id, result.row)
            if self.action == GRANT:
                self._plan_grant(result, learner, enrolled, allowlisted, invalidated, messages)
            else:
                self._plan_remove(result, learner, allowlisted, messages)

    @staticmethod
    def _plan_grant(result, learner, enrolled, allowlisted, invalidated, messages) -> None:  # pylint: disable=too-many-arguments
        notes = result.fields["notes"]
        if learner.id not in enrolled:
            result.fail(Reason.NOT_ENROLLED, _("{username} is not enrolled in this course.").format(
                username=learner.username))
        elif learner.id in invalidated:
            result.fail(Reason.CERTIFICATE_INVALIDATED, _("{username} has an active certificate invalidation in this "
                                                     "course.").format(username=learner.username))
        elif learner.id not in allowlisted:
            result.outcome, result.message = GRANTED, messages[GRANTED]
            result.target = Change(learner, None, notes)
        elif notes and notes != allowlisted[learner.id]:
            result.outcome, result.message = UPDATED, messages[UPDATED]
            result.target = Change(learner, allowlisted[learner.id], notes)
        else:
            result.outcome, result.message = UNCHANGED, messages[UNCHANGED]
            result.fields["notes"] = allowlisted[learner.id]

    @staticmethod
    def _plan_remove(result, learner, allowlisted, messages) -> None:
        if learner.id not in allowlisted:
            result.fail(Reason.NOT_ALLOWLISTED, _("{username} has no certificate exception in this course.").format(
                username=learner.username))
        else:
            result.outcome, result.message = REMOVED, messages[REMOVED]
            result.target = Change(learner, allowlisted[learner.id], None)

    def apply(self, rows: Sequence[RowResult]) -> list[AuditRecord]:
        changes = [row.target for row in rows]
        learners = [change.learner for change in changes]
        if self.action == GRANT:
            failures = get_host().grant_certificate_exceptions(
                course_key=self.course_key, learners=learners,
                notes={change.learner.id: change.notes_after for change in changes})
            failed_message = _("The LMS could not grant the certificate exception: {error}")
        else:
            failures = get_host().remove_certificate_exceptions(course_key=self.course_key, learners=learners)
            failed_message = _("The LMS could not remove the certificate exception: {error}")
        for row in rows:
            if row.target.learner.id in failures:
                row.fail(Reason.LMS_ERROR, failed_message.format(error=failures[row.target.learner.id]))
        return [
            AuditRecord(
                actor=self.actor, course_key=self.course_key, action=f"certificate_exception.{row.outcome}",
                learner_username=row.target.learner.username, learner_email=row.target.learner.email,
                before=None if row.target.notes_before is None else {"notes": row.target.notes_before},
                after=None if row.target.notes_after is None else {"notes": row.target.notes_after},
            )
            for row in rows
            if not row.failed
        ]
