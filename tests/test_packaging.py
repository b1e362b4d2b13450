"""What an operator installs: valid requirements that leave an LMS's own packages alone, a version, a license."""
import re
import runpy
from pathlib import Path
from unittest import mock

from packaging.requirements import Requirement

import certexceptions_plugin

ROOT = Path(__file__).resolve().parents[1]


def setup_arguments() -> dict:
    arguments = {}
    with mock.patch("setuptools.setup", arguments.update):
        runpy.run_path(str(ROOT / "setup.py"))
    return arguments


def test_every_requirement_is_valid():
    arguments = setup_arguments()
    requirements = [*arguments["install_requires"], *arguments["extras_require"]["standalone"]]
    assert {Requirement(requirement).name for requirement in requirements} >= {
        "Django", "openedx-events", "drf-spectacular", "drf-spectacular-sidecar"}


def test_an_lms_on_python_312_keeps_its_openedx_events():
    """The 3.11 cap would make pip downgrade a Python 3.12 LMS's openedx-events 11 (Verawood pins 11.x)."""
    events = next(Requirement(r) for r in setup_arguments()["install_requires"] if r.startswith("openedx-events"))
    assert events.marker is not None
    assert events.marker.evaluate({"python_version": "3.11"})
    assert not events.marker.evaluate({"python_version": "3.12"})


def test_version_is_the_changelogs_newest_release():
    changelog = (ROOT / "CHANGELOG.rst").read_text(encoding="utf-8")
    releases = re.findall(r"^(\d+\.\d+\.\d+) – (\d{4}-\d{2}-\d{2})\n\*+$", changelog, re.M)
    assert releases and releases[0][0] == certexceptions_plugin.__version__
    assert changelog.index("\nUnreleased\n") < changelog.index(f"\n{releases[0][0]} – ")


def test_license_is_the_agpl_named_in_the_metadata():
    text = (ROOT / "LICENSE.txt").read_text(encoding="utf-8")
    assert text.split("\n")[0].strip() == "GNU AFFERO GENERAL PUBLIC LICENSE"
    assert "Version 3, 19 November 2007" in text and "END OF TERMS AND CONDITIONS" in text
    assert setup_arguments()["license"] == "AGPL-3.0-or-later"
