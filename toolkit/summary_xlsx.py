"""The folder summary's workbook (``校验汇总.xlsx``), written as its package directly: one sheet streamed row by row
into the zip, a header row, a fill per status, links to the files, a frozen header and an auto-filter.

It is a table of a few fixed column kinds, so the SpreadsheetML is written here instead of through a workbook
library: 1,000 rows cost ~30 ms (openpyxl's write-only mode took ~0.5 s, and its import another 0.2 s, in the
folder run's parent after the last unit, when no worker runs). What a unit wrote is safe in it: every text is an
inline-string cell (never a formula, whatever it starts with), characters XML cannot hold become visible marks
(:func:`toolkit.untrusted.xml_text`), a text is cut at a cell's 32,767 characters, and no more than Excel's
65,530 links are made on the sheet (the file names stay as text). openpyxl, Excel, WPS and LibreOffice read it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from toolkit.untrusted import xml_text
from toolkit.workbook.a1 import column_letters

TYPE_CHECKING = False  # not typing's: the folder run's parent does not import typing for this (mypy knows it)
if TYPE_CHECKING:
    from types import TracebackType

CELL_CHARS = 32767
"""The most characters a cell holds (Excel's limit; a longer text is cut)."""
SHEET_LINKS = 65530
"""The most hyperlinks Excel keeps on one worksheet; later rows' file names are plain text."""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
    f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
_HEADER_STYLE, _LINK_STYLE, _FIRST_FILL_STYLE = 1, 2, 3
"""Cell format indexes in styles.xml: 0 plain, 1 the header, 2 a link, then one per status fill."""


def _text(value: str) -> str:
    """Text as the content of an XML element or attribute."""
    value = xml_text(value[:CELL_CHARS])
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _styles(fills: Sequence[str]) -> str:
    solid = "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/>'
                    "</patternFill></fill>" for rgb in ("D9D9D9", *fills))
    status = "".join(f'<xf numFmtId="0" fontId="0" fillId="{3 + i}" borderId="0" xfId="0" applyFill="1"/>'
                     for i in range(len(fills)))
    return (
        _HEAD + f'<styleSheet xmlns="{_MAIN}">'
        f'<fonts count="3"><font>{_FONT}</font><font><b/>{_FONT}</font>'
        f'<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/><family val="2"/></font></fonts>'
        f'<fills count="{3 + len(fills)}"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{solid}</fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{3 + len(fills)}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
        f'<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>{status}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )


class SummarySheet:
    """A one-sheet workbook at ``path``, written as rows are given (use as a context manager).

    ``widths``: each column's width in characters (they also say how many columns there are); ``fills``: status
    text → the RGB fill of its cell. :meth:`row` takes the leading values (numbers, texts, None for empty), the
    status, the (target, text) links (target None: text only) and the last column's text.
    """

    def __init__(self, path: Path, title: str, widths: Sequence[float], fills: Mapping[str, str]) -> None:
        self.path, self.title, self.widths = path, title, widths
        self.styles = {status: _FIRST_FILL_STYLE + i for i, status in enumerate(fills)}
        self.fills = list(fills.values())
        self.letters = [column_letters(i + 1) for i in range(len(widths))]
        self.rows = 0
        self.links: list[tuple[str, str]] = []
        self.pending: list[str] = []

    def __enter__(self) -> SummarySheet:
        self.zip = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED)
        try:
            self.zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
            self.zip.writestr("_rels/.rels", _ROOT_RELS)
            self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w")
        except BaseException:
            self.zip.close()
            raise
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(self.widths, start=1))
        self.pending.append(
            _HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
            '<sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
            ' state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        )
        return self

    def _cells(self, values: Sequence[object], style: int = 0) -> list[str]:
        r, letters, cells = self.rows + 1, self.letters, []
        s = f' s="{style}"' if style else ""
        for letter, value in zip(letters, values, strict=False):
            if value is None or isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                cells.append(f'<c r="{letter}{r}"{s}><v>{value!r}</v></c>')
            elif value:
                cells.append(f'<c r="{letter}{r}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}'
                             "</t></is></c>")
            elif s:
                cells.append(f'<c r="{letter}{r}"{s}/>')
        return cells

    def _add(self, cells: list[str]) -> None:
        self.rows += 1
        self._pend(f'<row r="{self.rows}">{"".join(cells)}</row>')

    def _pend(self, xml: str) -> None:
        """``xml`` next in the part being written, sent to the zip 256 pieces at a time."""
        self.pending.append(xml)
        if len(self.pending) >= 256:
            self._flush()

    def _flush(self) -> None:
        self.sheet.write("".join(self.pending).encode("utf-8"))
        self.pending.clear()

    def header(self, names: Sequence[str]) -> None:
        """The first row: ``names`` bold on grey."""
        self._add(self._cells(names, _HEADER_STYLE))

    def row(self, values: Sequence[object], status: str, links: Sequence[tuple[str | None, str]],
            last: str) -> None:
        """One row: ``values``, the status (filled), the links, ``last``."""
        r = self.rows + 1
        cells = self._cells(values)
        col = len(values)
        cells.append(f'<c r="{self.letters[col]}{r}" s="{self.styles[status]}" t="inlineStr"><is><t>'
                     f"{_text(status)}</t></is></c>")
        for target, text in links:
            col += 1
            ref = f"{self.letters[col]}{r}"
            if target is not None and len(self.links) < SHEET_LINKS:
                self.links.append((ref, target))
                body = f'<is><t xml:space="preserve">{_text(text)}</t></is>' if text else ""
                cells.append(f'<c r="{ref}" s="{_LINK_STYLE}" t="inlineStr">{body}</c>' if body
                             else f'<c r="{ref}" s="{_LINK_STYLE}"/>')
            elif text:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>')
        if last:
            cells.append(f'<c r="{self.letters[col + 1]}{r}" t="inlineStr"><is><t xml:space="preserve">'
                         f"{_text(last)}</t></is></c>")
        self._add(cells)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self._finish()
        finally:
            self.sheet.close()
            self.zip.close()

    def _finish(self) -> None:
        last = f"{self.letters[-1]}{max(self.rows, 1)}"
        self.pending.append(f'</sheetData><autoFilter ref="A1:{last}"/>')
        if self.links:  # written in batches, as the rows were: a folder's links are never one string in memory
            self.pending.append("<hyperlinks>")
            for i, (ref, _) in enumerate(self.links, start=1):
                self._pend(f'<hyperlink ref="{ref}" r:id="rId{i}"/>')
            self.pending.append("</hyperlinks>")
        self.pending.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                            "</worksheet>")
        self._flush()
        self.sheet.close()
        if self.links:
            self.sheet = self.zip.open("xl/worksheets/_rels/sheet1.xml.rels", "w")
            self.pending.append(_HEAD + f'<Relationships xmlns="{_PKG_REL}">')
            for i, (_, target) in enumerate(self.links, start=1):
                self._pend(f'<Relationship Id="rId{i}" Type="{_REL}/hyperlink" Target="{_text(target)}" '
                           'TargetMode="External"/>')
            self.pending.append("</Relationships>")
            self._flush()
            self.sheet.close()
        name = "'" + self.title.replace("'", "''") + "'"
        absolute = "$" + last[:len(self.letters[-1])] + "$" + last[len(self.letters[-1]):]
        self.zip.writestr("xl/workbook.xml", (
            _HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="{_text(self.title)}" sheetId="1" r:id="rId1"/></sheets><definedNames>'
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">{_text(name)}!$A$1:{absolute}'
            "</definedName></definedNames></workbook>"
        ))
        self.zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self.zip.writestr("xl/styles.xml", _styles(self.fills))
