"""The highlighted copy: red fill and a comment on every error cell, a 校验结果 sheet, nothing else changed."""

from __future__ import annotations

import hashlib
from copy import copy
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import WorkbookFactory

from toolkit.annotate import RESULT_SHEET, annotated_path
from toolkit.api import check_file
from toolkit.sample import sample_report
from toolkit.spec import Severity, load_spec
from toolkit.template import CHECK_RESULT_COLUMN, build_template


@pytest.fixture
def broken(make_workbook: WorkbookFactory) -> Path:
    """有错的年报.xlsx: 三 does not balance in one column, a 四 total disagrees with its parts."""
    data = sample_report(load_spec("2021"), 4)
    data = data.with_value("s3.carried_forward.natural", data.number("s3.carried_forward.natural") + 3)
    data = data.with_value("s4.cases.review_maintained", data.number("s4.cases.review_maintained") + 1)
    return make_workbook("有错的年报.xlsx", data=data)


def _cells(path: Path) -> dict[tuple[str, str], object]:
    wb = load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None}


def test_every_error_cell_is_red_with_a_comment(tmp_path: Path, broken: Path) -> None:
    """Each cell named by an error finding is filled red and carries a comment quoting the finding."""
    source = broken
    result = check_file(source)
    assert result.annotated == annotated_path(source)
    wb = load_workbook(result.annotated)
    error_cells = {(c.location.sheet, c.location.cell) for f in result.findings if f.severity is Severity.ERROR
                   for c in f.cells if c.location}
    assert len(error_cells) >= 5
    for sheet, coord in error_cells:
        cell = wb[sheet][coord]
        assert cell.fill.fgColor.rgb.endswith("FFC7CE"), (sheet, coord)
        assert cell.comment is not None and "错误" in cell.comment.text


def test_nothing_else_changes_in_the_copy(tmp_path: Path, broken: Path) -> None:
    """Values and formulas of every original cell are unchanged; untouched cells keep their fills."""
    source = broken
    result = check_file(source)
    assert result.annotated is not None
    before, after = _cells(source), _cells(result.annotated)
    assert {k: v for k, v in after.items() if k[0] != RESULT_SHEET} == before
    flagged = {(c.location.sheet, c.location.cell) for f in result.findings for c in f.cells if c.location}
    wb_before, wb_after = load_workbook(source), load_workbook(result.annotated)
    for ws in wb_before.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if (ws.title, cell.coordinate) not in flagged:
                    other = wb_after[ws.title][cell.coordinate]
                    # openpyxl's style proxies never compare equal to each other: compare the styles themselves
                    assert copy(other.fill) == copy(cell.fill), (ws.title, cell.coordinate)
                    assert copy(other.protection) == copy(cell.protection), (ws.title, cell.coordinate)
    assert [ws.title for ws in wb_after.worksheets][1:] == [ws.title for ws in wb_before.worksheets]
    for ws in wb_before.worksheets:
        assert len(wb_after[ws.title].data_validations.dataValidation) == len(ws.data_validations.dataValidation)
        assert wb_after[ws.title].protection.sheet == ws.protection.sheet


def test_result_sheet_lists_every_finding_with_links(tmp_path: Path, broken: Path) -> None:
    """The 校验结果 sheet comes first and has one row per finding, each located one linking to its cell."""
    source = broken
    result = check_file(source)
    assert result.annotated is not None
    ws = load_workbook(result.annotated)[RESULT_SHEET]
    assert load_workbook(result.annotated).sheetnames[0] == RESULT_SHEET
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(result.findings)
    assert [r[2] for r in rows] == [f.code for f in result.findings]
    linked = [ws.cell(row=i, column=4).hyperlink for i in range(3, 3 + len(rows))]
    assert all(link is not None and link.location for link in linked)


def test_input_bytes_are_never_modified(tmp_path: Path, broken: Path) -> None:
    """Checking (with copy) leaves the input byte for byte as it was."""
    source = broken
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    check_file(source)
    check_file(source, output=tmp_path / "另一个.xlsx")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


def test_clean_workbook_copy_says_no_problems(tmp_path: Path) -> None:
    """A clean workbook's copy has a 校验结果 sheet saying 未发现问题 and no red cell."""
    spec = load_spec("2019")
    source = build_template(spec, tmp_path / "好.xlsx", data=sample_report(spec, 8))
    result = check_file(source)
    assert result.findings == [] and result.annotated is not None
    ws = load_workbook(result.annotated)[RESULT_SHEET]
    assert any("未发现问题" in str(v) for row in ws.iter_rows(values_only=True) for v in row if v)


def test_checking_a_highlighted_copy_writes_beside_it_not_over_it(tmp_path: Path, broken: Path) -> None:
    """Re-checking 年报.校验.xlsx writes 年报.再校验.xlsx and leaves the copy being checked as it was."""
    first = check_file(broken)
    assert first.annotated is not None
    before = first.annotated.read_bytes()
    again = check_file(first.annotated)
    assert again.annotated == tmp_path / "有错的年报.再校验.xlsx" and again.annotated.exists()
    assert first.annotated.read_bytes() == before
    assert [f.code for f in again.findings] == [f.code for f in first.findings]


def test_copy_keeps_the_cached_results_so_wps_shows_totals(tmp_path: Path, broken: Path) -> None:
    """openpyxl saves formulas without results; the copy gets the source's back (totals, 校验 sheet) with types."""
    from python_calamine import CalamineWorkbook

    source = broken
    result = check_file(source)
    assert result.annotated is not None

    def values(path: Path) -> dict[tuple[str, int, int], object]:
        book = CalamineWorkbook.from_path(str(path))
        return {(name, r, c): v for name in book.sheet_names if name != RESULT_SHEET
                for r, row in enumerate(book.get_sheet_by_name(name).to_python()) for c, v in enumerate(row)}

    before, after = values(source), values(result.annotated)
    assert after == before
    checks = [v for (sheet, _, c), v in after.items() if sheet == "校验" and c == CHECK_RESULT_COLUMN]
    assert "不通过" in checks and "通过" in checks


def test_a_copy_that_cannot_be_written_comes_back_as_a_value_with_the_findings(tmp_path: Path, broken: Path) -> None:
    """A copy refused by the disk does not raise: the result keeps every finding, names why, and is exit 2."""
    blocker = tmp_path / "副本.xlsx"
    blocker.mkdir()  # the copy's name is taken by a folder
    result = check_file(broken, output=blocker, overwrite=True)
    assert result.copy_error is not None and "副本.xlsx" in str(result.copy_error)
    assert result.annotated is None
    assert result.errors == check_file(broken, annotate=False).errors > 0
    assert result.exit_code == 2
