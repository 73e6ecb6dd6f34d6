"""The gate reads the package's structure at least as widely as calamine does: every way of writing workbook.xml,
its relationships or the package relationships that makes calamine read a part as a worksheet makes the gate
measure that part first. Each workbook here hides a sheet spanning A1:ALL2100 (2.1 million cells, over the limit)
behind one reading: it is refused, lazily (the sheets scanned as they are read, as ``check --no-annotate`` does) and
with every part scanned first (as the highlighted copy does), before calamine builds the range."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from toolkit.errors import HostileWorkbookError, WorkbookError
from toolkit.workbook.book import Book
from toolkit.workbook.safety import open_package

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = b"http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
TYPES = (HEAD + b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels"'
         b' ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
         b'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
         b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
ROOT = HEAD + (b'<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" Target="%%s"/>'
               b'</Relationships>' % (PKG, REL))
SHEET = HEAD + b'<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>hi</t></is></c></row>' \
                b'</sheetData></worksheet>' % MAIN
FAR = HEAD + b'<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2100">' \
              b'<c r="ALL2100"><v>2</v></c></row></sheetData></worksheet>' % MAIN
PLAIN_REL = b'<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>' % REL
FAR_REL = b'<Relationship Id="rId9" Type="%s/worksheet" Target="far.xml"/>' % REL
TWO_SHEETS = b'<sheet name="S1" sheetId="1" r:id="rId1"/><sheet name="Far" sheetId="2" r:id="rId9"/>'


def _book(sheets: bytes) -> bytes:
    return HEAD + (b'<workbook xmlns="%s" xmlns:r="%s" xmlns:\xc3\xa9="%s" xmlns:\xc3\xa8="%s"><sheets>%s</sheets>'
                   b'</workbook>' % (MAIN, REL, REL, MAIN, sheets))


def _rels(*extra: bytes) -> bytes:
    return HEAD + b'<Relationships xmlns="%s">%s</Relationships>' % (PKG, PLAIN_REL + b"".join(extra))


def _package(changed: dict[str, bytes | None] | None = None) -> dict[str, bytes]:
    """A package with a sheet S1 and a sheet Far (xl/far.xml, the far range); ``changed``: parts replaced, added
    or (None) left out."""
    base: dict[str, bytes | None] = {
        "[Content_Types].xml": TYPES, "_rels/.rels": ROOT % b"xl/workbook.xml", "xl/workbook.xml": _book(TWO_SHEETS),
        "xl/_rels/workbook.xml.rels": _rels(FAR_REL), "xl/worksheets/sheet1.xml": SHEET, "xl/far.xml": FAR,
        **(changed or {})}
    return {name: data for name, data in base.items() if data is not None}


ONE_SHEET = _book(b'<sheet name="S1" sheetId="1" r:id="rId1"/>')
CASES = {
    # the plain case: a sheet whose relationship leads outside xl/worksheets/
    "plain": _package(),
    # an id attribute, or the sheet element, with a non-ASCII namespace prefix (calamine takes the local name)
    "attribute-prefix": _package({"xl/workbook.xml": _book(TWO_SHEETS.replace(b' r:id="rId9"',
                                                                              b' \xc3\xa9:id="rId9"'))}),
    "element-prefix": _package({"xl/workbook.xml": _book(TWO_SHEETS.replace(b'<sheet name="Far"',
                                                                            b'<\xc3\xa8:sheet name="Far"'))}),
    # the relationship element with such a prefix
    "relationship-prefix": _package({"xl/_rels/workbook.xml.rels": _rels(FAR_REL.replace(
        b"<Relationship ", b'<\xc3\xa9:Relationship xmlns:\xc3\xa9="%s" ' % PKG))}),
    # a quote in a comment that would make a pattern swallow the real tag after it
    "comment-quote": _package({"xl/workbook.xml": _book(
        b'<sheet name="S1" sheetId="1" r:id="rId1"/><!-- <sheet x=\' --><sheet name="Far" sheetId="2" r:id="rId9"/>'
        b"<!-- ' -->")}),
    # the package relationship leading calamine to a workbook in another folder (xl/ holds a harmless one)
    "workbook-elsewhere": _package({
        "_rels/.rels": ROOT % b"y/workbook.xml", "xl/workbook.xml": ONE_SHEET, "xl/_rels/workbook.xml.rels": _rels(),
        "xl/far.xml": None, "y/workbook.xml": ONE_SHEET, "y/far.xml": FAR,
        "y/_rels/workbook.xml.rels": HEAD + b'<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/worksheet"'
                                            b' Target="far.xml"/></Relationships>' % (PKG, REL)}),
    # a part named with a backslash, which calamine finds under the slash name
    "backslash-name": _package({"xl/far.xml": None, "xl\\far.xml": FAR}),
    # structural parts stored under other capitals (calamine finds parts ignoring case)
    "root-relationships-capitalised": _package({"_rels/.rels": None, "_RELS/.rels": ROOT % b"y/workbook.xml",
                                                "y/workbook.xml": ONE_SHEET, "y/far.xml": FAR}),
    "workbook-relationships-capitalised": _package({"xl/_rels/workbook.xml.rels": None,
                                                    "xl/_rels/Workbook.xml.rels": _rels(FAR_REL)}),
    # the package relationship's target written with no space before it (calamine reads it all the same)
    "target-without-space": _package({"_rels/.rels": (ROOT % b"y/workbook.xml").replace(b'" Target=', b'"Target='),
                                      "y/workbook.xml": ONE_SHEET, "y/far.xml": FAR}),
    # a name with a character reference that HTML reads otherwise than XML (&#128;: "€" in HTML, U+0080 in XML),
    # before a harmless sheet really named so: calamine gives the first of the two
    "character-reference": _package({"xl/workbook.xml": _book(b'<sheet name="A&#128;" sheetId="2" r:id="rId9"/>'
                                                              b'<sheet name="A\xc2\x80" sheetId="1" r:id="rId1"/>')}),
}


def _write(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("lazy", [True, False], ids=["lazy", "full"])
def test_a_sheet_hidden_behind_any_reading_is_measured_before_calamine_reads_it(tmp_path: Path, case: str,
                                                                                 lazy: bool) -> None:
    path = _write(tmp_path / f"{case}.xlsx", CASES[case])
    with pytest.raises(WorkbookError) as refused:
        book = Book(open_package(path, lazy=lazy))
        for name in book.sheet_names:
            book.grid(name)
    assert isinstance(refused.value, HostileWorkbookError), str(refused.value)
    assert "Error" not in refused.value.message and path.name in str(refused.value)


def test_the_same_package_without_the_far_sheet_is_read() -> None:
    """The cases differ from a good package only by what they hide: with a small sheet in its place, it reads."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        parts = _package({"xl/far.xml": SHEET})
        book = Book(open_package(_write(Path(folder) / "good.xlsx", parts), lazy=True))
        assert book.sheet_names == ["S1", "Far"]
        assert all(book.grid(name) is not None for name in book.sheet_names)


@pytest.mark.parametrize("target", [b"xl/workbook.xml", b"/xl/workbook.xml", b"xl/book.xml"])
def test_the_workbook_in_xl_is_read_however_its_relationship_names_it(tmp_path: Path, target: bytes) -> None:
    """A package relationship to the workbook written with a leading "/" (as some writers do) or naming another
    file in xl/ (calamine reads xl/workbook.xml all the same) is no reason to refuse."""
    path = _write(tmp_path / "t.xlsx", _package({"_rels/.rels": ROOT % target, "xl/far.xml": SHEET}))
    book = Book(open_package(path, lazy=True))
    assert all(book.grid(name) is not None for name in book.sheet_names)
