"""The highlighted copy patches the user's package: the parts it does not need to change are the user's bytes
(pictures, charts, extensions, custom parts included), flagged cells keep their formats, existing comments stay,
WPS-like prefixes survive, and sheet-local names follow their sheets."""

from __future__ import annotations

import re
import shutil
import warnings
import zipfile
from copy import copy
from pathlib import Path

import pytest
from annotkit import MEDIA_PARTS, parts, sheet_part, with_media, wps_like
from openpyxl import load_workbook
from openpyxl.comments import Comment
from support import EXAMPLES

from toolkit.annotate import RESULT_SHEET, annotate_workbook
from toolkit.annotate.cells import patch_sheet
from toolkit.api import check_file
from toolkit.rules.findings import CheckResult
from toolkit.spec import Severity
from toolkit.workbook.parts import parse_workbook
from toolkit.workbook.safety import open_package

BROKEN = EXAMPLES / "示例区民政局2026年报-有错.xlsx"
S3 = "三 依申请公开"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The example workbook with errors, copied into the test's folder."""
    return Path(shutil.copy(BROKEN, tmp_path / "有错.xlsx"))


def _flagged(result: CheckResult) -> dict[tuple[str, str], Severity]:
    worst: dict[tuple[str, str], Severity] = {}
    for f in result.findings:
        if f.severity is Severity.INFO:
            continue
        for c in f.cells:
            if c.location is not None:
                key = (c.location.sheet, c.location.cell)
                worst[key] = max(worst.get(key, f.severity), f.severity, key=lambda s: s.rank)
    return worst


def _load(path: Path):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


def test_parts_the_copy_does_not_need_are_the_users_bytes(broken: Path, tmp_path: Path) -> None:
    """Picture, chart, drawing, custom properties and every untouched sheet are byte for byte the source's parts."""
    source = with_media(broken, tmp_path / "带图.xlsx", S3)
    result = check_file(source)
    assert result.annotated is not None
    before, after = parts(source), parts(result.annotated)
    flagged = {sheet_part(source, s) for s, _ in _flagged(result)}
    assert sheet_part(source, S3) in flagged
    selected = {n for n, d in before.items() if b'tabSelected="1"' in d}
    may_change = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                  *flagged, *(p.replace("worksheets/", "worksheets/_rels/") + ".rels" for p in flagged), *selected}
    changed = {n for n in before if after.get(n) != before[n]}
    assert changed <= may_change, changed - may_change
    assert not set(before) - set(after)
    for name in MEDIA_PARTS:
        assert after[name] == before[name], name
    sheet = after[sheet_part(source, S3)]
    assert b'<drawing r:id="rIdG1"/>' in sheet  # the picture and chart stay on their sheet
    assert sheet.index(b"<drawing ") < sheet.index(b"<legacyDrawing ") < sheet.index(b"<extLst>")
    rels = after[sheet_part(source, S3).replace("worksheets/", "worksheets/_rels/") + ".rels"]
    assert b'Id="rIdG1"' in rels and b"/comments" in rels and b"/vmlDrawing" in rels


def test_flagged_cells_keep_their_format_and_get_the_severity_fill(broken: Path) -> None:
    """Each flagged cell: fill and font colour of its worst severity; number format, border, alignment,
    protection, font face and size as in the source."""
    result = check_file(broken)
    assert result.annotated is not None
    src, out = _load(broken), _load(result.annotated)
    flagged = _flagged(result)
    assert Severity.ERROR in flagged.values()
    for (sheet, ref), severity in flagged.items():
        before, after = src[sheet][ref], out[sheet][ref]
        colour = "FFC7CE" if severity is Severity.ERROR else "FFEB9C"
        assert after.fill.fgColor.rgb == f"FF{colour}" and after.fill.fill_type == "solid", (sheet, ref)
        assert after.font.color.rgb in ("FF9C0006", "FF9C5700"), (sheet, ref)
        assert after.number_format == before.number_format, (sheet, ref)
        for name in ("border", "alignment", "protection"):
            assert copy(getattr(after, name)) == copy(getattr(before, name)), (sheet, ref, name)
        assert (after.font.name, after.font.sz, after.font.b) == (before.font.name, before.font.sz, before.font.b)
        assert after.value == before.value


def test_existing_comments_on_a_flagged_sheet_are_kept(broken: Path, tmp_path: Path) -> None:
    """A user's comments stay (another author's, on a flagged cell and elsewhere); ours follow theirs on one cell."""
    flagged = next(ref for (sheet, ref) in _flagged(check_file(broken, annotate=False)) if sheet == S3)
    wb = _load(broken)
    wb[S3][flagged].comment = Comment("张三：此格已与台账核对", "张三")
    wb[S3]["B2"].comment = Comment("李四：表头勿改", "李四")
    wb.save(tmp_path / "有批注.xlsx")
    result = check_file(tmp_path / "有批注.xlsx")
    assert result.annotated is not None
    ws = _load(result.annotated)[S3]
    assert ws["B2"].comment is not None and ws["B2"].comment.text == "李四：表头勿改"
    text = ws[flagged].comment.text
    assert text.startswith("张三：此格已与台账核对") and "【错误】" in text
    others = [c for row in ws.iter_rows() for c in row if c.comment and c.coordinate not in ("B2", flagged)]
    assert others and all("【" in c.comment.text for c in others)


def test_wps_like_package_keeps_its_prefixes(broken: Path, tmp_path: Path) -> None:
    """mc:Ignorable names prefixes that stay declared in every patched part; rows keep x14ac:dyDescent."""
    source = wps_like(broken, tmp_path / "WPS.xlsx")
    result = check_file(source)
    assert result.annotated is not None
    before, after = parts(source), parts(result.annotated)
    for name in ("xl/styles.xml", sheet_part(source, S3)):
        head = after[name][:after[name].index(b">", after[name].index(b"<", 40)) + 1]
        assert head == before[name][:len(head)], name  # the root tag, declarations and Ignorable as they were
        ignorable = re.search(rb'mc:Ignorable="([^"]*)"', head).group(1).split()  # type: ignore[union-attr]
        assert all(b"xmlns:" + p + b"=" in head for p in ignorable), name
    assert after[sheet_part(source, S3)].count(b"x14ac:dyDescent") == before[sheet_part(source, S3)].count(
        b"x14ac:dyDescent")
    assert after["docProps/custom.xml"] == before["docProps/custom.xml"]
    ws = _load(result.annotated)[S3]
    assert any(c.fill.fgColor.rgb == "FFFFC7CE" for row in ws.iter_rows() for c in row)


def test_sheet_local_names_follow_their_sheets(broken: Path) -> None:
    """Print titles and other sheet-local names point at the same sheets after 校验结果 is put first."""
    result = check_file(broken)
    assert result.annotated is not None

    def local_names(path: Path) -> set[tuple[str, str, str]]:
        book = parse_workbook(open_package(path))
        return {(n.name, book.sheets[n.local_sheet].name, n.text) for n in book.names if n.local_sheet is not None}

    before, after = local_names(broken), local_names(result.annotated)
    assert before and before <= after
    assert after - before == {("_xlnm.Print_Titles", RESULT_SHEET, f"'{RESULT_SHEET}'!$2:$2")}
    with zipfile.ZipFile(broken) as z0, zipfile.ZipFile(result.annotated) as z1:
        calc = re.compile(rb"<calcPr[^>]*>")
        assert calc.findall(z1.read("xl/workbook.xml")) == calc.findall(z0.read("xl/workbook.xml"))


def test_rechecking_a_copy_replaces_its_results_sheet(broken: Path) -> None:
    """The copy of a copy has one 校验结果 sheet, first, with the new findings; the user's sheets once each."""
    first = check_file(broken)
    assert first.annotated is not None
    again = check_file(first.annotated)
    assert again.annotated is not None
    names = _load(again.annotated).sheetnames
    assert names == _load(first.annotated).sheetnames and names[0] == RESULT_SHEET and names.count(RESULT_SHEET) == 1
    book = parse_workbook(open_package(again.annotated))
    titles = [n for n in book.names if n.name == "_xlnm.Print_Titles" and n.local_sheet == 0]
    assert len(titles) == 1


def test_missing_cells_and_rows_are_created_in_order() -> None:
    """Cells and rows absent from the XML are inserted where they belong, prefixed as the part is; rows and
    cells without r count on from the previous one."""
    xml = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:cols>'
           b'<x:col min="3" max="3" style="4"/></x:cols><x:sheetData><x:row r="2" spans="1:2"><x:c r="A2" s="1">'
           b'<x:v>1</x:v></x:c><x:c s="2"><x:v>2</x:v></x:c></x:row><x:row><x:c r="B3"/></x:row>'
           b'<x:row r="6"/></x:sheetData></x:worksheet>')
    out = patch_sheet(xml, {(1, 1), (1, 2), (0, 0), (2, 1), (3, 0), (5, 1), (8, 3)},
                      lambda xf, cell: 100 + xf, None)
    cells = re.findall(rb'<x:c r="([A-Z]+\d+)"(?: s="(\d+)")?', out)
    assert [c.decode() for c, _ in cells] == ["A1", "A2", "C2", "B3", "A4", "B6", "D9"]
    styles = dict(cells)
    assert styles[b"C2"] == b"104" and styles[b"A1"] == b"100" and styles[b"A2"] == b"1"
    assert b'<x:c s="102"><x:v>2</x:v></x:c>' in out  # B2 had no r: found by position, restyled
    assert [int(r) for r in re.findall(rb'<x:row r="(\d+)"', out)] == [1, 2, 4, 6, 9]
    assert b"spans" not in out  # the hint no longer covers the row


def test_copy_written_from_the_checked_bytes_only(broken: Path, tmp_path: Path) -> None:
    """The copy is made from the package the check read: a file swapped in afterwards does not leak into it."""
    package = open_package(broken)
    result = check_file(broken, annotate=False)
    broken.write_bytes(b"PK")
    copy_path = annotate_workbook(broken, result, tmp_path / "副本.xlsx", package=package)
    assert _load(copy_path).sheetnames[0] == RESULT_SHEET


WORKSHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
                   "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
                   "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
                   "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                   "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                   "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                   "tableParts", "extLst")
"""ECMA-376 CT_Worksheet: the order Excel requires of a worksheet's elements."""


def test_every_changed_part_is_well_formed_typed_and_linked(broken: Path, tmp_path: Path) -> None:
    """Each part the copy wrote parses as XML; each new part has a content type; each relationship of a changed
    rels part points at a part in the package; each patched sheet keeps the schema's element order."""
    import posixpath
    import xml.etree.ElementTree as ET

    source = with_media(broken, tmp_path / "带图.xlsx", S3)
    result = check_file(source)
    assert result.annotated is not None
    before, after = parts(source), parts(result.annotated)
    changed = {n for n, d in after.items() if before.get(n) != d}
    types = ET.fromstring(after["[Content_Types].xml"])
    overrides = {e.get("PartName", "").lstrip("/") for e in types if e.tag.endswith("Override")}
    defaults = {e.get("Extension", "").lower() for e in types if e.tag.endswith("Default")}
    for name in changed:
        root = ET.fromstring(after[name])  # well-formed, namespaces bound
        assert name in before or name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
        if name.endswith(".rels"):
            base = posixpath.dirname(posixpath.dirname(name))
            for rel in root:
                target = posixpath.normpath(posixpath.join(base, rel.get("Target", "")))
                assert rel.get("TargetMode") == "External" or target in after, (name, target)
        if root.tag.endswith("}worksheet"):
            names = [child.tag.rsplit("}", 1)[-1] for child in root]
            assert names == sorted(names, key=WORKSHEET_ORDER.index), (name, names)


def test_rechecking_a_copy_replaces_its_own_comments(broken: Path) -> None:
    """A cell flagged in the copy and again in the copy of the copy carries the new comment once, not twice."""
    first = check_file(broken)
    assert first.annotated is not None
    again = check_file(first.annotated)
    assert again.annotated is not None
    one, two = _load(first.annotated), _load(again.annotated)
    flagged = [(s, r) for s, r in _flagged(again) if one[s][r].comment is not None]
    assert flagged
    for sheet, ref in flagged:
        assert two[sheet][ref].comment.text == one[sheet][ref].comment.text, (sheet, ref)
