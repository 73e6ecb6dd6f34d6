"""A highlighted copy checked again (a clerk fixes the red cells in the copy and sends it back): the new copy
shows only what this check found. A cell fixed since loses its fill (back to the format it had before it was
marked), its comment and the comment's note box; a cell still wrong keeps one note, not two; a note the check
added to somebody else's comment goes with the finding, their text stays. The same holds after LibreOffice saved
the copy (it rewrites the styles and drops the comments' author). A workbook that never was a copy keeps every
fill it has, Excel's own 'bad' style among them."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest
from annotkit import parts, rewrite, sheet_part
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.xml.functions import tostring
from support import EXAMPLES, run_toolkit

from toolkit.api import check_file
from toolkit.office import convert

BROKEN = EXAMPLES / "示例区民政局2026年报-有错.xlsx"
CLEAN = EXAMPLES / "示例区民政局2026年报.xlsx"
FIXED_TEXT = "本年度主动公开的及时性有待提高，下一步将建立台账，按月督办。"
"""A real 五 text for 正文!A9, where the broken example says only “无” (a warning)."""
RED, YELLOW = "FFFFC7CE", "FFFFEB9C"


def _load(path: Path):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


def _copy_of(source: Path, folder: Path, name: str) -> Path:
    """The highlighted copy of ``source`` (copied into ``folder`` as ``name`` first)."""
    folder.mkdir(parents=True, exist_ok=True)
    own = folder / name
    if source != own:
        shutil.copyfile(source, own)
    result = check_file(own)
    assert result.annotated is not None and result.copy_error is None
    return result.annotated


def _fix_a9(copy: Path, target: Path) -> Path:
    """The copy with 正文!A9 corrected, saved (by openpyxl, as an application saves it)."""
    wb = _load(copy)
    wb["正文"]["A9"] = FIXED_TEXT
    wb.save(target)
    return target


def _look(cell) -> tuple[bytes, bytes]:  # type: ignore[no-untyped-def]
    """A cell's fill and font as a styles part writes them."""
    return tostring(cell.fill.to_tree()), tostring(cell.font.to_tree())


def _notes(path: Path) -> dict[tuple[str, str], str]:
    wb = _load(path)
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.comment is not None}


def _shapes(path: Path) -> int:
    """Note boxes in all the package's VML drawings."""
    return sum(len(re.findall(rb'ObjectType="Note"', data)) for name, data in parts(path).items()
               if name.endswith(".vml"))


def test_a_cell_fixed_in_the_copy_loses_its_fill_comment_and_note_box(tmp_path: Path) -> None:
    first = _copy_of(BROKEN, tmp_path, "a.xlsx")
    before = _load(first)
    assert before["正文"]["A9"].fill.fgColor.rgb == YELLOW and before["正文"]["A9"].comment is not None
    second = _copy_of(_fix_a9(first, tmp_path / "b.xlsx"), tmp_path, "b.xlsx")
    wb, original = _load(second), _load(BROKEN)
    cell = wb["正文"]["A9"]
    assert cell.comment is None
    assert _look(cell) == _look(original["正文"]["A9"])  # the format it had before it was marked
    # the cells still wrong keep their marks and one note each, as the first copy had them
    first_notes, notes = _notes(first), _notes(second)
    assert notes == {k: v for k, v in first_notes.items() if k != ("正文", "A9")}
    assert all(text.count("【错误】") + text.count("【警告】") == first_notes[k].count("【错误】")
               + first_notes[k].count("【警告】") for k, text in notes.items())
    assert wb["三 依申请公开"]["J8"].fill.fgColor.rgb == RED
    assert _shapes(second) == len(notes)


def test_checking_a_copy_as_it_is_changes_no_mark_and_adds_no_format(tmp_path: Path) -> None:
    """Checked again unchanged, a copy's marks and notes are the same, and a third round adds no cell format."""
    first = _copy_of(BROKEN, tmp_path, "a.xlsx")
    second = _copy_of(first, tmp_path / "2", "a.xlsx")
    third = _copy_of(second, tmp_path / "3", "a.xlsx")
    assert _notes(second) == _notes(first) == _notes(third)
    for a, b in ((first, second), (second, third)):
        wa, wb = _load(a), _load(b)
        for name in wa.sheetnames[1:]:  # [0]: 校验结果, written anew
            assert [c.fill.fgColor.rgb for row in wa[name].iter_rows() for c in row] == \
                   [c.fill.fgColor.rgb for row in wb[name].iter_rows() for c in row], name
    formats = [len(re.findall(rb"<xf ", parts(p)["xl/styles.xml"].split(b"<cellXfs")[1])) for p in (second, third)]
    assert formats[0] == formats[1]
    assert _shapes(third) == len(_notes(third))


def test_a_note_added_to_a_users_comment_goes_with_its_finding_and_their_text_stays(tmp_path: Path) -> None:
    wb = _load(BROKEN)
    wb["正文"]["A9"].comment = Comment("张三：待补充", "张三")
    wb.save(tmp_path / "source.xlsx")
    first = _copy_of(tmp_path / "source.xlsx", tmp_path, "source.xlsx")
    assert _notes(first)["正文", "A9"].startswith("张三：待补充\n【警告】")
    again = _copy_of(first, tmp_path / "again", "a.xlsx")  # unchanged: the note is not repeated
    assert _notes(again)["正文", "A9"] == _notes(first)["正文", "A9"]
    fixed = _copy_of(_fix_a9(first, tmp_path / "fixed.xlsx"), tmp_path, "fixed.xlsx")
    assert _notes(fixed)["正文", "A9"] == "张三：待补充"
    assert _load(fixed)["正文"]["A9"].fill.fgColor.rgb != YELLOW


def test_a_workbook_that_never_was_a_copy_keeps_its_own_bad_style_fills(tmp_path: Path) -> None:
    """A clerk's own red cell in Excel's 'bad' colours is not taken for an earlier check's mark."""
    wb = _load(CLEAN)
    wb["三 依申请公开"]["B2"].fill = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
    wb["三 依申请公开"]["B2"].font = Font(color="9C0006")
    wb.save(tmp_path / "own.xlsx")
    copy = _copy_of(tmp_path / "own.xlsx", tmp_path, "own.xlsx")
    assert _load(copy)["三 依申请公开"]["B2"].fill.fgColor.rgb[-6:] == RED[-6:]
    assert sheet_part(copy, "三 依申请公开") in parts(copy)


@pytest.mark.libreoffice
def test_a_copy_libreoffice_saved_is_checked_again_with_only_the_current_marks(tmp_path: Path) -> None:
    """LibreOffice rewrites the styles, writes its own comment parts (a ``commentPr`` in every comment) and drops
    the comments' author: the copy of its copy still shows only what this check found."""
    first = _copy_of(BROKEN, tmp_path, "a.xlsx")
    (saved,) = convert([_fix_a9(first, tmp_path / "b.xlsx")], "xlsx", tmp_path / "saved")
    second = _copy_of(saved, tmp_path / "saved", saved.name)
    notes = _notes(second)
    assert ("正文", "A9") not in notes
    assert set(notes) == {k for k in _notes(first) if k != ("正文", "A9")}
    assert all(text.count("【错误】") == _notes(first)[k].count("【错误】") for k, text in notes.items())
    wb = _load(second)
    assert wb["正文"]["A9"].fill.fgColor.rgb != YELLOW and wb["三 依申请公开"]["J8"].fill.fgColor.rgb == RED
    assert _shapes(second) == len(notes)


def test_a_part_the_copy_cannot_patch_is_named_in_chinese_and_the_findings_stay(tmp_path: Path) -> None:
    """A flagged sheet whose comments part the copy cannot rewrite (here: no authors list): no copy, a Chinese
    message naming that part and saying what to do (no Python class name), exit 2, the check's findings printed,
    the original untouched and nothing half-written beside it."""
    first = _copy_of(BROKEN, tmp_path, "a.xlsx")  # a copy has comments parts on its flagged sheets
    broken = tmp_path / "bad" / "a.xlsx"
    broken.parent.mkdir()
    part = next(n for n in parts(first) if "comments" in n)
    rewrite(first, broken, lambda name, data: re.sub(rb"<authors>.*?</authors>", b"", data) if name == part
            else data, {})
    before = broken.read_bytes()
    proc = run_toolkit("check", str(broken))
    assert proc.returncode == 2, proc.stderr
    assert f"无法生成标注副本：文件中的部件 {part} 本工具无法原样改写" in proc.stderr
    assert "Error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "【错误】" not in proc.stdout and "错误 5 项" in proc.stdout
    assert broken.read_bytes() == before and sorted(p.name for p in broken.parent.iterdir()) == ["a.xlsx"]
