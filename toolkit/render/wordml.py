"""The report's body as WordprocessingML text: runs, paragraphs and tables as the python-docx builder
(:mod:`.docx_builder`) makes them, for :mod:`.docx`, which writes them into the package, and for the builder, which
parses a table as one fragment instead of building it cell by cell."""


from __future__ import annotations

import re

from toolkit.messages import msg
from toolkit.render.fonts import BODY, HEADING, LEAD, TITLE, Chain
from toolkit.render.model import Paragraph, ReportModel, TableModel
from toolkit.untrusted import xml_text

TITLE_PT, BODY_PT, PAGE_PT, TABLE_PT, NOTICE_PT = 22, 16, 14, 10.5, 12
"""Sizes in points: title, body (三号), page number, table, the forced-report notice."""
LINE_PT = 28.9
"""One 行 of GB/T 9704: 22 lines on a 225 mm text block (one character height plus 7/8 of it)."""
TITLE_LINE_PT = 36
NOTICE_COLOR = "C00000"
EMU_PER_PT, EMU_PER_MM, EMU_PER_TWIP = 12700, 36000, 635
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "left": 28, "bottom": 35, "right": 26}

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def escape(text: str) -> str:
    """``text`` for XML character data or a double-quoted attribute (xml.sax.saxutils would import urllib)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _twips(emu: float) -> int:
    """An EMU length in whole twips, rounded as python-docx rounds it."""
    return round(emu / EMU_PER_TWIP)


def _mm_twips(mm: float) -> int:
    return _twips(int(mm * EMU_PER_MM))


def text_width() -> int:
    """The width of the portrait text block in EMU, as python-docx reads it back (whole twips)."""
    return (_mm_twips(PAGE_MM[0]) - _mm_twips(MARGINS_MM["left"]) - _mm_twips(MARGINS_MM["right"])) * EMU_PER_TWIP


def run_xml(text: str, font: Chain, points: float, installed: frozenset[str] | None, *, bold: bool = False,
            color: str | None = None) -> str:
    """``<w:r>``: the role's face (the official one, or the first of its chain ``installed``) for every script, its
    bold, the colour, the size; tabs and line breaks as Word's elements, XML-illegal characters as visible marks."""
    face = font.pick(installed)
    name = escape(face.family)
    weight = "<w:b/>" if bold or face.bold else '<w:b w:val="0"/>'
    shade = f'<w:color w:val="{color}"/>' if color else ""
    parts = []
    for piece in re.split(r"(\t|\r\n|\r|\n)", xml_text(text)):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\n", "\r", "\r\n"):
            parts.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if piece.strip() != piece else ""
            parts.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return (f'<w:r><w:rPr><w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>{weight}'
            f'{shade}<w:sz w:val="{int(points * 2)}"/></w:rPr>{"".join(parts)}</w:r>')


_BORDERS = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
_TABLE_PROPERTIES = (
    '<w:tblPr>{jc}<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
    'w:noHBand="0" w:noVBand="1" w:val="04A0"/><w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>' + _BORDERS
    + '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="28" w:type="dxa"/>'
    '<w:left w:w="57" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
    "</w:tblCellMar></w:tblPr>")
"""A table's properties (centred or not, fixed layout, single black borders, narrow cell margins)."""
_CELL_PARAGRAPH = ('<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
                   '<w:jc w:val="{}"/></w:pPr>')
_ALIGN = {"row": "left"}


def table_xml(model: TableModel, width: int, installed: frozenset[str] | None) -> str:
    """The table as one ``w:tbl`` (namespace declared): merged cells as ``gridSpan`` and ``vMerge``, every
    cell's width fixed, the header rows repeated on each page, kept whole across a page break."""
    n = model.n_cols
    columns = [_twips(int(width * w)) for w in model.widths]
    placed: dict[tuple[int, int], str] = {}
    for gc in model.cells:
        span_width = sum(columns[gc.col:gc.col + gc.colspan])
        span = f'<w:gridSpan w:val="{gc.colspan}"/>' if gc.colspan > 1 else ""
        restart = '<w:vMerge w:val="restart"/>' if gc.rowspan > 1 else ""
        align = _CELL_PARAGRAPH.format(_ALIGN.get(gc.role, "center"))
        placed[gc.row, gc.col] = (
            f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{span_width}"/>{span}{restart}<w:vAlign w:val="center"/>'
            f"</w:tcPr><w:p>{align}{run_xml(gc.text, BODY, TABLE_PT, installed)}</w:p></w:tc>")
        for below in range(gc.row + 1, gc.row + gc.rowspan):
            placed[below, gc.col] = (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{span_width}"/>{span}<w:vMerge/>'
                                     "</w:tcPr><w:p/></w:tc>")
        for r in range(gc.row, gc.row + gc.rowspan):
            for c in range(gc.col + 1, gc.col + gc.colspan):
                placed[r, c] = ""  # swallowed by the span
    rows = []
    for r in range(model.n_rows):
        header = "<w:tblHeader/>" if r < model.header_rows else ""
        cells = "".join(placed.get((r, c), f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{columns[c]}"/></w:tcPr><w:p/>'
                                            "</w:tc>") for c in range(n))
        rows.append(f"<w:tr><w:trPr><w:cantSplit/>{header}</w:trPr>{cells}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in columns)
    properties = _TABLE_PROPERTIES.format(jc='<w:jc w:val="center"/>', width=int(width / EMU_PER_TWIP))
    return f'<w:tbl xmlns:w="{_W}">{properties}<w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>'


def _paragraph(runs: str, *, line: float | None = LINE_PT, indent: float | None = None, align: str | None = None,
               style: str = "", keep: bool = False, after: float = 0, right: int | None = None) -> str:
    """``<w:p>`` with the spacing :func:`.docx_builder._spacing` gives (no space around, a fixed line or single)."""
    spacing = (f'<w:spacing w:before="0" w:after="{round(after * 20)}" w:lineRule="exact" '
               f'w:line="{round(line * 20)}"/>' if line is not None
               else '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>')
    ind = ""
    if indent is not None or right is not None:
        ind = "<w:ind" + (f' w:right="{right}"' if right is not None else "") + (
            f' w:firstLine="{round(indent * 20)}"' if indent is not None else "") + "/>"
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    keep_next = "<w:keepNext/>" if keep else ""
    jc = f'<w:jc w:val="{align}"/>' if align else ""
    return f"<w:p><w:pPr>{pstyle}{keep_next}{spacing}{ind}{jc}</w:pPr>{runs}</w:p>"


def _notice(messages: tuple[str, ...], installed: frozenset[str] | None) -> str:
    width = text_width()
    paragraphs = [_paragraph(run_xml(msg("render.forced.notice", count=len(messages)), HEADING, NOTICE_PT,
                                     installed, color=NOTICE_COLOR), line=None)]
    paragraphs += [_paragraph(run_xml(msg("render.forced.item", number=i, message=m), BODY, NOTICE_PT, installed,
                                      color=NOTICE_COLOR), line=None) for i, m in enumerate(messages, start=1)]
    properties = _TABLE_PROPERTIES.format(jc="", width=int(width / EMU_PER_TWIP))
    return (f"<w:tbl>{properties}<w:tblGrid><w:gridCol w:w=\"{_twips(width)}\"/></w:tblGrid><w:tr><w:tc><w:tcPr>"
            f'<w:tcW w:type="dxa" w:w="{_twips(width)}"/></w:tcPr>{"".join(paragraphs)}</w:tc></w:tr></w:tbl>'
            + _spacer())


def _spacer() -> str:
    return '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:lineRule="exact" w:line="160"/></w:pPr></w:p>'


def _body(paragraph: Paragraph, installed: frozenset[str] | None) -> str:
    runs = (run_xml(paragraph.lead, LEAD, BODY_PT, installed) if paragraph.lead else "") + (
        run_xml(paragraph.rest, BODY, BODY_PT, installed) if paragraph.rest else "")
    return _paragraph(runs, indent=BODY_PT * 2, align="both")


def _signature(organ: str, date: str, installed: frozenset[str] | None) -> str:
    """Organ and 成文日期 at the end: the date four characters in from the right, the organ centred over it."""
    def chars(text: str) -> float:
        return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)

    out = [_paragraph("")]
    for text, extra in ((organ, max(0.0, (chars(date) - chars(organ)) / 2)), (date, 0.0)):
        if text:
            right = _twips(int(BODY_PT * EMU_PER_PT * (4 + extra)))
            out.append(_paragraph(run_xml(text, BODY, BODY_PT, installed), align="right", right=right))
    return "".join(out)


def body_xml(model: ReportModel, installed: frozenset[str] | None) -> str:
    """The content of ``w:body`` before its ``w:sectPr``, for a model with portrait pages only."""
    out = [_notice(model.notice, installed)] if model.notice else []
    lines = model.title_lines
    title_runs = "".join(
        run_xml(line, TITLE, TITLE_PT, installed)[:-len("</w:r>")] + ("<w:br/>" if i < len(lines) - 1 else "")
        + "</w:r>" for i, line in enumerate(lines))
    out.append(_paragraph(title_runs, line=TITLE_LINE_PT, align="center", style="Title", after=LINE_PT))
    width = text_width()
    for section in model.sections:
        out.append(_paragraph(run_xml(section.title, HEADING, BODY_PT, installed), indent=BODY_PT * 2,
                              style="Heading1", keep=True))
        out += [_body(p, installed) for p in section.paragraphs]
        if section.blank:
            out.append(_body(Paragraph("", msg("render.section.blank")), installed))
        for table in section.tables:
            out.append(table_xml(table, width, installed).replace(f' xmlns:w="{_W}"', "", 1))
            out.append(_spacer())
    if model.date:
        out.append(_signature(model.organ, model.date, installed))
    return "".join(out)
