"""Fake of ``openedx.features.course_experience.url_helpers``."""
from django.conf import settings

__all__ = ["get_learning_mfe_home_url"]


def get_learning_mfe_home_url(course_key, url_fragment=None, params=None):
    mfe_link = f"{settings.LEARNING_MICROFRONTEND_URL}/course/{course_key}"
    if url_fragment:
        mfe_link += f"/{url_fragment}"
    if params:
        mfe_link += f"?{params.urlencode()}"
    return mfe_link
