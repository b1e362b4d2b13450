"""
The README says what the code does: its tables of outcomes and reasons (checked against their enums), the demo's
walkthrough (the one the demo prints), and every environment variable and setting.
"""
import re
import textwrap
from pathlib import Path

import pytest

from certexceptions_plugin.certificates import importer as certificates
from certexceptions_plugin.invitations import importer as invitations
from certexceptions_plugin.settings.common import DEFAULTS
from certexceptions_plugin.standalone import demo

README = Path(__file__).resolve().parents[1] / "README.rst"
#: The marker comment above each table in the README, and the enum the table documents.
TABLES = {
    "certificate exception outcomes": certificates.Outcome,
    "certificate exception reasons": certificates.Reason,
    "invitation outcomes": invitations.Outcome,
    "invitation reasons": invitations.Reason,
}
WIDTH = 118


def render(codes) -> str:
    """The table as the README holds it: an RST simple table of ``code`` and sentence."""
    first = max(len(code) for code in codes) + 4
    rule = "=" * first + "  " + "=" * (WIDTH - first - 2)
    lines = [rule]
    for code in codes:
        sentence = textwrap.wrap(str(code.sentence), WIDTH - first - 2)
        lines.append(f"``{code}``".ljust(first + 2) + sentence[0])
        lines.extend(" " * (first + 2) + line for line in sentence[1:])
    lines.append(rule)
    return "\n".join(lines)


def documented(marker: str) -> dict[str, str]:
    """The README's table under ``.. table: <marker>``, as code -> sentence."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^\.\. table: {marker}\n\n(=+  =+\n.*?\n=+  =+)$", text, re.M | re.S)
    assert match, f"README has no table marked '.. table: {marker}'"
    rows, code = {}, None
    for line in match.group(1).splitlines()[1:-1]:
        start = re.match(r"``(\w+)``\s+(.*)", line)
        if start:
            code = start.group(1)
            rows[code] = start.group(2)
        else:
            rows[code] += " " + line.strip()
    return rows


@pytest.mark.parametrize("marker", TABLES)
def test_readme_table_matches_the_code(marker):
    assert documented(marker) == {str(code): str(code.sentence) for code in TABLES[marker]}, (
        f"Update the README table '{marker}' to:\n\n{render(TABLES[marker])}")


def code_block_after(marker: str) -> str:
    """The README's code block under the comment ``.. <marker>``, unindented."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^\.\. {re.escape(marker)}.*\n\n\.\. code-block:: \w+\n\n((?:    .*\n|\n)+)", text, re.M)
    assert match, f"README has no code block under '.. {marker}'"
    return textwrap.dedent(match.group(1)).strip("\n") + "\n"


def test_readme_walkthrough_is_the_one_the_demo_prints():
    """The README and the banner (demo.walkthrough) show the same commands, for the default port."""
    assert code_block_after("walkthrough") == demo.walkthrough("http://127.0.0.1:8000")


#: Where the code reads environment variables and settings.
ENVIRONMENT_READ = re.compile(r"""os\.environ(?:\.get\(|\.setdefault\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_readme_documents_every_environment_variable():
    package = README.parent / "certexceptions_plugin"
    names = {name for path in package.rglob("*.py") for name in ENVIRONMENT_READ.findall(path.read_text())}
    names -= {"DJANGO_SETTINGS_MODULE"}
    assert {"CERTEXCEPTIONS_DB", "CERTEXCEPTIONS_HOME", "CERTEXCEPTIONS_PORT", "CERTEXCEPTIONS_DEBUG"} <= names
    text = README.read_text(encoding="utf-8")
    assert [name for name in sorted(names) if f"``{name}``" not in text] == []


def test_readme_documents_every_setting():
    text = README.read_text(encoding="utf-8")
    assert [name for name in DEFAULTS if f"``{name}``" not in text] == []
