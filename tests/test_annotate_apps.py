"""The highlighted copy in real applications: LibreOffice and Gnumeric (``ssconvert``) open it, recalculate every
formula to the source's values, show the flagged cells' fills and the comments; a LibreOffice-saved, a WPS-like
and a picture-and-chart input each give a copy both open. Never skipped (LibreOffice and Gnumeric are installed
in CI)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from annotkit import parts, with_media, wps_like
from openpyxl import load_workbook
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook
from support import EXAMPLES

from toolkit.annotate import RESULT_SHEET
from toolkit.api import check_file
from toolkit.office import convert
from toolkit.rules.findings import CheckResult
from toolkit.spec import Severity

pytestmark = pytest.mark.libreoffice

BROKEN = EXAMPLES / "示例区民政局2026年报-有错.xlsx"
GNM = "{http://www.gnumeric.org/v10.dtd}"
RED = "FFFFC7CE"


def _errors(result: CheckResult) -> set[tuple[str, str]]:
    return {(c.location.sheet, c.location.cell) for f in result.findings if f.severity is Severity.ERROR
            for c in f.cells if c.location is not None}


def _values(path: Path) -> dict[tuple[str, int, int], object]:
    """Every non-empty cell value (cached or recalculated) outside 校验结果."""
    book = CalamineWorkbook.from_path(str(path))
    return {(name, r, c): v for name in book.sheet_names if name != RESULT_SHEET
            for r, row in enumerate(book.get_sheet_by_name(name).to_python()) for c, v in enumerate(row) if v != ""}


def _has_cached_values(path: Path) -> bool:
    """False for a workbook openpyxl saved (formulas without results): compare with the workbook it came from."""
    return b"<v></v>" not in b"".join(parts(path).values())


def _with_user_comments(source: Path, target: Path) -> Path:
    """``source`` with two comments of its user's on 三 (one on a flagged cell), saved by openpyxl."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(source)
    wb["三 依申请公开"]["D6"].comment = Comment("张三：已与台账核对", "张三")
    wb["三 依申请公开"]["B2"].comment = Comment("李四：表头勿改", "李四")
    wb.save(target)
    return target


def _ssconvert(source: Path, target: Path) -> Path:
    subprocess.run(["ssconvert", "--recalc", str(source), str(target)], capture_output=True, check=True, timeout=300)
    return target


def _gnumeric_view(path: Path) -> tuple[dict[tuple[str, str], str], dict[str, list[tuple[int, int, int, int, str]]]]:
    """Gnumeric's reading of a workbook (its own file format): comments by (sheet, cell) and background regions."""
    root = ET.fromstring(gzip.decompress(path.read_bytes()))
    comments: dict[tuple[str, str], str] = {}
    regions: dict[str, list[tuple[int, int, int, int, str]]] = {}
    for sheet in root.iter(f"{GNM}Sheet"):
        name = sheet.findtext(f"{GNM}Name") or ""
        for note in sheet.iter(f"{GNM}CellComment"):
            comments[name, note.get("ObjectBound", "")] = note.get("Text", "")
        for region in sheet.iter(f"{GNM}StyleRegion"):
            style = region.find(f"{GNM}Style")
            if style is not None and style.get("Shade") == "1":
                regions.setdefault(name, []).append((
                    int(region.get("startCol", 0)), int(region.get("startRow", 0)), int(region.get("endCol", 0)),
                    int(region.get("endRow", 0)), style.get("Back", "")))
    return comments, regions


def _back(regions: list[tuple[int, int, int, int, str]], cell: str) -> str | None:
    from toolkit.workbook.a1 import split_a1

    row, col = split_a1(cell)
    return next((b for c1, r1, c2, r2, b in regions if c1 <= col <= c2 and r1 <= row <= r2), None)


def _assert_libreoffice_shows(copy: Path, result: CheckResult, source: Path, folder: Path) -> None:
    (saved,) = convert([copy], "xlsx", folder)
    # every formula recalculated by LibreOffice to the source's value
    assert _values(saved) == _values(source if _has_cached_values(source) else BROKEN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(saved)
    assert wb.sheetnames[0] == RESULT_SHEET
    for sheet, ref in _errors(result):
        cell = wb[sheet][ref]
        assert cell.fill.fgColor.rgb == RED, (sheet, ref)
        anchor = next((str(m.start_cell.coordinate) for m in wb[sheet].merged_cells.ranges if ref in m), ref)
        comment = wb[sheet][anchor].comment
        assert comment is not None and "【错误】" in comment.text, (sheet, ref)


def _assert_gnumeric_shows(copy: Path, result: CheckResult, source: Path, folder: Path) -> None:
    expected = _values(source if _has_cached_values(source) else BROKEN)
    assert _values(_ssconvert(copy, folder / "gnumeric.xlsx")) == expected  # recalculated by Gnumeric
    comments, regions = _gnumeric_view(_ssconvert(copy, folder / "gnumeric.gnumeric"))
    for sheet, ref in _errors(result):
        assert _back(regions.get(sheet, []), ref) == "FFFF:C7C7:CECE", (sheet, ref)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(copy)
    ours = {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.comment is not None}
    assert ours and comments == ours  # every comment, on its cell, with its text


@pytest.mark.slow
def test_libreoffice_and_gnumeric_open_the_copy_recalculate_and_show_fills_and_comments(tmp_path: Path) -> None:
    """Both applications open the copy, recalculate every value to the source's, show red cells and comments."""
    source = Path(shutil.copy(BROKEN, tmp_path / "有错.xlsx"))
    result = check_file(source)
    assert result.annotated is not None and _errors(result)
    _assert_libreoffice_shows(result.annotated, result, source, tmp_path / "lo")
    _assert_gnumeric_shows(result.annotated, result, source, tmp_path)


@pytest.mark.slow
def test_libreoffice_saved_input_gives_a_copy_both_applications_open(tmp_path: Path) -> None:
    """A workbook saved by LibreOffice (its own styles, prefixes and shared strings) is copied as well."""
    (source,) = convert([Path(shutil.copy(BROKEN, tmp_path / "有错.xlsx"))], "xlsx", tmp_path / "saved")
    result = check_file(source)
    assert result.annotated is not None and _errors(result)
    _assert_libreoffice_shows(result.annotated, result, source, tmp_path / "lo")
    _assert_gnumeric_shows(result.annotated, result, source, tmp_path)


@pytest.mark.slow
def test_wps_like_picture_and_commented_inputs_give_copies_both_applications_open(tmp_path: Path) -> None:
    """WPS-like prefixes, a sheet with a picture, a chart and an extension list, and a sheet with its user's
    comments: both open each copy, show the red cells and every comment, and LibreOffice keeps picture and chart."""
    broken = Path(shutil.copy(BROKEN, tmp_path / "有错.xlsx"))
    inputs = (wps_like(broken, tmp_path / "WPS.xlsx"), with_media(broken, tmp_path / "带图.xlsx", "三 依申请公开"),
              _with_user_comments(broken, tmp_path / "有批注.xlsx"))
    for source in inputs:
        result = check_file(source)
        assert result.annotated is not None
        folder = tmp_path / source.stem
        _assert_libreoffice_shows(result.annotated, result, source, folder / "lo")
        _assert_gnumeric_shows(result.annotated, result, source, folder)
    (saved,) = convert([tmp_path / "带图.校验.xlsx"], "xlsx", tmp_path / "media-lo")
    kept = parts(saved)
    assert any(n.startswith("xl/media/") for n in kept) and any(n.startswith("xl/charts/chart") for n in kept)
