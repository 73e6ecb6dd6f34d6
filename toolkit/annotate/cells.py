"""A flagged sheet of the copy: the flagged cells get their new format index, cells and rows that are not in the
file are created in their place (rows and cells stay in order), the comments' drawing is referenced, and the
sheet is no longer selected (the 校验结果 sheet is). Everything else is the user's bytes."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Collection, Iterable

from toolkit.annotate.tokens import Element, attr, children, rel_prefix, root, set_attr, splice
from toolkit.workbook.a1 import a1, split_a1

_ATTRS = rb"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*"""
_ROW = re.compile(rb"<(?P<p>(?:[\w.-]+:)?)row(?=[\s/>])" + _ATTRS + rb"(?P<empty>/?)>")
_CELL = re.compile(rb"<(?P<p>(?:[\w.-]+:)?)c(?=[\s/>])" + _ATTRS + rb"/?>")
"""Start tags of rows and cells. Only rows hold ``<row``, and only cells ``<c`` followed by a space, / or > (cell
content has ``<color``, ``<charset``, never ``<c``), so the start tags alone are found in one pass over the sheet,
never backtracking over a cell's content."""
_MERGE = re.compile(rb"""<(?:[\w.-]+:)?mergeCell\s[^>]*?ref\s*=\s*["']([A-Z]+[0-9]+):([A-Z]+[0-9]+)["']""")
SELECTED = re.compile(rb"""<(?:[\w.-]+:)?sheetView\s[^>]*?tabSelected\s*=\s*["'](?:1|true)["'][^>]*>""")
_AFTER_LEGACY = (b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                 b"tableParts", b"extLst")
"""What follows ``legacyDrawing`` in a worksheet (ECMA-376 CT_Worksheet)."""

Restyle = Callable[[int, tuple[int, int]], int]
"""(the cell's format index, (row, col)) → its new format index."""


def unselect(xml: bytes) -> bytes:
    """The sheet without ``tabSelected`` on its views (two selected tabs would group the sheets in Excel).

    Only the span from the tag holding the first ``tabSelected`` to the end of the tag holding the last one is
    searched (a view's tag holds no ``<`` nor ``>``, so every match lies there), not the sheet's cells."""
    first = xml.find(b"tabSelected")
    if first < 0:
        return xml
    start = max(xml.rfind(b"<", 0, first), 0)
    end = xml.find(b">", xml.rfind(b"tabSelected")) + 1 or len(xml)
    span = xml[start:end]
    done = SELECTED.sub(lambda m: set_attr(m.group(), b"tabSelected", None), span)
    return xml if done == span else xml[:start] + done + xml[end:]


def merge_anchors(xml: bytes, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """Each of ``cells`` that is merged but not its range's top-left → that top-left cell (zero-based row, col)."""
    wanted = set(cells)
    anchors: dict[tuple[int, int], tuple[int, int]] = {}
    first = xml.find(b"mergeCell")
    if first < 0:
        return anchors
    rows: dict[int, list[int]] = {}
    for r, c in wanted:
        rows.setdefault(r, []).append(c)
    low, high = min(rows, default=0), max(rows, default=-1)
    for match in _MERGE.finditer(xml, max(xml.rfind(b"<", 0, first), 0)):  # from the first one: past the cells
        (r1, c1), (r2, c2) = split_a1(match.group(1).decode()), split_a1(match.group(2).decode())
        if r2 < low or r1 > high or (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:
            continue  # no flagged row in it; or so large a range is not followed (a flagged cell in it is marked)
        for r in range(r1, r2 + 1):
            for c in rows.get(r, ()):
                if c1 <= c <= c2 and (r, c) != (r1, c1):
                    anchors[r, c] = (r1, c1)
    return anchors


_ROW_OR_CELL = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])" + _ATTRS + rb"/?>")


def cells_styled(xml: bytes, styles: Collection[int]) -> set[tuple[int, int]]:
    """The cells (zero-based row, col) of the sheet whose format is one of ``styles``: where an earlier check's
    marks are (:meth:`toolkit.annotate.styles.Styles.marks`). A sheet that names none of them is not walked."""
    if not styles:
        return set()
    wanted = {b"%d" % s for s in styles}
    if not re.search(rb"""\ss\s*=\s*["'](?:%s)["']""" % b"|".join(sorted(wanted)), xml):
        return set()
    found: set[tuple[int, int]] = set()
    row = col = -1
    start = xml.find(b"sheetData")
    for match in _ROW_OR_CELL.finditer(xml, max(start, 0)):
        tag = match.group()
        ref = attr(tag, b"r")
        if match.group(1) == b"row":
            row, col = (_number(ref) or row + 2) - 1, -1
            continue
        where = (row, col + 1)
        if ref:
            with contextlib.suppress(ValueError):  # an unreadable ref: as if it had none
                where = split_a1(ref.decode("ascii").upper())
        col = where[1]
        if attr(tag, b"s") in wanted:
            found.add(where)
    return found


def _column_styles(xml: bytes, cols: Element | None) -> Callable[[int], int]:
    """The format a column gives a cell that is not in the file (``<col style=…>``), by zero-based column."""
    spans: list[tuple[int, int, int]] = []
    if cols is not None:
        for col in children(xml, cols):
            tag = col.start_tag(xml)
            low, high, style = attr(tag, b"min"), attr(tag, b"max"), attr(tag, b"style")
            if low and high and style and low.isdigit() and high.isdigit() and style.isdigit():
                spans.append((int(low) - 1, int(high) - 1, int(style)))

    def style_of(col: int) -> int:
        return next((s for low, high, s in spans if low <= col <= high), 0)

    return style_of


def _number(raw: bytes | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() else None


def patch_sheet(xml: bytes, cells: set[tuple[int, int]], restyle: Restyle, drawing_rid: str | None) -> bytes:
    """The sheet with ``cells`` (zero-based) restyled and, with ``drawing_rid``, a ``legacyDrawing`` to it."""
    top = root(xml)
    kids = children(xml, top)
    p = top.prefix
    data = next((k for k in kids if k.name == b"sheetData"), None)
    if data is None:
        raise ValueError("no sheetData")
    column_style = _column_styles(xml, next((k for k in kids if k.name == b"cols"), None))
    edits: list[tuple[int, int, bytes]] = []
    wanted: dict[int, list[int]] = {}
    for row, col in sorted(cells):
        wanted.setdefault(row, []).append(col)
    pending = sorted(wanted)

    def new_row(row: int) -> bytes:
        body = b"".join(b'<%sc r="%s" s="%d"/>' % (p, a1(row, c).encode(), restyle(column_style(c), (row, c)))
                        for c in wanted[row])
        return b'<%srow r="%d">%s</%srow>' % (p, row + 1, body, p)

    if data.empty:
        edits.append((data.start, data.end, b"<%ssheetData>%s</%ssheetData>" % (
            p, b"".join(new_row(r) for r in pending), p)))
        pending = []
    elif (found := _rows_by_ref(xml, p, data, pending)) is not None:
        for row_number, match in zip(pending, found, strict=True):
            close, end = _row_end(xml, match, data)
            edits.append((match.start(), end, _patch_row(xml, match, close, end, row_number, wanted[row_number],
                                                         restyle, column_style, plain=True)))
    else:
        row_number = -1
        for match in _ROW.finditer(xml, data.tag_end, data.inner_end):
            row_number = (_number(attr(match.group(), b"r")) or row_number + 2) - 1
            while pending and pending[0] < row_number:
                edits.append((match.start(), match.start(), new_row(pending.pop(0))))
            if pending and pending[0] == row_number:
                close, end = _row_end(xml, match, data)
                edits.append((match.start(), end, _patch_row(xml, match, close, end, row_number,
                                                             wanted[pending.pop(0)], restyle, column_style)))
            if not pending:
                break
        edits.extend((data.inner_end, data.inner_end, new_row(r)) for r in pending)
    if drawing_rid is not None and not any(k.name == b"legacyDrawing" for k in kids):
        at = next((k.start for k in kids if k.name in _AFTER_LEGACY), top.inner_end)
        rp, declare = rel_prefix(top.start_tag(xml))
        edits.append((at, at, b'<%slegacyDrawing%s %sid="%s"/>' % (p, declare, rp, drawing_rid.encode())))
    return unselect(splice(xml, edits))


def _plain(xml: bytes, start: int, end: int) -> bool:
    """No comment or CDATA section between ``start`` and ``end`` (where a tag's bytes could be text)."""
    return xml.find(b"<!--", start, end) < 0 and xml.find(b"<![CDATA[", start, end) < 0


def _rows_by_ref(xml: bytes, p: bytes, data: Element, rows: list[int]) -> list[re.Match[bytes]] | None:
    """The start tags of ``rows`` (zero-based, ascending) found directly by their ``r`` attribute written first, as
    Excel, WPS, LibreOffice, openpyxl and xlsxwriter write it, in order; None when one is not found so (the rows are
    then counted one by one, which also places rows that are missing)."""
    if not _plain(xml, data.tag_end, data.inner_end):
        return None
    found: list[re.Match[bytes]] = []
    pos = data.tag_end
    for row in rows:
        at = xml.find(b'<%srow r="%d"' % (p, row + 1), pos, data.inner_end)
        match = _ROW.match(xml, at, data.inner_end) if at >= 0 else None
        if match is None:
            return None
        found.append(match)
        pos = match.end()
    return found


def _row_end(xml: bytes, match: re.Match[bytes], data: Element) -> tuple[int, int]:
    """Where the row whose start tag is ``match`` has its end tag, and the offset past it."""
    if match.group("empty"):
        return match.end(), match.end()
    close = xml.find(b"</" + match.group("p") + b"row", match.end(), data.inner_end)
    if close < 0 or (xml.find(b"row", match.end(), close) >= 0 and _ROW.search(xml, match.end(), close)):
        raise ValueError("row not closed")
    return close, xml.index(b">", close) + 1


def _cells_by_ref(body: bytes, p: bytes, row: int, cols: list[int],
                  plain: bool = False) -> list[re.Match[bytes]] | None:
    """The start tags of the cells ``cols`` of a row's content ``body``, found directly by their ``r`` attribute
    written first; None when one is not found so (the cells are then counted one by one). ``plain``: the caller
    knows ``body`` holds no comment or CDATA section."""
    if not plain and not _plain(body, 0, len(body)):
        return None
    found = []
    for col in cols:
        at = body.find(b'<%sc r="%s"' % (p, a1(row, col).encode()))
        cell = _CELL.match(body, at) if at >= 0 else None
        if cell is None:
            return None
        found.append(cell)
    return found


def _patch_row(xml: bytes, match: re.Match[bytes], close: int, end: int, row: int, cols: list[int],
               restyle: Restyle, column_style: Callable[[int], int], plain: bool = False) -> bytes:
    """One ``<row>`` (start tag ``match``, end tag from ``close`` to ``end``) with the cells ``cols`` restyled or
    created (``plain``: the sheet's cells hold no comment or CDATA section)."""
    p = match.group("p")
    head = match.group()
    body = xml[match.end():close]
    if not match.group("empty") and (cells := _cells_by_ref(body, p, row, cols, plain)) is not None:
        restyled = [(cell.start(), cell.end(), set_attr(cell.group(), b"s", b"%d" % restyle(
            _number(attr(cell.group(), b"s")) or 0, (row, col)))) for cell, col in zip(cells, cols, strict=True)]
        return head + splice(body, restyled) + xml[close:end]
    row_style = _number(attr(head, b"s")) if attr(head, b"customFormat") in (b"1", b"true") else None
    if match.group("empty"):  # <row .../>
        head = head[:-2].rstrip() + b">"
        body, tail = b"", b"</%srow>" % p
    else:
        tail = xml[close:end]
    todo = list(cols)
    edits: list[tuple[int, int, bytes]] = []
    col = -1
    for cell in _CELL.finditer(body):
        tag = cell.group()
        ref = attr(tag, b"r")
        col = split_a1(ref.decode("ascii", "replace").upper())[1] if ref else col + 1
        while todo and todo[0] < col:
            c = todo.pop(0)
            style = restyle(row_style if row_style is not None else column_style(c), (row, c))
            edits.append((cell.start(), cell.start(), b'<%sc r="%s" s="%d"/>' % (p, a1(row, c).encode(), style)))
        if todo and todo[0] == col:
            todo.pop(0)
            style = restyle(_number(attr(tag, b"s")) or 0, (row, col))
            edits.append((cell.start(), cell.end(), set_attr(tag, b"s", b"%d" % style)))
        if not todo:
            break
    inserted = bool(todo) or any(start == stop for start, stop, _ in edits)
    for c in todo:
        style = restyle(row_style if row_style is not None else column_style(c), (row, c))
        edits.append((len(body), len(body), b'<%sc r="%s" s="%d"/>' % (p, a1(row, c).encode(), style)))
    if inserted:
        head = set_attr(head, b"spans", None)  # an optimisation hint that no longer covers the row
    return head + splice(body, edits) + tail
