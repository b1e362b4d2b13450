"""
Test settings: the standalone host's settings plus the test-only app holding the fake LMS tables.

The fake edx-platform modules themselves are importable only inside the contract suite (see tests/openedx_fakes).
"""
import os
import tempfile

from edx_django_utils.plugins import add_plugins

# What the tests store (uploads waiting for a background task, the JWT key pair) goes to a throwaway folder, never
# the working tree; processes started by the tests (a Celery worker) inherit it through the environment.
os.environ.setdefault("CERTEXCEPTIONS_HOME", tempfile.mkdtemp(prefix="certexceptions-tests-"))

# pylint: disable=wildcard-import,wrong-import-position
from certexceptions_plugin.standalone.settings import *  # noqa: F401,F403,E402
from certexceptions_plugin.standalone.settings import INSTALLED_APPS, LMS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.openedx_fakes.apps.OpenedxFakesConfig"]
# Demo seeds and factories hash many passwords; the tests need no strong hashing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# As lms/envs/test.py: each plugin's test settings.
add_plugins(__name__, LMS, "test")
