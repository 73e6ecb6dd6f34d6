"""A sum whose part is not a usable number is reported as not assessed, never silently as "no error"."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from support import run_toolkit

from toolkit.annotate import RESULT_SHEET
from toolkit.api import check_file
from toolkit.data import CellValue, ValueStatus
from toolkit.rules.engine import check_data
from toolkit.sample import sample_report
from toolkit.spec import Severity, load_spec
from toolkit.template import build_template

CELL = "s3.granted.natural"
"""三's 予以公开 by 自然人: part of the row total and of the results total."""


def _with_words(tmp_path: Path) -> Path:
    """A consistent 2026 workbook whose 予以公开/自然人 holds 若干 (words, not a number)."""
    data = sample_report(load_spec("2021"), seed=5)
    data.values[CELL] = CellValue(CELL, None, "若干", ValueStatus.INVALID)
    return build_template(load_spec("2021"), tmp_path / "若干.xlsx", data=data)


def test_a_sum_over_words_is_not_assessed_with_its_own_severity() -> None:
    """Each sum the unusable cell is part of yields one finding of severity unassessed naming that cell."""
    data = sample_report(load_spec("2021"), seed=5)
    data.values[CELL] = CellValue(CELL, None, "若干", ValueStatus.INVALID)
    result = check_data(data)
    found = [f for f in result.findings if f.severity is Severity.UNASSESSED]
    assert {f.rule for f in found} == {"s3_row_total", "s3_results_total"}
    assert all(f.code == "sum-not-assessed" and [c.key for c in f.cells] == [CELL] for f in found)
    assert result.unassessed == len(found) and "未能校验" in found[0].message.zh
    assert "not checked" in found[0].message.en
    clean = check_data(sample_report(load_spec("2021"), seed=5))
    assert clean.unassessed == 0 and clean.to_dict()["unassessed"] == 0


def test_not_assessed_is_counted_in_json_terminal_and_the_highlighted_copy(tmp_path: Path) -> None:
    """`check --json` counts them, the terminal summary says 未校验 N 项, the copy's list shows 未校验 rows."""
    book = _with_words(tmp_path)
    proc = run_toolkit("check", str(book), "--json", "--no-annotate")
    reported = json.loads(proc.stdout)
    assert reported["unassessed"] == 2
    assert sum(f["severity"] == "unassessed" for f in reported["findings"]) == 2
    shown = run_toolkit("check", str(book), "--no-annotate")
    assert "未校验 2 项" in shown.stdout and "未校验" in shown.stdout.split("未校验 2 项")[0]
    english = run_toolkit("check", str(book), "--no-annotate", "--lang", "en")
    assert "2 checks not assessed" in english.stdout
    result = check_file(book, output=tmp_path / "copy.xlsx")
    assert result.annotated is not None
    sheet = load_workbook(result.annotated, read_only=True)[RESULT_SHEET]
    levels = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert levels.count("未校验") == 2


def test_the_check_sheet_shows_not_assessed_where_check_does(tmp_path: Path) -> None:
    """On the 校验 sheet the sums over 若干 read 未校验 (cached and recalculated by LibreOffice), are not counted
    as failing, and they are the sums `check` reports as not assessed; a placeholder "/" keeps its sums assessed."""
    from python_calamine import CalamineWorkbook

    from toolkit.office import convert
    from toolkit.template import CHECK_RESULT_COLUMN, CHECKS_FIRST_ROW, check_sheet_rows
    from toolkit.template.checks import UNASSESSED
    from toolkit.workbook import read_workbook

    spec = load_spec("2021")
    data = sample_report(spec, seed=5)
    data.values[CELL] = CellValue(CELL, None, "若干", ValueStatus.INVALID)
    data.values["s3.granted.research"] = CellValue("s3.granted.research", None, "/", ValueStatus.PLACEHOLDER)
    (tmp_path / "in").mkdir()
    book = build_template(spec, tmp_path / "in" / "若干.xlsx", data=data)
    rows = check_sheet_rows(spec, data)
    marked = {r.rule.id for r in rows if r.result == UNASSESSED}
    assert marked == {"s3_row_total", "s3_results_total"}
    assert all(r.weight == 0 for r in rows if r.result == UNASSESSED)
    (recalculated,) = convert([book], "xlsx", tmp_path / "out")
    grid = CalamineWorkbook.from_path(str(recalculated)).get_sheet_by_name(spec.sheets["checks"]).to_python()
    assert [grid[CHECKS_FIRST_ROW + i][CHECK_RESULT_COLUMN] for i in range(len(rows))] == [r.result for r in rows]
    reported = check_data(read_workbook(book))
    assert {(f.rule, f.instance) for f in reported.findings if f.severity is Severity.UNASSESSED} == {
        (r.rule.id, r.instance) for r in rows if r.result == UNASSESSED}
