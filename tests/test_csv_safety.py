"""Every CSV the plugin writes is safe to open in a spreadsheet: no cell starts a formula."""
import pytest

from certexceptions_plugin.bulk.results import rows_to_csv, safe_cell


@pytest.mark.parametrize("cell", [
    "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)",
    "\ufe66x", "\ufe62x", "\ufe63x", "\ufe6bx", "\u22121", "  =1", "\u00a0=1", "\u3000\uff1d1",
])
def test_formula_triggers_and_look_alikes_are_neutralised(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["learner1", "ada@example.com", "S-001", "1-2", "", "Ünïcödé", "a=b"])
def test_ordinary_cells_are_left_alone(cell):
    assert safe_cell(cell) == cell


def test_rows_to_csv_uses_safe_cells():
    assert rows_to_csv([{"a": "\uff1dHYPERLINK(1)", "b": "ok"}], ["a", "b"]).splitlines() == [
        "a,b", "'\uff1dHYPERLINK(1),ok"]
