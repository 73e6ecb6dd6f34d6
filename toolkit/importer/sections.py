"""Find the six section headings (一、总体情况 … 六、其他需要报告的事项) and the narrative between them.

A heading is a short line that starts with the section's number and whose words are close to the official
title — reports write 五、存在问题及改进情况, 五、政府信息公开工作存在的主要问题及改进情况,
四、政府信息公开行政复议和行政诉讼情况 … — so the match is on similarity, not equality. The rows of table 三
that start with 一、 … 四、 (一、本年新收政府信息公开申请数量) are far from every title and never match.
Headings are searched in order, each after the one before.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from toolkit.data import Location, TextValue
from toolkit.importer.document import Document, Kind, Line
from toolkit.labels import Folded, core, fold, ratio, strip_enumerator
from toolkit.spec.load import available_formats, load_spec
from toolkit.spec.models import ReportSpec

ORDINALS = "一二三四五六"
_ORDINAL = re.compile(r"(?:第([一二三四五六])部分\s*[、.,．，:：]?|([一二三四五六])\s*[、.,．，:：])\s*")
_NOT_BEFORE = frozenset("(（第十一二三四五六七八九〇")
_MAX_HEADING = 45
_IN_SENTENCE = re.compile(r"\s*(?:[，,；;、]|等|(?:和|及|以及)\s*(?:第?[一二三四五六][、.，,]|第[一二三四五六]部分))")
_WINDOW = 12
"""How far past the official title's length a heading's words are compared (…工作存在的主要问题…)."""
# Site chrome that ends the report's text on a saved page (after folding: no spaces, ASCII punctuation).
CHROME = ("打印本页", "关闭窗口", "【打印】", "【关闭】", "[打印]", "[关闭]", "分享到", "扫一扫", "版权所有",
          "ICP备", "主办单位", "网站地图", "上一篇", "下一篇", "字号:", "【字体", "相关链接", "用户登录", "网站标识码",
          "附件下载")
_CHROME_LINE = 40
"""Chrome is a short line (or the short tail of one); a longer line that mentions 相关链接 is narrative."""
_SENTENCE_END = re.compile(r"[。！？!?]")
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


@functools.cache
def _titles() -> tuple[tuple[str, ...], ...]:
    """Per section (in order), the cores of its official title and of the variants the format files list."""
    per: list[list[str]] = [[] for _ in ORDINALS]
    for fid in available_formats():
        for k, section in enumerate(load_spec(fid).sections):
            for title in (section.title, *section.aliases):
                if core(title) not in per[k]:
                    per[k].append(core(title))
    return tuple(tuple(t) for t in per)


def _title_end(folded: Folded, title: str) -> int | None:
    """Where (in ``folded``) words close to ``title`` that start the text end, or None."""
    text = folded.text[: len(title) + _WINDOW]
    if text.startswith(title):
        return len(title)
    at = text.find(title)
    if 0 < at <= _WINDOW and len(title) >= 6:
        return at + len(title)
    if len(title) < 6:
        return None
    best, best_end = 0.0, None
    for end in range(max(2, len(title) - 4), min(len(text), len(title) + 6) + 1):
        r = ratio(text[:end], title)
        if r > best or (r == best and best_end is not None and abs(end - len(title)) < abs(best_end - len(title))):
            best, best_end = r, end
    return best_end if best >= 0.75 else None


def heading_at(source: str, pos: int, first: int = 0) -> tuple[int, int] | None:
    """(section index, end) when a heading of section ``first`` or later starts at ``source[pos]``, else None.

    A heading is its number (一、 … 六、, 第一部分) and words close to the official title or a known variant.
    ``（一）`` sub-headings and 三's rows (一、本年新收…, 四、结转下年度…) are never headings.
    """
    if pos > 0 and source[pos - 1] in _NOT_BEFORE:
        return None
    m = _ORDINAL.match(source, pos)
    if m is None:
        return None
    k = ORDINALS.index(m.group(1) or m.group(2))
    if k < first:
        return None
    folded = Folded.of(source[m.end(): m.end() + 4 * (_MAX_HEADING + _WINDOW)])
    for title in _titles()[k]:
        end = _title_end(folded, title)
        if end is None:
            continue
        stop = m.end() + folded.span(0, end)[1]
        if _IN_SENTENCE.match(source, stop):
            return None  # 本报告由一、总体情况，二、……组成: the titles named in a sentence, not headings
        return k, stop
    return None


def _single_text(line: Line) -> str | None:
    cells = [t for t in line.tokens if t.kind is not Kind.BLANK and t.kind is not Kind.GAP]
    return cells[0].text if len(cells) == 1 and cells[0].kind is Kind.TEXT else None


def is_chrome(text: str) -> bool:
    """Whether a line is site chrome (print/close/share links, copyright, ICP number …): a short line with a marker."""
    folded = fold(text)
    return len(folded) <= _CHROME_LINE and any(marker.lower() in folded for marker in CHROME)


def without_chrome(text: str) -> str:
    """``text`` without site chrome after its last sentence (``…2023年1月9日 附件下载``)."""
    cut = len(text)
    tail = text[-_CHROME_LINE:]
    for marker in CHROME:
        at = tail.find(marker)
        if at >= 0 and not _SENTENCE_END.search(tail[at:]):
            cut = min(cut, len(text) - len(tail) + at)
    return text[:cut].rstrip()


def heading_matches(text: str, ordinal: str, title: str) -> bool:
    """Whether the whole line ``text`` can be the heading of the section numbered ``ordinal`` titled ``title``.

    Word's automatic numbering is not part of the text: a line without any item number is a heading when its
    words are the title's exactly; a line numbered otherwise (（一）, 1.) never is.
    """
    folded = fold(text)
    if len(folded) > _MAX_HEADING:
        return False
    k = ORDINALS.index(ordinal)
    found = heading_at(text.strip(), 0, k)
    if found is not None:
        return found[0] == k
    if strip_enumerator(folded) != folded or folded[:1] in "(（":
        return False
    return bool(core(folded)) and core(folded) in _titles()[k] and core(title) != ""


def find_headings(doc: Document, spec: ReportSpec) -> dict[str, Heading]:
    """Section id → heading, for the sections found (searched in order; a section may be absent)."""
    found: dict[str, Heading] = {}
    cursor = 0
    for line in doc.lines:
        text = _single_text(line)
        if text is None or len(fold(text)) > _MAX_HEADING or cursor >= len(spec.sections):
            continue
        for k in range(cursor, len(spec.sections)):
            if heading_matches(text, ORDINALS[k], spec.sections[k].title):
                section = spec.sections[k]
                found[section.id] = Heading(section.id, line.index, text, line.where)
                cursor = k + 1
                break
    return found


def section_texts(doc: Document, spec: ReportSpec, headings: dict[str, Heading], organ: str = ""
                  ) -> dict[str, TextValue]:
    """The narrative sections (一, 五, 六): the paragraphs after each heading, up to the next heading.

    The last section loses the closing signature (``organ`` and the date) and any site chrome after it.
    """
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
                paragraphs.append(without_chrome(line.text.strip()))
        texts[section.id] = TextValue(section.id, "\n".join(without_signature(paragraphs, organ)),
                                      Location(doc.name, heading.where))
    return texts


SIGNATURE_AT_MOST = 40
"""A signature line (the organ's name above the date) is short and is not a sentence."""
_DATE_AT_END = re.compile(r"\s*(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_ORGAN_AT_END = re.compile(r"(?<=[。！？!?；;])\s*[^。！？!?；;，,]{2,40}$")


def without_signature(paragraphs: list[str], organ: str = "") -> list[str]:
    """The paragraphs without a closing signature: a date (成文日期) ending the text, and the organ's name
    just before it (on its own short line, or after the last sentence of a one-line body). Anything else is kept."""
    if not paragraphs:
        return paragraphs
    last = paragraphs[-1]
    date = _DATE_AT_END.search(last)
    if date is None:
        return paragraphs
    body = [*paragraphs[:-1], last[: date.start()].rstrip()] if date.start() > 0 else paragraphs[:-1]
    if not body:
        return body
    tail = body[-1]
    if organ and tail.endswith(organ):
        body[-1] = tail[: -len(organ)].rstrip()
    elif (m := _ORGAN_AT_END.search(tail)) is not None:
        body[-1] = tail[: m.start()].rstrip()
    elif len(body) > 1 and len(tail) <= SIGNATURE_AT_MOST and not fold(tail).endswith(_TERMINAL):
        body = body[:-1]
    return [p for p in body if p]


def looks_cut(doc: Document) -> bool:
    """Whether the text ends in the middle of the report (an archive that kept only the page's beginning).

    A complete report ends with a sentence, a date or a signature line; a cut one ends inside a table or a
    sentence. Trailing site chrome is ignored; a missing final newline says nothing.
    """
    lines = [line for line in doc.lines if line.text.strip() and not is_chrome(line.text)]
    if not lines:
        return False
    last = lines[-1]
    if last.row or any(not t.terminated for t in last.tokens):
        return True
    if all(t.kind in (Kind.VALUE, Kind.RUN) for t in last.tokens):
        return True
    text = fold(without_chrome(last.text))
    return not (text.endswith(_TERMINAL) or _DATE.search(text))
