"""Fake of ``openedx.core.djangoapps.user_api.models``."""
from tests.openedx_fakes.models import RetirementStateError, UserRetirementRequest

__all__ = ["RetirementStateError", "UserRetirementRequest"]
