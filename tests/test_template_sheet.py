"""The template's worksheets prepare every formula exactly as xlsxwriter does, by the shorter way where nothing
would change: the same formulas for both formats' templates, the same bytes, and xlsxwriter's own answer for the
newer functions it prefixes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from xlsxwriter.worksheet import Worksheet

from toolkit.spec import load_spec
from toolkit.template import build_template
from toolkit.template.sheet import Sheet

NEWER = [
    "=FILTER(A1:A3,B1:B3)", "=SORT(A1:A3)", "=_xlfn.XLOOKUP(1,A:A,B:B)", "{=SUM(A1:A3*B1:B3)}", "=IFS(A1>0,1,TRUE,0)",
    "=SINGLE(A1)", "=x+INGLE(1)", "=a.SORT(A1)", '=IF(A1="FILTER(",1,0)', "=中FILTER(1)", "=CONCAT(A1,B1)",
    "=BETA.DIST(1,2,3,TRUE)", "=STDEV.S(A1:A3)", "=SUM((A1+B1))", "=LET(x,1,x+1)", "=XOR(TRUE,FALSE)", "SUM(A1)",
    "=IF(AND(ABS(SUM(D8:D9)-D10)<0.5,NOT(ISBLANK(D10))),\"\",\"不符\")", "=", "", "=A1+B1", "=ANCHORARRAY(A1)",
]


@pytest.mark.parametrize("expand", [False, True])
@pytest.mark.parametrize("future", [False, True])
def test_newer_functions_are_prepared_as_xlsxwriter_prepares_them(expand: bool, future: bool) -> None:
    ours, theirs = Sheet(), Worksheet()
    ours.use_future_functions = theirs.use_future_functions = future
    for formula in NEWER:
        assert ours._prepare_formula(formula, expand) == theirs._prepare_formula(formula, expand), formula


@pytest.mark.parametrize("format_id", ["2019", "2021"])
def test_every_template_formula_and_byte_is_xlsxwriters(format_id: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every formula a template prepares comes out as xlsxwriter's own method gives it, and the template written
    with xlsxwriter's method instead is the same file, part for part."""
    spec = load_spec(format_id)
    seen: list[tuple[str, bool]] = []
    shorter = Sheet._prepare_formula

    def recording(self: Sheet, formula: str, expand: bool = False) -> str:
        seen.append((formula, expand))
        return shorter(self, formula, expand)

    monkeypatch.setattr(Sheet, "_prepare_formula", recording)
    fast = build_template(spec, tmp_path / "fast.xlsx", organ="南口镇", year=2026 if format_id == "2021" else 2020)
    monkeypatch.setattr(Sheet, "_prepare_formula", Worksheet._prepare_formula)
    slow = build_template(spec, tmp_path / "slow.xlsx", organ="南口镇", year=2026 if format_id == "2021" else 2020)
    assert len(seen) > 200
    plain = Worksheet()
    for formula, expand in seen:
        assert shorter(Sheet(), formula, expand) == plain._prepare_formula(formula, expand), formula
    with zipfile.ZipFile(fast) as a, zipfile.ZipFile(slow) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
