"""Recording audit events."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Any

from django.utils import timezone

from certexceptions_plugin.audit.models import AuditEvent
from certexceptions_plugin.db import insert_many

log = logging.getLogger("certexceptions_plugin.audit")


@dataclass(frozen=True)
class AuditRecord:
    """A change to audit; ``actor`` is a Django user (or ``None`` for the system)."""

    actor: Any
    course_key: Any
    action: str
    learner_username: str = ""
    learner_email: str = ""
    before: Any = None
    after: Any = None


def record_events(records: Sequence[AuditRecord]) -> None:
    """Log each record on ``certexceptions_plugin.audit`` and store them, in one insert per course."""
    for record in records if log.isEnabledFor(logging.INFO) else ():
        log.info(
            "%s by %s for %s in %s: before=%s after=%s",
            record.action, _username(record.actor), record.learner_username or record.learner_email,
            record.course_key, record.before, record.after,
        )
    now = timezone.now()
    # An import's records share one course: its key is converted once per course, not once per record.
    for course_key, same_course in groupby(records, key=attrgetter("course_key")):
        insert_many(
            AuditEvent, ("actor", "actor_username", "action", "learner_username", "learner_email", "before", "after"),
            ((getattr(record.actor, "pk", None), _username(record.actor), record.action, record.learner_username,
              record.learner_email, record.before, record.after) for record in same_course),
            same={"created": now, "course_key": course_key},
        )


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"
