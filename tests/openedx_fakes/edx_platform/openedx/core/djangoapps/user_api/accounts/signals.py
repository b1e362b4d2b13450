"""
Fake of ``openedx.core.djangoapps.user_api.accounts.signals``: the retirement views' signals, plain Django signals
as in the LMS. ``AccountRetirementView`` sends ``USER_RETIRE_LMS_CRITICAL`` with ``user``, ``retired_username`` and
``retired_email``; ``LMSAccountRetirementView`` sends ``USER_RETIRE_LMS_MISC`` with ``user``
(openedx/core/djangoapps/user_api/accounts/views.py).
"""
from django.dispatch import Signal

__all__ = ["USER_RETIRE_LMS_CRITICAL", "USER_RETIRE_LMS_MISC"]

USER_RETIRE_LMS_CRITICAL = Signal()
USER_RETIRE_LMS_MISC = Signal()
