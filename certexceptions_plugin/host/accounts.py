"""Finding user accounts by username or email, the same way on every host."""
from collections.abc import Collection, Iterable, Iterator

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.db.models.lookups import In

from certexceptions_plugin.host.port import LearnerRef, Retirement


def _in_ignoring_case(field: str, values: Collection[str], **within) -> Q:
    """
    A filter for rows whose ``field`` is one of ``values``, ignoring case, as the LMS's database compares them.

    MySQL and MariaDB collations already compare case-insensitively, so there a plain ``IN`` uses the column's
    index (the LMS's ``auth_user`` is large). Elsewhere ``LOWER(field)`` is compared, plus the exact spelling of
    values with other letters than ASCII ones, since SQLite's ``LOWER`` folds only those. ``within`` are further
    conditions (``course_id=...``), repeated in each comparison so that an index on the field and those columns
    serves each of them.
    """
    values = list(values)
    if connection.vendor == "mysql":
        return Q(**{f"{field}__in": values}, **within)
    ignoring_case = Q(In(Lower(field), [value.lower() for value in values]), **within)
    if not_ascii := [value for value in values if not value.isascii()]:
        return Q(**{f"{field}__in": not_ascii}, **within) | ignoring_case
    return ignoring_case


def email_in(emails: Collection[str], field: str = "email", **within) -> Q:
    """A filter for rows whose ``field`` is one of ``emails``, ignoring case, and that match ``within``."""
    return _in_ignoring_case(field, emails, **within)


def username_in(usernames: Collection[str], field: str = "username") -> Q:
    """A filter for rows whose ``field`` is one of ``usernames``, ignoring case."""
    return _in_ignoring_case(field, usernames)


def identifiers_filter(identifiers: Collection[str]) -> Q:
    """The users whose username or email is one of ``identifiers``, ignoring case (``LEARNER1`` is ``learner1``)."""
    identifiers = list(identifiers)
    return username_in(identifiers) | email_in(identifiers)


def learner_ref(user) -> LearnerRef:
    return LearnerRef(id=user.id, username=user.username, email=user.email, is_active=user.is_active)


def learner_refs(users: QuerySet) -> Iterator[LearnerRef]:
    """The accounts of a user queryset, read as plain values (no model instances: look-ups run by the thousand)."""
    return (LearnerRef(*values) for values in users.values_list("id", "username", "email", "is_active"))


def match_identifiers(identifiers: Collection[str], users: Iterable[LearnerRef]) -> dict[str, tuple[LearnerRef, ...]]:
    """
    Map each identifier to the users it names: those whose username or email it is, ignoring case. ``users`` are
    the candidates, found with :func:`identifiers_filter`.
    """
    by_name: dict[str, dict[int, LearnerRef]] = {}
    for user in users:
        by_name.setdefault(user.username.lower(), {})[user.id] = user
        by_name.setdefault(user.email.lower(), {})[user.id] = user
    return {identifier: tuple(by_name.get(identifier.lower(), {}).values()) for identifier in identifiers}


def retirements_of(statuses, *, user_ids: Collection[int], usernames: Collection[str]) -> dict[int, Retirement]:
    """
    The retirements recorded in ``statuses`` (a model with the LMS's ``UserRetirementStatus`` fields) of the users
    with these ids, or with these original or retired usernames (ignoring case), by user id.
    """
    wanted = Q(user_id__in=list(user_ids))
    if usernames:
        wanted |= username_in(usernames, "original_username") | username_in(usernames, "retired_username")
    return {
        status.user_id: Retirement(user_id=status.user_id, original_username=status.original_username,
                                   original_email=status.original_email,
                                   retired_username=status.retired_username, retired_email=status.retired_email)
        for status in statuses.objects.filter(wanted)
    }
