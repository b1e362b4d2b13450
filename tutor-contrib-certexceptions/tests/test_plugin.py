"""
The plugin as an operator uses it: ``tutor plugins enable certexceptions`` and ``tutor config save`` in a Tutor root
of its own, then the rendered environment (the LMS settings and the openedx Dockerfile) is read back.
"""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tutorcertexceptions import __version__
from tutorcertexceptions.plugin import MARKER

TUTOR = str(Path(sys.executable).with_name("tutor"))
LMS_SETTINGS = ("production.py", "development.py")


def tutor(root: Path, *args: str) -> str:
    env = {**os.environ, "TUTOR_ROOT": str(root), "TUTOR_PLUGINS_ROOT": str(root / "plugins")}
    env.pop("TUTOR_IGNORE_ENTRYPOINT_PLUGINS", None)
    completed = subprocess.run([TUTOR, *args], env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


@pytest.fixture
def root(tmp_path):
    tutor(tmp_path, "plugins", "enable", "certexceptions")  # saves the configuration and renders the environment
    return tmp_path


def plugin_settings(root: Path, name: str) -> dict:
    """The settings the plugin's block of an LMS settings file assigns, evaluated as Python."""
    text = (root / "env/apps/openedx/settings/lms" / name).read_text()
    assert text.count(MARKER) == 1, text
    block = text.split(MARKER, 1)[1].split("\n\n", 1)[0]
    assignments = {}
    for statement in ast.parse(block).body:
        assignments[statement.targets[0].id] = ast.literal_eval(statement.value)
    return assignments


def dockerfile(root: Path) -> str:
    return (root / "env/build/openedx/Dockerfile").read_text()


def installs(root: Path) -> list[str]:
    """What the openedx image pip-installs after edx-platform's requirements, in order."""
    lines = dockerfile(root).splitlines()
    return [line.split(" install ", 1)[1].strip("'") for line in lines if "$PIP_COMMAND install '" in line]


def test_the_lms_settings_hold_the_plugins_settings(root):
    for name in LMS_SETTINGS:
        assert plugin_settings(root, name) == {
            "CERTEXCEPTIONS_JOIN_URL_TEMPLATE": "{lms_root}/courses/join/{code}",
            "CLOSEST_CLIENT_IP_FROM_HEADERS": [{"name": "X-Forwarded-For", "index": -1}],
        }


def test_the_image_installs_the_plugin(root):
    assert installs(root) == [f"certexceptions-plugin=={__version__}"]
    assert tutor(root, "config", "printvalue", "CERTEXCEPTIONS_PIP_REQUIREMENT").strip() == (
        f"certexceptions-plugin=={__version__}")


def test_operator_values_reach_the_settings_and_the_image(root):
    template = 'https://apps.example.org/join/{code}?course={course_id}&from="qr"'
    headers = [{"name": "CF-Connecting-IP", "index": 0}]
    tutor(root, "config", "save", "--set", f"CERTEXCEPTIONS_JOIN_URL_TEMPLATE={template}",
          "--set", f"CERTEXCEPTIONS_CLIENT_IP_HEADERS={json.dumps(headers)}",
          "--set", "CERTEXCEPTIONS_PIP_REQUIREMENT=git+https://github.com/example/certexceptions-plugin@v1")
    for name in LMS_SETTINGS:
        assert plugin_settings(root, name) == {
            "CERTEXCEPTIONS_JOIN_URL_TEMPLATE": template, "CLOSEST_CLIENT_IP_FROM_HEADERS": headers}
    assert installs(root) == ["git+https://github.com/example/certexceptions-plugin@v1"]


def test_an_operators_own_extra_requirements_are_installed_too(tmp_path):
    tutor(tmp_path, "config", "save", "--set", 'OPENEDX_EXTRA_PIP_REQUIREMENTS=["some-xblock==1.0"]')
    tutor(tmp_path, "plugins", "enable", "certexceptions")
    assert installs(tmp_path) == [f"certexceptions-plugin=={__version__}", "some-xblock==1.0"]


def test_disabling_the_plugin_removes_it(root):
    tutor(root, "plugins", "disable", "certexceptions")
    assert installs(root) == []
    assert all(MARKER not in (root / "env/apps/openedx/settings/lms" / name).read_text() for name in LMS_SETTINGS)


def test_local_launch_builds_the_openedx_image(root):
    script = ("from tutor import hooks, plugins; hooks.Actions.CORE_READY.do(); plugins.load('certexceptions'); "
              "print(hooks.Filters.IMAGES_BUILD_REQUIRED.apply([], 'local'))")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                               env={**os.environ, "TUTOR_ROOT": str(root)})
    assert completed.returncode == 0, completed.stderr
    assert ast.literal_eval(completed.stdout.strip().splitlines()[-1]) == ["openedx"]
