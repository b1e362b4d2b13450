"""Matching email addresses ignoring case, in a way each database answers quickly."""
from collections.abc import Collection

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import In


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
