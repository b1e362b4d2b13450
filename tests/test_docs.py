"""The README's tables of outcomes and reasons say what the code says: each is checked against its enum."""
import re
import textwrap
from pathlib import Path

import pytest

from certexceptions_plugin.certificates import importer as certificates
from certexceptions_plugin.invitations import importer as invitations

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
