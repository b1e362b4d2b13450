"""
Fixtures of the contract suite: the fake edx-platform on ``sys.path``, the LMS settings the fakes read, and a
``world`` fixture parametrised over every Host implementation.
"""
import sys

import pytest

from tests.contract.worlds import OpenedxWorld, StandaloneWorld
from tests.openedx_fakes import EDX_PLATFORM_ROOT, faults, modulestore

EDX_PLATFORM_PACKAGES = {"lms", "common", "openedx"}


@pytest.fixture(scope="package", autouse=True)
def _fake_edx_platform_importable():
    """``import lms`` / ``common`` / ``openedx`` find the fakes, for the contract suite only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(EDX_PLATFORM_ROOT)
        yield
    for name in [name for name in sys.modules if name.split(".")[0] in EDX_PLATFORM_PACKAGES]:
        del sys.modules[name]


@pytest.fixture(autouse=True)
def _fresh_fake_lms():
    """The fake LMS's planned failures and modulestore courses last one test."""
    yield
    faults.clear()
    modulestore.clear()


@pytest.fixture
def openedx_lms(settings):
    """
    The LMS settings the fakes rely on: bridgekeeper's permission backend, the learning MFE's address, and the
    retirement settings with lms/envs/common.py's defaults.
    """
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "tests.openedx_fakes.auth.RulePermissionBackend",
    ]
    settings.LEARNING_MICROFRONTEND_URL = "http://apps.local.openedx.io/learning"
    settings.RETIRED_USER_SALTS = ["abc", "123"]
    settings.RETIRED_EMAIL_FMT = "retired__user_{}@retired.invalid"
    return OpenedxWorld()


@pytest.fixture(params=["standalone", "openedx"])
def world(request, db):  # pylint: disable=unused-argument
    if request.param == "openedx":
        return request.getfixturevalue("openedx_lms")
    return StandaloneWorld(request.getfixturevalue("monkeypatch"))


@pytest.fixture
def host(world):
    return world.make_host()
