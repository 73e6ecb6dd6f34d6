"""Find the six section headings (一、总体情况 … 六、其他需要报告的事项) and the narrative between them.

A heading is a short line that starts with the section's number and whose words are close to the official
title — reports write 五、存在问题及改进情况, 五、政府信息公开工作存在的主要问题及改进情况,
四、政府信息公开行政复议和行政诉讼情况 … — so the match is on similarity, not equality. The rows of table 三
that start with 一、 … 四、 (一、本年新收政府信息公开申请数量) are far from every title and never match.
Headings are searched in order, each after the one before.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from toolkit.data import Location, TextValue
from toolkit.importer.extract import Document, Kind, Line
from toolkit.importer.text import core, fold
from toolkit.spec.models import ReportSpec

ORDINALS = "一二三四五六"
_NUMBER = re.compile(r"^(?:第)?([一二三四五六])(?:部分)?[、.,:]?")
_MAX_HEADING = 45
# Site chrome that ends the report's text on a saved page (after folding: no spaces, ASCII punctuation).
CHROME = ("打印本页", "关闭窗口", "【打印】", "【关闭】", "[打印]", "[关闭]", "分享到", "扫一扫", "版权所有",
          "ICP备", "主办单位", "网站地图", "上一篇", "下一篇", "字号:", "【字体", "相关链接", "用户登录", "网站标识码")
_TERMINAL = tuple("。！？!?；;）)”」』…")
_DATE = re.compile(r"(?:19|20)\d\d年\d{1,2}月\d{1,2}日$")


@dataclass(frozen=True)
class Heading:
    """A section heading as found."""

    section: str
    """Section id (s1 … s6)."""
    line: int
    """Index of its line in the document."""
    text: str
    """The heading as printed."""
    where: str
    """Its location."""


def _single_text(line: Line) -> str | None:
    cells = [t for t in line.tokens if t.kind is not Kind.BLANK and t.kind is not Kind.GAP]
    return cells[0].text if len(cells) == 1 and cells[0].kind is Kind.TEXT else None


def is_chrome(text: str) -> bool:
    """Whether a line is site chrome (print/close/share links, copyright, ICP number …)."""
    folded = fold(text)
    return any(marker in folded for marker in CHROME)


def heading_matches(text: str, ordinal: str, title: str) -> bool:
    """Whether ``text`` can be the heading of the section numbered ``ordinal`` titled ``title``."""
    folded = fold(text)
    m = _NUMBER.match(folded)
    if len(folded) > _MAX_HEADING:
        return False
    if not m:  # Word's automatic numbering is not part of the text: the bare title must then be exact
        return bool(core(folded)) and core(folded) == core(title)
    if m.group(1) != ordinal:
        return False
    body, official = core(folded[m.end():]), core(title)
    if not body:
        return False
    if official in body or (body in official and len(body) / len(official) >= 0.5):
        return True
    return difflib.SequenceMatcher(None, body, official).ratio() >= 0.6


def find_headings(doc: Document, spec: ReportSpec) -> dict[str, Heading]:
    """Section id → heading, for the sections found (searched in order)."""
    found: dict[str, Heading] = {}
    cursor = 0
    for number, section in enumerate(spec.sections):
        for line in doc.lines[cursor:]:
            text = _single_text(line)
            if text is not None and heading_matches(text, ORDINALS[number], section.title):
                found[section.id] = Heading(section.id, line.index, text, line.where)
                cursor = line.index + 1
                break
    return found


def section_texts(doc: Document, spec: ReportSpec, headings: dict[str, Heading]) -> dict[str, TextValue]:
    """The narrative sections (一, 五, 六): the paragraphs after each heading, up to the next heading."""
    starts = sorted(h.line for h in headings.values())
    texts: dict[str, TextValue] = {}
    for section in spec.text_sections:
        heading = headings.get(section.id)
        if heading is None:
            texts[section.id] = TextValue(section.id, "", None, present=False)
            continue
        end = next((s for s in starts if s > heading.line), len(doc.lines))
        paragraphs: list[str] = []
        for line in doc.lines[heading.line + 1:end]:
            if is_chrome(line.text):
                break
            if not line.row and line.text.strip():
                paragraphs.append(line.text.strip())
        texts[section.id] = TextValue(section.id, "\n".join(without_signature(paragraphs)),
                                      Location(doc.name, heading.where))
    return texts


SIGNATURE_AT_MOST = 40
"""A signature line (the organ's name above the date) is short and is not a sentence."""


def without_signature(paragraphs: list[str]) -> list[str]:
    """The paragraphs without a closing signature: a last line that is only a date (成文日期), and the organ's
    name just above it (a short line that does not end like a sentence). Anything else is kept."""
    if not paragraphs or not _DATE.fullmatch(fold(paragraphs[-1]).replace(" ", "")):
        return paragraphs
    body = paragraphs[:-1]
    if body and len(body[-1]) <= SIGNATURE_AT_MOST and not fold(body[-1]).endswith(_TERMINAL):
        body = body[:-1]
    return body


def looks_cut(doc: Document) -> bool:
    """Whether the text ends in the middle of the report (an archive that kept only the page's beginning).

    A complete report ends with a sentence, a date or a signature line; a cut one ends inside a table or a
    sentence. Trailing site chrome is ignored.
    """
    lines = [line for line in doc.lines if line.text.strip() and not is_chrome(line.text)]
    if not lines:
        return False
    last = lines[-1]
    if last.row or any(not t.terminated for t in last.tokens) or all(t.kind is Kind.VALUE for t in last.tokens):
        return True
    text = fold(last.text)
    return not (text.endswith(_TERMINAL) or _DATE.search(text))
