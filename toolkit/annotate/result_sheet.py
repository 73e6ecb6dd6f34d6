"""The 校验结果 sheet of the copy, written here as worksheet XML: one row per finding, a link to its cell, the
messages wrapped in rows tall enough (Gnumeric does not fit rows to wrapped text), A4 landscape at 100% with
columns chosen to fit the page (no fit-to-width, which LibreOffice ignores), the header row repeated on every page
and the internal code column (C) hidden from print (still in the cells and in ``--json``).

Every cell is an inline string or a number: nothing from a unit can become a formula."""

from __future__ import annotations

from toolkit.annotate.marks import RESULT_SHEET
from toolkit.annotate.styles import Styles
from toolkit.annotate.tokens import quoted, text
from toolkit.messages import msg
from toolkit.rules.findings import CheckResult
from toolkit.spec.models import Severity
from toolkit.workbook.a1 import a1

WIDTHS = (5, 6, 14, 16, 38, 8, 8, 22)
"""Columns A–H: 序号, 级别, 代码 (hidden), 位置, 问题, 应为, 实为, 处理建议; the printed ones fit 770 pt."""
CODE_COLUMN = 2
"""Zero-based column of the internal rule code (hidden)."""
HEADER_ROW = 2
"""The row repeated at the top of every printed page (1-based)."""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def print_titles() -> str:
    """The ``_xlnm.Print_Titles`` text of the sheet."""
    return f"{_quote_sheet(RESULT_SHEET)}!${HEADER_ROW}:${HEADER_ROW}"


_LETTERS = tuple(a1(0, c)[:-1].encode() for c in range(len(WIDTHS)))
"""The columns' letters (the sheet has these columns only)."""


def _cell(row: int, col: int, value: object, style: int) -> bytes:
    ref = _LETTERS[col] + b"%d" % (row + 1)
    if isinstance(value, int) and not isinstance(value, bool):
        return b'<c r="%s" s="%d"><v>%d</v></c>' % (ref, style, value)
    if value in (None, ""):
        return b'<c r="%s" s="%d"/>' % (ref, style)
    return b'<c r="%s" s="%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (ref, style,
                                                                                          text(str(value)))


def result_sheet(result: CheckResult, styles: Styles, lang: str) -> bytes:
    """The worksheet XML of 校验结果 for ``result``."""
    from toolkit.template.style import lines_of

    title = msg("annotate.title", lang, organ=result.organ or "", errors=result.errors, warnings=result.warnings)
    rows = [b'<row r="1">%s</row>' % _cell(0, 0, title, styles.result("title"))]
    headers = [msg(f"annotate.col.{c}", lang) for c in ("no", "severity", "code", "where", "message", "expected",
                                                         "actual", "hint")]
    header = styles.result("header")
    rows.append(b'<row r="2">%s</row>' % b"".join(_cell(1, c, h, header) for c, h in enumerate(headers)))
    links: list[bytes] = []
    body, link = styles.result("body"), styles.result("link")
    for i, f in enumerate(result.findings, start=1):
        r = i + 1
        first = next((c for c in f.cells if c.location is not None), None)
        where = f"{first.location.sheet}!{first.location.cell}" if first and first.location else (
            f.cells[0].label if f.cells else "")
        values: tuple[object, ...] = (
            i, msg(f"annotate.severity.{f.severity.value}", lang), f.code, where, f.message.get(lang),
            "" if f.expected is None else str(f.expected), "" if f.actual is None else str(f.actual),
            f.hint.get(lang) if f.hint else "",
        )
        formats = [body] * len(values)
        if f.severity in (Severity.ERROR, Severity.WARNING):
            formats[1] = styles.result(f.severity.value)
        if first is not None and first.location is not None:
            formats[3] = link
            target = f"{_quote_sheet(first.location.sheet)}!{first.location.cell}"
            links.append(b'<hyperlink ref="%s" location="%s" display="%s"/>' % (
                a1(r, 3).encode(), quoted(target), quoted(where)))
        lines = max(lines_of(str(v), WIDTHS[c]) for c, v in enumerate(values) if c != CODE_COLUMN)
        cells = b"".join(_cell(r, c, v, formats[c]) for c, v in enumerate(values))
        rows.append(b'<row r="%d" ht="%d" customHeight="1">%s</row>' % (r + 1, 15 * lines + 3, cells))
    if not result.findings:
        rows.append(b'<row r="3">%s</row>' % _cell(2, 1, msg("annotate.none", lang), body))
    cols = b"".join(b'<col min="%d" max="%d" width="%d" customWidth="1"%s/>' % (
        c + 1, c + 1, w, b' hidden="1"' if c == CODE_COLUMN else b"") for c, w in enumerate(WIDTHS))
    last = max(2, len(result.findings) + 2)
    footer = text(msg("template.footer", lang))
    return b"".join((
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        b'<worksheet xmlns="%s" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        % _MAIN.encode(),
        b'<dimension ref="A1:H%d"/>' % last,
        b'<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="2" topLeftCell="A3" '
        b'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A3" sqref="A3"/>'
        b'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>',
        b"<cols>%s</cols>" % cols,
        b"<sheetData>%s</sheetData>" % b"".join(rows),
        b"<hyperlinks>%s</hyperlinks>" % b"".join(links) if links else b"",
        b'<printOptions horizontalCentered="1"/>',
        b'<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
        b'<pageSetup paperSize="9" orientation="landscape"/>',
        b"<headerFooter><oddFooter>%s</oddFooter></headerFooter>" % footer,
        b"</worksheet>",
    ))
