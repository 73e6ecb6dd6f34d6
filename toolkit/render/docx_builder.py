"""The report as Word (.docx) built with python-docx: the layout of :mod:`.docx` (GB/T 9704-2012) made through
python-docx's document model.

:func:`toolkit.render.docx.write_docx` takes the parts that do not depend on the data from here (once per choice of
faces) and writes the body itself; a report with a landscape section is built here whole. Each role names its
official face and, in the font table, the faces that stand in for it (:mod:`.fonts`); the copy a PDF is made from
names the stand-in installed here. python-docx has no East Asian font API, so ``w:eastAsia`` is written on every run
and style, and the theme fallback (which would show ＭＳ 明朝) is replaced. Tables too wide for portrait get a
landscape section.
"""

from __future__ import annotations

import contextvars
import re
from pathlib import Path
from typing import IO, Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from toolkit.messages import msg
from toolkit.render.fonts import BODY, CHAINS, HEADING, LEAD, TITLE, Chain, Face
from toolkit.render.fonts import PAGE as PAGE_NUMBER
from toolkit.render.model import Paragraph, ReportModel, SectionModel, TableModel
from toolkit.render.wordml import BODY_PT, LINE_PT, NOTICE_PT, PAGE_PT, TABLE_PT, TITLE_PT, table_xml
from toolkit.untrusted import xml_text

TITLE_FONT, BODY_FONT, HEADING_FONT, LEAD_FONT, PAGE_FONT, TABLE_FONT = TITLE, BODY, HEADING, LEAD, PAGE_NUMBER, BODY
_INSTALLED: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar("installed", default=None)
"""The font families the document is written for (None: the official faces, for Word and WPS)."""
TITLE_SIZE, BODY_SIZE, PAGE_SIZE, TABLE_SIZE, NOTICE_SIZE = (Pt(p) for p in (TITLE_PT, BODY_PT, PAGE_PT, TABLE_PT,
                                                                      NOTICE_PT))
LINE = Pt(LINE_PT)
"""One 行 of GB/T 9704: 22 lines on a 225 mm text block (one character height plus 7/8 of it)."""
PAGE = (Mm(210), Mm(297))
MARGINS = {"top": Mm(37), "left": Mm(28), "bottom": Mm(35), "right": Mm(26)}
LANDSCAPE_MARGINS = {"top": Mm(28), "left": Mm(35), "bottom": Mm(26), "right": Mm(37)}
"""The portrait margins turned with the sheet, so the binding edge keeps its margin."""
NOTICE_COLOR = RGBColor(0xC0, 0x00, 0x00)
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _face(chain: Chain) -> Face:
    return chain.pick(_INSTALLED.get())


def _set_fonts(rpr: Any, chain: Chain) -> None:
    """Name the role's face for every script on an rPr and drop the theme fonts that would override it."""
    name = _face(chain).family
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _run(paragraph: Any, text: str, font: Chain, size: Any, *, bold: bool = False, color: Any = None) -> Any:
    run = paragraph.add_run(xml_text(text))  # a unit's \x0b or ESC: a visible mark, not a crash
    face = _face(font)
    run.font.name = face.family
    run.font.size = size
    run.font.bold = bold or face.bold
    if color is not None:
        run.font.color.rgb = color
    _set_fonts(run._element.get_or_add_rPr(), font)
    return run


def _spacing(paragraph: Any, *, line: Any = LINE, indent: Any = None, align: Any = None) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if line is None:
        fmt.line_spacing = 1.0
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    fmt.first_line_indent = indent
    if align is not None:
        paragraph.alignment = align


def _reset_style(style: Any, font: Chain, size: Any, *, outline: int | None = None) -> None:
    """Strip a built-in style's theme fonts, colours and spacing; give it ``font``, ``size``, black, not bold."""
    for child in list(style.element):
        if child.tag in (qn("w:rPr"), qn("w:pPr")):
            style.element.remove(child)
    style.font.name = _face(font).family
    style.font.size = size
    style.font.bold = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element.get_or_add_rPr(), font)
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        style.element.get_or_add_pPr().append(level)


def _fix_defaults(doc: Any) -> None:
    """Body font on docDefaults and Normal, Chinese as the East Asian language, and theme East Asian faces set."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for spacing in ppr.findall(qn("w:spacing")):
        ppr.remove(spacing)
    _reset_style(doc.styles["Normal"], BODY_FONT, BODY_SIZE)
    _reset_style(doc.styles["Title"], TITLE_FONT, TITLE_SIZE)
    _reset_style(doc.styles["Heading 1"], HEADING_FONT, BODY_SIZE, outline=0)
    for lang_el in doc.settings.element.iter(qn("w:themeFontLang")):
        lang_el.set(qn("w:eastAsia"), "zh-CN")
    for rel in doc.part.rels.values():
        if rel.reltype == RELATIONSHIP_TYPE.THEME:
            theme = rel.target_part.blob.decode("utf-8")
            heading, body = _face(HEADING_FONT).family, _face(BODY_FONT).family
            theme = re.sub(r'(<a:majorFont>.*?<a:ea typeface=")[^"]*"', rf'\g<1>{heading}"', theme, flags=re.S)
            theme = re.sub(r'(<a:minorFont>.*?<a:ea typeface=")[^"]*"', rf'\g<1>{body}"', theme, flags=re.S)
            rel.target_part._blob = theme.encode("utf-8")
    _font_table(doc)


def _font_table(doc: Any) -> None:
    """Each official face in the font table with its stand-ins (``w:altName``), GB2312 charset and class."""
    table = None
    for rel in doc.part.rels.values():
        if rel.reltype == RELATIONSHIP_TYPE.FONT_TABLE:
            table = rel.target_part
    if table is None:
        return
    fonts = table.blob.decode("utf-8")
    entries = "".join(
        f'<w:font w:name="{c.official}"><w:altName w:val="{c.alt_names}"/><w:charset w:val="{c.charset}"/>'
        f'<w:family w:val="{c.family}"/><w:pitch w:val="variable"/></w:font>'
        for c in CHAINS if f'w:name="{c.official}"' not in fonts)
    table._blob = fonts.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _page(section: Any, *, landscape: bool) -> None:
    width, height = PAGE
    margins = LANDSCAPE_MARGINS if landscape else MARGINS
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side, value in margins.items():
        setattr(section, f"{side}_margin", value)
    section.footer_distance = Emu(margins["bottom"] - Mm(7) - PAGE_SIZE)
    section.header_distance = Mm(15)


def _page_number(footer: Any, align: Any) -> None:
    """``— PAGE —`` in 宋体 14pt, one character in from the edge it sits at."""
    paragraph = footer.paragraphs[0]
    _spacing(paragraph, line=None, align=align)
    paragraph.paragraph_format.left_indent = PAGE_SIZE if align == WD_ALIGN_PARAGRAPH.LEFT else None
    paragraph.paragraph_format.right_indent = PAGE_SIZE if align == WD_ALIGN_PARAGRAPH.RIGHT else None
    _run(paragraph, "— ", PAGE_FONT, PAGE_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = _run(paragraph, "", PAGE_FONT, PAGE_SIZE)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            run.text = text
    _run(paragraph, " —", PAGE_FONT, PAGE_SIZE)


def _body(doc: Any, paragraph: Paragraph) -> None:
    p = doc.add_paragraph()
    _spacing(p, indent=BODY_SIZE * 2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if paragraph.lead:
        _run(p, paragraph.lead, LEAD_FONT, BODY_SIZE)
    if paragraph.rest:
        _run(p, paragraph.rest, BODY_FONT, BODY_SIZE)


def _xml(tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _table_properties(table: Any, width: int) -> None:
    tbl_pr = table._tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout", "w:tblBorders", "w:tblCellMar"):
        for old in tbl_pr.findall(qn(tag)):
            tbl_pr.remove(old)
    tbl_pr.append(_xml("w:tblW", w=str(int(width / 635)), type="dxa"))
    borders = _xml("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_xml(f"w:{side}", val="single", sz="4", space="0", color="000000"))
    tbl_pr.append(borders)
    tbl_pr.append(_xml("w:tblLayout", type="fixed"))
    margins = _xml("w:tblCellMar")
    for side, twips in (("top", "28"), ("left", "57"), ("bottom", "28"), ("right", "57")):
        margins.append(_xml(f"w:{side}", w=twips, type="dxa"))
    tbl_pr.append(margins)


def _table(doc: Any, model: TableModel, width: int) -> None:
    """The table as one XML fragment (:func:`toolkit.render.wordml.table_xml`), parsed once: python-docx's
    cell-by-cell calls and merges made the same XML at ten times the cost."""
    doc.element.body._insert_tbl(parse_xml(table_xml(model, width, _INSTALLED.get())))


def _spacer(doc: Any) -> None:
    _spacing(doc.add_paragraph(), line=Pt(8))


def _notice(doc: Any, messages: tuple[str, ...], width: int) -> None:
    """The forced-report notice: a framed box on the first page listing every error."""
    box = doc.add_table(rows=1, cols=1)
    _table_properties(box, width)
    cell = box.cell(0, 0)
    cell.width = Emu(width)
    head = cell.paragraphs[0]
    _spacing(head, line=None)
    _run(head, msg("render.forced.notice", count=len(messages)), HEADING_FONT, NOTICE_SIZE, color=NOTICE_COLOR)
    for number, message in enumerate(messages, start=1):
        p = cell.add_paragraph()
        _spacing(p, line=None)
        _run(p, msg("render.forced.item", number=number, message=message), BODY_FONT, NOTICE_SIZE,
             color=NOTICE_COLOR)
    _spacer(doc)


def _text_width(section: Any) -> int:
    return int(section.page_width - section.left_margin - section.right_margin)


def _section(doc: Any, section: SectionModel) -> None:
    heading = doc.add_paragraph(style="Heading 1")
    _spacing(heading, indent=BODY_SIZE * 2)
    heading.paragraph_format.keep_with_next = True
    _run(heading, section.title, HEADING_FONT, BODY_SIZE)
    for paragraph in section.paragraphs:
        _body(doc, paragraph)
    if section.blank:
        _body(doc, Paragraph("", msg("render.section.blank")))
    width = _text_width(doc.sections[-1])
    for table in section.tables:
        _table(doc, table, width)
        _spacer(doc)


def _signature(doc: Any, organ: str, date: str) -> None:
    """Organ and 成文日期 at the end: the date four characters in from the right, the organ centred over it."""
    def chars(text: str) -> float:
        return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)

    _spacing(doc.add_paragraph())
    for text, extra in ((organ, max(0.0, (chars(date) - chars(organ)) / 2)), (date, 0.0)):
        if not text:
            continue
        p = doc.add_paragraph()
        _spacing(p, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Emu(int(BODY_SIZE * (4 + extra)))
        _run(p, text, BODY_FONT, BODY_SIZE)


def build_docx(model: ReportModel, target: Path | IO[bytes], *, installed: frozenset[str] | None = None) -> None:
    """Write ``model`` as a .docx file at ``target`` (a path or a binary stream): with the official faces, or —
    given the font families ``installed`` on the machine that will print it — with the first face of each role's
    chain found there."""
    token = _INSTALLED.set(installed)
    try:
        _write_docx(model, target)
    finally:
        _INSTALLED.reset(token)


def _write_docx(model: ReportModel, target: Path | IO[bytes]) -> None:
    doc = Document()
    _fix_defaults(doc)
    props = doc.core_properties
    props.title, props.author = xml_text(model.title), xml_text(model.organ)
    props.comments, props.language = "", "zh-CN"
    doc.settings.odd_and_even_pages_header_footer = True
    first = doc.sections[0]
    _page(first, landscape=False)
    _page_number(first.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(first.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    if model.notice:
        _notice(doc, model.notice, _text_width(first))
    title = doc.add_paragraph(style="Title")
    _spacing(title, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36))
    title.paragraph_format.space_after = LINE
    for i, line in enumerate(model.title_lines):
        run = _run(title, line, TITLE_FONT, TITLE_SIZE)
        if i < len(model.title_lines) - 1:
            run.add_break()
    landscape = False
    for section in model.sections:
        wide = any(t.wide for t in section.tables)
        if wide != landscape:
            _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=wide)
            landscape = wide
        _section(doc, section)
    if model.date:
        _signature(doc, model.organ, model.date)
    doc.save(str(target) if isinstance(target, Path) else target)
