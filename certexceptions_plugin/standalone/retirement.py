"""
Account retirement as the LMS does it, in one go: the stand-in's retirement signals, and :func:`retire`.

The LMS retires an account in steps, each a request of its retirement pipeline
(openedx/core/djangoapps/user_api/accounts/views.py and utils.py):

1. ``DeactivateLogoutView`` (``create_retirement_request_and_deactivate_account``): records the
   ``UserRetirementStatus`` (original and retired username and email) and the ``UserRetirementRequest``, and
   replaces the account's email with its retired form;
2. ``LMSAccountRetirementView`` (``retire_misc``): sends ``USER_RETIRE_LMS_MISC`` with ``user``;
3. ``AccountRetirementView`` (``retire``): deletes the invitations of the original email, sends
   ``USER_RETIRE_LMS_CRITICAL`` with ``user``, ``retired_username`` and ``retired_email``, then replaces the
   username too and deactivates the account.

Plugins receive the two signals; :func:`retire` sends them with the same arguments, in the same order, with the
account in the same state at each step.
"""
import hashlib

from django.db import transaction
from django.dispatch import Signal

from certexceptions_plugin.host.accounts import email_in
from certexceptions_plugin.standalone import models

# Stand-ins of openedx/core/djangoapps/user_api/accounts/signals.py.
USER_RETIRE_LMS_CRITICAL = Signal()
USER_RETIRE_LMS_MISC = Signal()

SALT = b"certexceptions-standalone-retirement"


class AlreadyRetiring(Exception):
    """The account already has a retirement request (as the LMS's ``RetirementStateError``)."""


def retired_username(username: str) -> str:
    """As the LMS's ``get_retired_username_by_username``: a salted hash of the lower-cased username."""
    return f"retired__user_{hashlib.sha1(SALT + username.lower().encode()).hexdigest()}"


def retired_email(email: str) -> str:
    """As the LMS's ``get_retired_email_by_email``: a salted hash of the lower-cased email."""
    return f"retired__user_{hashlib.sha1(SALT + email.lower().encode()).hexdigest()}@retired.invalid"


def retire(user) -> models.UserRetirementStatus:
    """Retire ``user`` as the LMS's retirement pipeline does, sending its two signals to every receiver."""
    status = _request_retirement(user)
    USER_RETIRE_LMS_MISC.send(sender=retire, user=user)
    # As CourseEnrollmentAllowed.delete_by_user_value(original_email, field="email") on the LMS's MySQL: in any case.
    models.CourseEnrollmentAllowed.objects.filter(email_in([status.original_email])).delete()
    USER_RETIRE_LMS_CRITICAL.send(sender=retire, user=user, retired_username=status.retired_username,
                                  retired_email=status.retired_email)
    user.first_name, user.last_name, user.is_active = "", "", False
    user.username, user.email = status.retired_username, status.retired_email
    user.save()
    return status


@transaction.atomic
def _request_retirement(user) -> models.UserRetirementStatus:
    if models.UserRetirementRequest.objects.filter(user=user).exists():
        raise AlreadyRetiring(f"{user.username} has already asked for their account to be retired.")
    status = models.UserRetirementStatus.objects.create(
        user=user, original_username=user.username, original_email=user.email,
        retired_username=retired_username(user.username), retired_email=retired_email(user.email))
    models.UserRetirementRequest.objects.create(user=user)
    models.RetiredEmail.retire(user.email)
    user.email = status.retired_email
    user.set_unusable_password()
    user.save()
    return status
