"""
Fake of ``openedx.core.lib.user_util``: the retired form of an email.

Retiring an account replaces its email with this form (a hash of the lower-cased address), one per salt in
``settings.RETIRED_USER_SALTS``; ``is_email_retired`` looks for an account holding any of them.
"""
import hashlib

__all__ = ["RETIRED_EMAIL_DEFAULT_FMT", "get_all_retired_emails"]

RETIRED_EMAIL_DEFAULT_FMT = "retired_email_{}@retired.edx.org"


def get_all_retired_emails(email, salt_list, retired_email_fmt=RETIRED_EMAIL_DEFAULT_FMT):
    """The retired forms of ``email``, one per salt, oldest salt first (the SHA-1 of salt + lower-cased email)."""
    if not isinstance(salt_list, (list, tuple)):
        raise ValueError("Salt must be a list -or- tuple of all historical salts.")
    lowered = email.lower().encode("utf-8")
    return (retired_email_fmt.format(hashlib.sha1(salt.encode() + lowered).hexdigest()) for salt in salt_list)
