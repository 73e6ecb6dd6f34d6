"""The copy's shortcuts give what the general way gives: flagged rows and cells found directly by the ``r`` written
first (as every common writer writes it) patch a sheet exactly as counting rows and cells one by one does, and
sheet-local names found from their attribute are those that matching every name's tag finds."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from annotkit import sheet_part
from support import EXAMPLES

from toolkit.annotate.cells import _MERGE, _rows_by_ref, patch_sheet
from toolkit.annotate.package import _LOCAL_NAME, _local_names
from toolkit.annotate.tokens import attr, children, root
from toolkit.workbook.a1 import split_a1

BROKEN = EXAMPLES / "示例区民政局2026年报-有错.xlsx"
FLAGGED = {(5, 3), (5, 4), (5, 9), (6, 9), (7, 3), (12, 2), (29, 9)}
"""Cells of 三 依申请公开 (zero-based): several in one row, several rows, the last row."""


def _restyle(xf: int, cell: tuple[int, int]) -> int:
    return 1000 + xf + cell[1]


def test_cells_found_by_their_reference_are_patched_as_counting_them_would() -> None:
    """A real sheet patched directly equals the same sheet patched with the general walk (which a comment in the
    cells forces): byte for byte, once the comment is taken out again."""
    with zipfile.ZipFile(BROKEN) as z:
        xml = z.read(sheet_part(BROKEN, "三 依申请公开"))
    commented = xml.replace(b"</sheetData>", b"<!-- -->\n</sheetData>", 1)
    rows = sorted({r for r, _ in FLAGGED})
    for part, shortcut in ((xml, True), (commented, False)):
        data = next(k for k in children(part, root(part)) if k.name == b"sheetData")
        assert (_rows_by_ref(part, b"", data, rows) is not None) is shortcut
    direct = patch_sheet(xml, FLAGGED, _restyle, "rId9")
    walked = patch_sheet(commented, FLAGGED, _restyle, "rId9")
    assert direct == walked.replace(b"<!-- -->\n", b"", 1)
    styles = dict(re.findall(rb'<c r="([A-Z]+\d+)"[^>]*? s="(\d+)"', direct))
    assert all(int(styles[ref]) >= 1000 for ref in (b"D6", b"E6", b"J6", b"J7", b"D8", b"C13", b"J30"))


def test_a_cell_or_row_written_without_r_first_is_still_found() -> None:
    """``s`` before ``r`` in a cell, ``spans`` before ``r`` in a row: the general walk finds and restyles them."""
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           b'<row spans="1:3" r="1"><c s="2" r="A1"><v>1</v></c><c r="B1" s="3"><v>2</v></c></row>'
           b'<row r="2"><c s="4" r="C2"/></row></sheetData></worksheet>')
    out = patch_sheet(xml, {(0, 0), (0, 1), (1, 2)}, _restyle, None)
    assert b'<c r="A1" s="1002">' in out and b'<c r="B1" s="1004">' in out and b'<c r="C2" s="1006"/>' in out
    assert out.count(b"<c ") == 3 and out.count(b"<row ") == 2


def test_sheet_local_names_are_found_from_their_attribute_alone() -> None:
    """The names whose tag holds localSheetId, found from the attribute back to the tag: the same as matching every
    name's tag, also with the word in a name's text or in another attribute, and a '>' inside an attribute."""
    xml = (b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><definedNames>'
           b'<definedName name="a">"localSheetId"</definedName>'
           b'<definedName comment="x > localSheetId" name="b" localSheetId="1">S!$A$1</definedName>'
           b'<definedName name="c" localSheetId="0"/>'
           b'<definedName name="d" comment="localSheetId">S!$B$2</definedName>'
           b'<definedName localSheetId="2" name="e">S!$C$3</definedName></definedNames></workbook>')
    names = next(k for k in children(xml, root(xml)) if k.name == b"definedNames")
    everything = [m for m in _LOCAL_NAME.finditer(xml, names.tag_end, names.inner_end)
                  if attr(m.group(), b"localSheetId") is not None]
    assert [m.span() for m in _local_names(xml, names)
            if attr(m.group(), b"localSheetId") is not None] == [m.span() for m in everything]
    assert [attr(m.group(), b"name") for m in everything] == [b"b", b"c", b"e"]


def _every_cache_cleared() -> None:
    from toolkit.annotate import package, styles

    for cached in (package.patch_workbook, package._sheet_tags, package._parse_relationships,
                   package._add_content_types, package._deflate_shared, styles._parse):
        cached.cache_clear()


def test_copies_made_with_kept_structural_parts_equal_fresh_ones(tmp_path: Path) -> None:
    """The structural parts' patches, parses and deflated bytes kept between copies (pure functions of their bytes)
    give every copy exactly the bytes a first copy gets: copies of two different workbooks, alternating, equal the
    copies made with every kept result cleared first, and the kept parses are not changed by a copy."""
    from toolkit.annotate import annotate_workbook
    from toolkit.annotate.styles import _parse
    from toolkit.api import check_file

    sources = [BROKEN, EXAMPLES / "示例区民政局2026年报.xlsx"]
    results = [check_file(source, annotate=False) for source in sources]
    fresh = []
    for i, (source, result) in enumerate(zip(sources, results, strict=True)):
        _every_cache_cleared()
        fresh.append(annotate_workbook(source, result, tmp_path / f"fresh{i}.xlsx").read_bytes())
    for round_ in range(2):
        for i, (source, result) in enumerate(zip(sources, results, strict=True)):
            made = annotate_workbook(source, result, tmp_path / f"kept{round_}{i}.xlsx").read_bytes()
            assert made == fresh[i]
    assert _parse.cache_info().hits >= 2


def test_unselect_and_merge_anchors_look_only_where_their_tags_can_be() -> None:
    """Views unselected and merge anchors found from the first ``tabSelected`` / ``mergeCell`` on equal what a
    search over the whole sheet finds, for a real sheet and for views selected on several sheetView tags."""
    from toolkit.annotate.cells import SELECTED, merge_anchors, unselect
    from toolkit.annotate.tokens import set_attr

    def whole(xml: bytes) -> bytes:
        return SELECTED.sub(lambda m: set_attr(m.group(), b"tabSelected", None), xml)

    with zipfile.ZipFile(BROKEN) as z:
        xml = z.read(sheet_part(BROKEN, "三 依申请公开"))
    views = (b'<sheetViews><sheetView tabSelected="1" workbookViewId="0"/><sheetView workbookViewId="1"/>'
             b"<sheetView tabSelected='true' zoomScale=\"90\" workbookViewId=\"2\"></sheetView></sheetViews>")
    several = re.sub(rb"<sheetViews>.*?</sheetViews>|<sheetViews/>", views, xml, count=1, flags=re.DOTALL)
    for sheet in (xml, several, xml.replace(b"tabSelected", b"tabChosen")):
        assert unselect(sheet) == whole(sheet)
    assert b"tabSelected" not in unselect(several) and b"tabSelected" in several
    merged = {(r, c) for r in range(40) for c in range(12)}
    expected = {}
    for match in _MERGE.finditer(xml):  # the whole sheet searched
        (r1, c1), (r2, c2) = split_a1(match.group(1).decode()), split_a1(match.group(2).decode())
        expected.update({(r, c): (r1, c1) for r, c in merged if r1 <= r <= r2 and c1 <= c <= c2 and (r, c) != (r1, c1)})
    assert expected and merge_anchors(xml, merged) == expected
    assert merge_anchors(xml.replace(b"mergeCell", b"mergeCellar"), merged) == {}
