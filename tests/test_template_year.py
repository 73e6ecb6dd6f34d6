"""The template says which year and format it is for, warns about a future year, and a blank one is 未填写."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.data import ReportData
from toolkit.spec import load_spec
from toolkit.template import (
    CHECK_RESULT_COLUMN,
    CHECKS_FIRST_ROW,
    build_template,
    check_sheet_rows,
    default_report_year,
    is_future_year,
)
from toolkit.template.checks import COUNT_COLUMN
from toolkit.template.layout import cell_positions

UNFILLED = "未填写"


def _grid(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _shown(path: Path, fid: str) -> tuple[list[object], list[object]]:
    """The 校验 sheet's two counts (errors, warnings) and every result, as the workbook shows them."""
    spec = load_spec(fid)
    grid = _grid(path, spec.sheets["checks"])
    rows = len(check_sheet_rows(spec))
    counts = [grid[1][COUNT_COLUMN], grid[2][COUNT_COLUMN]]
    return counts, [grid[CHECKS_FIRST_ROW + i][CHECK_RESULT_COLUMN] for i in range(rows)]


def test_report_year_being_prepared_follows_the_reporting_season() -> None:
    """From November the year's own report is due; before that, last year's."""
    assert default_report_year(dt.date(2026, 12, 1)) == 2026
    assert default_report_year(dt.date(2027, 1, 20)) == 2026
    assert default_report_year(dt.date(2026, 6, 1)) == 2025
    assert is_future_year(2035, dt.date(2026, 12, 1)) and not is_future_year(2026, dt.date(2026, 12, 1))


def test_cli_without_options_names_the_year_and_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`toolkit template` alone says the year it chose; the file name and the 基本信息 title carry year and format."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["template"])
    year = default_report_year()
    assert result.exit_code == 0, result.output
    assert f"按{year}年度生成（2021格式）" in result.output
    path = tmp_path / f"{year}年报.xlsx"
    ws = load_workbook(path)["基本信息"]
    assert ws["A1"].value == f"{year}年度政府信息公开工作年度报告填报表（2021格式，国办公开办函〔2021〕30号）"
    assert ws["B4"].value == year


def test_future_year_is_written_with_a_warning(tmp_path: Path) -> None:
    """A year after this one is accepted (the workbook is written) with a Chinese warning, not a refusal."""
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(app, ["template", "--year", "2035", "-o", str(out)])
    assert result.exit_code == 0 and out.exists()
    assert "报告年度2035晚于今年" in result.output
    quiet = CliRunner().invoke(app, ["template", "--year", "2025", "-o", str(tmp_path / "y.xlsx")])
    assert "晚于今年" not in quiet.output and "未指定报告年度" not in quiet.output


@pytest.mark.parametrize(("fid", "years"), [("2019", "2019—2020年度"), ("2021", "2021年度起")])
def test_blank_template_title_names_the_years_it_covers(tmp_path: Path, fid: str, years: str) -> None:
    """A template without a year says its format, the document and the report years it is for."""
    path = build_template(load_spec(fid), tmp_path / "t.xlsx")
    title = load_workbook(path)["基本信息"]["A1"].value
    assert f"（{fid}格式，" in title and f"适用于{years}的报告" in title


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_blank_template_shows_unfilled_not_errors(tmp_path: Path, fid: str) -> None:
    """Nothing filled in: both counts and every result say 未填写; one organ name typed makes the checks live."""
    spec = load_spec(fid)
    blank = build_template(spec, tmp_path / "blank.xlsx")
    counts, results = _shown(blank, fid)
    assert counts == [UNFILLED, UNFILLED] and set(results) == {UNFILLED}
    started = build_template(spec, tmp_path / "started.xlsx", data=ReportData(fid, {"organ": "南口镇"}))
    counts, results = _shown(started, fid)
    assert all(isinstance(c, float) and c > 0 for c in counts[:1]) and UNFILLED not in results


@pytest.mark.libreoffice
def test_libreoffice_recalculates_unfilled_until_something_is_typed(tmp_path: Path) -> None:
    """Recalculated by LibreOffice, a blank template stays 未填写 and one typed value turns the checks on."""
    from toolkit.office import convert

    spec = load_spec("2021")
    (tmp_path / "in").mkdir()
    blank = build_template(spec, tmp_path / "in" / "blank.xlsx")
    typed = tmp_path / "in" / "typed.xlsx"
    sheet, row, col = cell_positions(spec)["s3.new_received.natural"]
    wb = load_workbook(blank)
    wb[sheet].cell(row + 1, col + 1).value = 3  # openpyxl drops cached results: what shows next, LibreOffice computed
    wb.save(typed)
    load_workbook(blank).save(blank)  # the same, untouched
    out_blank, out_typed = convert([blank, typed], "xlsx", tmp_path / "out")
    counts, results = _shown(out_blank, "2021")
    assert counts == [UNFILLED, UNFILLED] and set(results) == {UNFILLED}
    counts, results = _shown(out_typed, "2021")
    assert isinstance(counts[0], float) and counts[0] > 0 and UNFILLED not in results
