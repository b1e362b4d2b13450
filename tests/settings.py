"""
Test settings: the standalone host's settings plus the test-only app holding the fake LMS tables.

The fake edx-platform modules themselves are importable only inside the contract suite (see tests/openedx_fakes).
"""
import os
import tempfile

from edx_django_utils.plugins import add_plugins

from certexceptions_plugin.standalone.settings import *  # noqa: F401,F403 pylint: disable=wildcard-import
from certexceptions_plugin.standalone.settings import INSTALLED_APPS, LMS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.openedx_fakes.apps.OpenedxFakesConfig"]
# Uploads waiting for a background task go to a throwaway folder, never the working tree; processes started by
# the tests (a Celery worker) inherit it through the environment.
MEDIA_ROOT = os.environ.setdefault("CERTEXCEPTIONS_TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="certexceptions-tests-"))

# As lms/envs/test.py: each plugin's test settings.
add_plugins(__name__, LMS, "test")
# Demo seeds and factories hash many passwords; the tests need no strong hashing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
