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


def _fix_a9_in_place(copy: Path, target: Path) -> Path:
    """The copy with 正文!A9 corrected as Excel or WPS saves it: only that cell changes, every comment keeps its
    runs (openpyxl would write each comment as one plain text)."""
    part = sheet_part(copy, "正文")

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        cell = re.search(rb'<c r="A9"([^>]*?)(?:/>|>.*?</c>)', data, re.DOTALL)
        assert cell is not None
        style = re.search(rb' s="\d+"', cell.group(1))
        fixed = b'<c r="A9"%s t="inlineStr"><is><t>%s</t></is></c>' % (style.group() if style else b"",
                                                                        FIXED_TEXT.encode())
        return data[:cell.start()] + fixed + data[cell.end():]

    return rewrite(copy, target, edit, {})


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
    fixed = _copy_of(_fix_a9_in_place(first, tmp_path / "fixed.xlsx"), tmp_path, "fixed.xlsx")
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


def test_what_users_wrote_in_a_copy_is_kept_when_it_is_checked_again(tmp_path: Path) -> None:
    """In a copy, a clerk's comment signed by them that begins like a note (【错误】…), a comment of theirs with
    such a line typed into it, and a cell they gave Excel's own 'Bad' style are theirs: checked again, the copy
    keeps all three."""
    first = _copy_of(BROKEN, tmp_path, "a.xlsx")
    wb = _load(first)
    sheet = wb["二 主动公开"]
    sheet["A2"].comment = Comment("【错误】此处数字请张三再核实", "李四")
    sheet["A3"].comment = Comment("李四的批注\n【警告】这是我自己写的", "李四")
    sheet["A4"].style = "Bad"  # Excel's built-in style: fill FFC7CE, font 9C0006, as the marks
    wb.save(tmp_path / "edited.xlsx")
    again = _copy_of(tmp_path / "edited.xlsx", tmp_path, "edited.xlsx")
    notes, cell = _notes(again), _load(again)["二 主动公开"]["A4"]
    assert notes["二 主动公开", "A2"] == "【错误】此处数字请张三再核实"
    assert notes["二 主动公开", "A3"] == "李四的批注\n【警告】这是我自己写的"
    assert cell.fill.fgColor.rgb == RED and cell.style == "Bad"


def test_a_sheet_with_nothing_found_keeps_a_comments_part_the_copy_cannot_read(tmp_path: Path) -> None:
    """Checking a copy again, a sheet with no finding whose comments part the copy cannot take apart (no authors
    list) is left as it is: the copy is written, with the current findings' marks on the other sheets."""
    first = _copy_of(BROKEN, tmp_path, "a.xlsx")
    text_comments = next(n for n, d in parts(first).items() if "comments" in n and "五、存在的主要问题".encode() in d)
    broken = rewrite(_fix_a9_in_place(first, tmp_path / "b.xlsx"), tmp_path / "c.xlsx", lambda name, data: re.sub(
        rb"<authors>.*?</authors>", b"", data) if name == text_comments else data, {})
    again = _copy_of(broken, tmp_path / "again", "c.xlsx")  # written (openpyxl itself cannot read that part)
    assert parts(again)[text_comments] == parts(broken)[text_comments]
    table = sheet_part(first, "三 依申请公开")
    assert parts(again)[table] == parts(first)[table]  # the same findings there: the same marks


def test_a_mark_whose_style_attribute_is_quoted_otherwise_is_found(tmp_path: Path) -> None:
    """An application that writes s='12' (single quotes) or s = "12": the earlier mark on a fixed cell is still
    taken off."""
    first = _copy_of(BROKEN, tmp_path, "a.xlsx")
    fixed = _fix_a9_in_place(first, tmp_path / "b.xlsx")
    part = sheet_part(fixed, "正文")
    quoted = rewrite(fixed, tmp_path / "c.xlsx", lambda name, data: re.sub(
        rb'<c r="A9" s="(\d+)"', rb"<c r='A9' s='\1'", data) if name == part else data, {})
    again = _copy_of(quoted, tmp_path / "again", "c.xlsx")
    assert _look(_load(again)["正文"]["A9"]) == _look(_load(BROKEN)["正文"]["A9"])
