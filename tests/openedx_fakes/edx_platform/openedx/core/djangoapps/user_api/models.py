"""Fake of ``openedx.core.djangoapps.user_api.models``."""
from tests.openedx_fakes.models import RetirementStateError, UserRetirementRequest, UserRetirementStatus

__all__ = ["RetirementStateError", "UserRetirementRequest", "UserRetirementStatus"]
