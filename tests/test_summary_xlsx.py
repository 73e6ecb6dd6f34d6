"""The folder summary's workbook, written as its package (toolkit.summary_xlsx) by batch.write_summary."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from toolkit import summary_xlsx
from toolkit.batch import SUMMARY_COLUMNS, UnitRow, _relative_real, write_summary


def _rows(folder: Path) -> list[UnitRow]:
    return [
        UnitRow(file=folder / "甲.xlsx", organ="甲单位", year=2026, format_id="2021"),
        UnitRow(file=folder / "乙.xlsx", organ="=HYPERLINK(\"http://x\")", year=2026, format_id="2021", errors=2,
                exit_code=1, annotated=folder / "乙.校验.xlsx"),
        UnitRow(file=folder / "=1+cmd.xlsx", exit_code=2, problem=" 无法读取：\x0b坏 & <包> "),
        UnitRow(file=folder / "丁.xlsx", organ="丁", year=None, warnings=1, format_id="2019"),
    ]


def test_summary_reads_back_in_openpyxl_with_styles_links_and_filter(tmp_path: Path) -> None:
    """openpyxl reads every row as written: numbers, texts, status fills, bold grey header, links by relative
    path in the link colour, the frozen header, the auto-filter and the column widths."""
    target = write_summary(_rows(tmp_path), tmp_path / "校验汇总.xlsx")
    ws = openpyxl.load_workbook(target)["校验汇总"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == list(SUMMARY_COLUMNS)
    assert values[1] == [1, "甲单位", 2026, "2021", 0, 0, "通过", "甲.xlsx", None, None]
    assert values[2][:9] == [2, '=HYPERLINK("http://x")', 2026, "2021", 2, 0, "有错误", "乙.xlsx", "乙.校验.xlsx"]
    assert values[3] == [3, None, None, None, 0, 0, "无法读取", "=1+cmd.xlsx", None, " 无法读取：␋坏 & <包> "]
    assert values[4][2] is None and values[4][6] == "有警告"
    assert ws["B3"].data_type == ws["H4"].data_type == "s"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb == "FFD9D9D9"
    assert [ws[f"G{r}"].fill.fgColor.rgb for r in (2, 3, 4, 5)] == ["FFC6EFCE", "FFFFC7CE", "FFFFC7CE", "FFFFEB9C"]
    assert ws["H3"].hyperlink.target == "乙.xlsx" and ws["I3"].hyperlink.target == "乙.校验.xlsx"
    assert ws["H3"].font.color.rgb == "FF0563C1" and ws["I2"].hyperlink is None
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:J5"
    assert ws.column_dimensions["B"].width == 24 and ws.column_dimensions["J"].width == 60


def test_summary_holds_no_formula_and_no_illegal_character(tmp_path: Path) -> None:
    """Text a unit wrote is an inline string whatever it starts with: no <f> anywhere, no control character."""
    target = write_summary(_rows(tmp_path), tmp_path / "s.xlsx")
    with zipfile.ZipFile(target) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet and "\x0b" not in sheet
    assert 't="inlineStr"><is><t xml:space="preserve">=HYPERLINK(&quot;http://x&quot;)</t>' in sheet


def test_links_stop_at_excels_limit_and_texts_at_a_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the sheet's most links a file name is plain text; a text longer than a cell holds is cut."""
    monkeypatch.setattr(summary_xlsx, "SHEET_LINKS", 3)
    rows = [UnitRow(file=tmp_path / f"{i}.xlsx", problem="长" * 40000) for i in range(5)]
    ws = openpyxl.load_workbook(write_summary(rows, tmp_path / "s.xlsx")).active
    assert ws is not None
    assert [ws[f"H{r}"].hyperlink is not None for r in range(2, 7)] == [True, True, True, False, False]
    assert ws["H6"].value == "4.xlsx" and len(ws["J2"].value) == summary_xlsx.CELL_CHARS


def test_a_long_run_links_every_row_to_its_own_file(tmp_path: Path) -> None:
    """The links and their relationships are written in batches (never one string for the whole folder): with
    many batches' worth of rows, each row's file and copy links still point at that row's own files."""
    rows = [UnitRow(file=tmp_path / f"单位{i}.xlsx", annotated=tmp_path / f"单位{i}.校验.xlsx") for i in range(700)]
    ws = openpyxl.load_workbook(write_summary(rows, tmp_path / "s.xlsx")).active
    assert ws is not None and ws.max_row == 701
    assert all(ws[f"H{i + 2}"].hyperlink.target == f"单位{i}.xlsx" and
               ws[f"I{i + 2}"].hyperlink.target == f"单位{i}.校验.xlsx" for i in range(700))


def test_an_empty_run_is_a_header_only_workbook(tmp_path: Path) -> None:
    """No rows: the header alone, the filter on it."""
    ws = openpyxl.load_workbook(write_summary([], tmp_path / "s.xlsx")).active
    assert ws is not None and ws.max_row == 1 and ws.auto_filter.ref == "A1:J1"


def test_relative_real_is_relpath_of_realpath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached form gives what os.path.relpath(os.path.realpath(p), folder) gives: links, '..', relative paths."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.xlsx").write_bytes(b"")
    os.symlink(tmp_path / "a" / "b", tmp_path / "linked")
    os.symlink(tmp_path / "a" / "b" / "x.xlsx", tmp_path / "a" / "y.xlsx")
    monkeypatch.chdir(tmp_path / "a")
    paths = [Path("b/x.xlsx"), Path("y.xlsx"), tmp_path / "linked" / "x.xlsx", Path("b/../y.xlsx"),
             tmp_path / "a" / "b" / "x.xlsx", Path("missing.xlsx"), Path("..")]
    for folder in (str(tmp_path), str(tmp_path / "a" / "b"), "/"):
        parents: dict[str, str] = {}
        for p in paths * 2:
            assert _relative_real(p, folder, parents) == os.path.relpath(os.path.realpath(p), folder), (p, folder)


def test_writing_the_summary_does_not_import_openpyxl(tmp_path: Path) -> None:
    """The folder run's parent writes 校验汇总.xlsx without importing a workbook library."""
    code = ("import sys; from pathlib import Path; from toolkit.batch import UnitRow, write_summary; "
            f"write_summary([UnitRow(file=Path('a.xlsx'))], Path({str(tmp_path / 's.xlsx')!r})); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'xlsxwriter', 'lxml')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "[]"
