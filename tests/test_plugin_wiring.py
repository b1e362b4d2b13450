"""The LMS finds and wires the plugin through edx-django-utils, exactly as lms/envs and lms/urls do."""
import os
import subprocess
import sys
import types

from django.urls import URLResolver
from edx_django_utils.plugins import add_plugins, get_plugin_apps, get_plugin_url_patterns
from edx_django_utils.plugins.plugin_manager import PluginManager

from certexceptions_plugin.settings.common import DEFAULTS

LMS = "lms.djangoapp"


def test_entry_point_lists_the_app_config():
    assert "certexceptions_plugin.apps.CertExceptionsPluginConfig" in get_plugin_apps(LMS)


def test_url_patterns_route_the_certificate_import():
    patterns = get_plugin_url_patterns(LMS)
    ours = [p for p in patterns
            if isinstance(p, URLResolver) and p.urlconf_name.__name__ == "certexceptions_plugin.urls"]
    assert len(ours) == 1
    path = "api/instructor/v2/courses/course-v1:DemoX+CE101+2026/certificates/exceptions/imports"
    match = ours[0].resolve(path)
    assert match.url_name == "certificate_exception_imports"
    assert match.kwargs["course_id"] == "course-v1:DemoX+CE101+2026"


def test_add_plugins_applies_defaults_then_production_overrides(monkeypatch):
    module = types.ModuleType("fake_lms_settings")
    module.ENV_TOKENS = {"CERTEXCEPTIONS_MAX_ROWS": 5}
    module.CERTEXCEPTIONS_SYNC_MAX_ROWS = 7  # set by the deployment before the plugin runs
    monkeypatch.setitem(sys.modules, "fake_lms_settings", module)
    PluginManager.get_available_plugins.cache_clear()

    add_plugins("fake_lms_settings", LMS, "common")
    assert module.CERTEXCEPTIONS_MAX_UPLOAD_BYTES == DEFAULTS["CERTEXCEPTIONS_MAX_UPLOAD_BYTES"]
    assert module.CERTEXCEPTIONS_MAX_ROWS == DEFAULTS["CERTEXCEPTIONS_MAX_ROWS"]
    assert module.CERTEXCEPTIONS_SYNC_MAX_ROWS == 7
    assert module.CERTEXCEPTIONS_HOST == "certexceptions_plugin.host.openedx.OpenedxHost"

    add_plugins("fake_lms_settings", LMS, "production")
    assert module.CERTEXCEPTIONS_MAX_ROWS == 5


def test_package_imports_without_edx_platform():
    """In a fresh interpreter, loading every module of the app pulls in no edx-platform package."""
    code = (
        "import django, sys, pkgutil, importlib, certexceptions_plugin;"
        "django.setup();"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(certexceptions_plugin.__path__, "
        "'certexceptions_plugin.') if '.standalone.__main__' not in m.name and 'migrations' not in m.name];"
        "leaked = sorted({'lms', 'common', 'openedx', 'xmodule'} & set(sys.modules));"
        "print(leaked); sys.exit(1 if leaked else 0)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "certexceptions_plugin.standalone.settings"}
    completed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
