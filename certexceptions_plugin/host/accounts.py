"""Finding user accounts by username or email, the same way on every host."""
from collections.abc import Collection, Iterable

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import In

from certexceptions_plugin.host.port import LearnerRef


def email_in(emails: Collection[str], field: str = "email") -> Q:
    """
    A filter for rows whose ``field`` is one of ``emails``, ignoring case.

    MySQL and MariaDB collations already compare case-insensitively, so there a plain ``IN`` uses the column's
    index (the LMS's ``auth_user`` is large). Elsewhere ``LOWER(field)`` is compared, plus the exact spelling,
    since SQLite's ``LOWER`` folds only ASCII letters.
    """
    emails = list(emails)
    if connection.vendor == "mysql":
        return Q(**{f"{field}__in": emails})
    return Q(**{f"{field}__in": emails}) | Q(In(Lower(field), [email.lower() for email in emails]))


def learner_ref(user) -> LearnerRef:
    return LearnerRef(id=user.id, username=user.username, email=user.email, is_active=user.is_active)


def match_identifiers(identifiers: Collection[str], users: Iterable) -> dict[str, tuple[LearnerRef, ...]]:
    """
    Map each identifier to the users it names: the one whose username it is, and those whose email it is
    (ignoring case). ``users`` are the candidates, found with ``Q(username__in=...) | email_in(...)``.
    """
    by_username, by_email = {}, {}
    for user in users:
        by_username[user.username] = user
        by_email.setdefault(user.email.lower(), []).append(user)
    result = {}
    for identifier in identifiers:
        found = {user.id: user for user in by_email.get(identifier.lower(), [])}
        if identifier in by_username:
            found[by_username[identifier].id] = by_username[identifier]
        result[identifier] = tuple(learner_ref(user) for user in found.values())
    return result
