"""The one label matcher: how printed text is compared with the official labels, titles and headings.

Workbooks laid out by hand (:mod:`toolkit.workbook.by_labels`) and published reports (:mod:`toolkit.importer`) print
the official labels with differences that do not change their meaning. Both readers compare through this module:

* :func:`fold` — NFKC (full-width → ASCII), traditional → simplified for the characters of the official text,
  no whitespace (spaces and U+3000 inside labels, line breaks, ``<br/>``), no quotes, lower case;
* :func:`core` — :func:`fold` without the item number (一、 （一） 1.), bracketed notes (（区分处理的…） 【注1】
  〔…〕) and punctuation or symbols (＊, ／, 、): the words of a label;
* :func:`similar` — the small differences real reports make (对外公开总数 for 对外公开总数量, 规范性文件 for
  行政规范性文件, a typo such as 行政法复议);
* :class:`Folded` — a long text folded once with a map back to the original characters, so a label can be found
  *inside* a line (a whole report body printed as one line) and its span reported in the source's terms;
* :func:`format_markers` / :func:`score_formats` — the labels only one format generation prints, from the format
  files, to tell 2019 tables from 2021 tables by what a document shows;
* :func:`parse_title` — the report title (南口镇2020年政府信息公开工作年度报告, 2024年度…报告, …关于报送…报告的函).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from toolkit.lazy import pattern
from toolkit.record import record

# Traditional → simplified, for the characters of the official labels, section titles and common organ names
# (pairs: traditional, simplified). Only matching uses it; narrative text is kept as printed.
TRADITIONAL_PAIRS = (
    "萬万與与業业為为舉举於于會会體体關关決决況况減减務务動动區区單单發发後后復复複复處处審审對对屬属"
    "執执護护報报據据數数無无機机權权條条構构現现確确穩稳類类糾纠納纳組组織织經经結结繼继續续維维繳缴"
    "罰罚獲获補补規规計计認认議议許许訟讼訪访訴诉詢询請请購购費费轉转過过這这進进採采問问題题額额項项"
    "華华欄栏簡简瀏浏覽览製制廢废開开強强總总還还統统國国當当範范層层實实際际盡尽責责辦办見见網网頁页級级縣县鎮镇鄉乡廳厅門门戶户"
    "編编號号電电話话郵邮聯联係系繫系員员漢汉態态環环資资訊讯時时間间書书從从們们個个來来說说設设備备"
    "將将並并傳传遞递節节導导監监協协調调標标準准則则記记錄录歸归檔档嚴严貫贯徹彻領领質质績绩評评價价"
    "獎奖懲惩濟济財财預预稅税產产農农漁渔醫医療疗藥药衛卫養养險险應应災灾營营貿贸運运輸输劃划徵征遷迁"
    "償偿氣气雲云臺台灣湾內内歲岁裡里裏里麼么專专觀观點点東东廣广蘇苏閩闽贛赣歷历屆届"
)
_TRADITIONAL = str.maketrans(dict(zip(TRADITIONAL_PAIRS[0::2], TRADITIONAL_PAIRS[1::2], strict=True)))
_QUOTES = frozenset("“”‘’\"'「」『』")
# The patterns are compiled on first use: a check folds labels (:func:`words`) but never needs them.
_ENUMERATOR = pattern(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.,]"
                      r"|\([一二三四五六七八九十\d]+\)[、.,]?|\d+[、.,)](?!\d)|[一二三四五六七八九十]+是)")
_BRACKETED = pattern(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>")

SIMILAR_AT_LEAST = 0.8
"""Similarity (difflib ratio of the cores) from which two labels are taken as the same."""


def simplified(text: str) -> str:
    """``text`` with the traditional characters of the official labels replaced by their simplified forms."""
    return text.translate(_TRADITIONAL)


def fold_char(ch: str) -> str:
    """One character as :func:`fold` turns it: "" for whitespace and quotes, else its NFKC, simplified form."""
    if ch.isspace() or ch in _QUOTES:
        return ""
    out = unicodedata.normalize("NFKC", ch).translate(_TRADITIONAL).lower()
    return "".join(c for c in out if not c.isspace() and c not in _QUOTES)


def fold(text: str) -> str:
    """The form labels are compared in: NFKC (full-width → ASCII), simplified, no whitespace or quotes, lower case."""
    folded = simplified(unicodedata.normalize("NFKC", text)).lower()
    return "".join(ch for ch in "".join(folded.split()) if ch not in _QUOTES)


def is_word(ch: str) -> bool:
    """Whether a folded character is part of a label's words (not punctuation, a symbol or a space)."""
    return unicodedata.category(ch)[0] not in "PSZ"


def strip_enumerator(folded: str) -> str:
    """A folded label without its leading item number (一、 (一) 1. 第一部分 一是)."""
    return _ENUMERATOR.sub("", folded, count=1)


def core(text: str) -> str:
    """The words of a label: :func:`fold` without the item number, bracketed notes, punctuation and symbols."""
    folded = strip_enumerator(fold(text))
    previous = None
    while previous != folded:
        previous, folded = folded, _BRACKETED.sub("", folded)
    return "".join(ch for ch in folded if is_word(ch))


def words(text: str) -> str:
    """:func:`fold` without punctuation and symbols, bracketed notes kept (for finding a label inside a text)."""
    return "".join(ch for ch in fold(text) if is_word(ch))


def similar(found: str, official: str) -> bool:
    """Whether two label cores differ only as real reports vary them (a dropped or added word or two)."""
    if found == official:
        return True
    if min(len(found), len(official)) < 3:
        return False
    if found in official or official in found:
        return min(len(found), len(official)) / max(len(found), len(official)) >= 0.6
    return ratio(found, official) >= SIMILAR_AT_LEAST


def ratio(a: str, b: str) -> float:
    """difflib's similarity ratio of two strings (0 … 1), with its cheap upper bounds tried first."""
    import difflib  # a check compares no labels: difflib only where a layout is matched by hand

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR_AT_LEAST / 2:
        return matcher.real_quick_ratio()
    return matcher.ratio()


def compatible(found: str, official: str) -> bool:
    """Whether a header cell can be the official column (lenient: archives cut long header cells short)."""
    return similar(found, official) or (len(found) >= 2 and (official.startswith(found) or found.startswith(official)))


@record(frozen=True)
class Folded:
    """A text in :func:`words` form with, for every folded character, the index of the source character.

    ``Folded(text).find(words("规章"), start)`` finds a label inside a long line whatever spaces, U+3000,
    full-width forms or punctuation the line puts inside it; :meth:`span` maps a folded range back to the source.
    """

    source: str
    """The text as printed."""
    text: str
    """Its folded words."""
    origin: tuple[int, ...]
    """``origin[i]``: index in ``source`` of the character that folded to ``text[i]``."""

    @classmethod
    def of(cls, source: str) -> Folded:
        """Fold ``source`` keeping the map back (punctuation, symbols, spaces and quotes dropped)."""
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(source):
            for out in fold_char(ch):
                if is_word(out):
                    chars.append(out)
                    origin.append(i)
        return cls(source, "".join(chars), tuple(origin))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source range [a, b) of folded range [start, end) (end exclusive; empty ranges map to a point)."""
        if start >= len(self.origin):
            return len(self.source), len(self.source)
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


# --- format generations told by their labels -----------------------------------------------------------------

@functools.cache
def format_markers() -> dict[str, frozenset[str]]:
    """Format id → the cores of the 二/三 labels (rows, columns, captions) that only that format prints."""
    from toolkit.spec.load import available_formats, load_spec

    labels: dict[str, set[str]] = {}
    for fid in available_formats():
        spec = load_spec(fid)
        found: set[str] = set()
        for tid in (*spec.section("s2").tables, *spec.section("s3").tables):
            table = spec.table(tid)
            found.update(core(c.label) for c in table.columns)
            found.update(core(r.label) for r in table.rows if r.label)
            found.update(core(a) for r in table.rows for a in r.aliases)
            if table.caption:
                found.add(core(table.caption))
        labels[fid] = found
    return {fid: frozenset(found - set().union(*(v for k, v in labels.items() if k != fid)) - {""})
            for fid, found in labels.items()}


def score_formats(seen: Iterable[str]) -> dict[str, int]:
    """Format id → how many of its own labels (:func:`format_markers`) occur among the label cores ``seen``."""
    present = set(seen)
    return {fid: len(markers & present) for fid, markers in format_markers().items()}


def leading_format(scores: dict[str, int]) -> str | None:
    """The format with the single highest non-zero score, None on a tie or when nothing was seen."""
    best = max(scores.values(), default=0)
    leaders = [fid for fid, score in scores.items() if score == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else None


# --- titles --------------------------------------------------------------------------------------------------

_NAME = r"[^\d,.;:!?，。；：！？《》“”<>]{2,40}?"
_REPORT = r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告"
_TITLES = (
    # …关于报送2020年度政府信息公开工作年度报告的函: the sender is the organ
    pattern(rf"^(?:标题:)?(?P<organ>{_NAME})关于(?:报送|印发|公布|上报)?(?P<year>(?:19|20)\d\d)年度?{_REPORT}的(?:函|通知|报告)"),
    pattern(rf"^(?:标题:)?(?P<organ>{_NAME})(?P<year>(?:19|20)\d\d)年度?{_REPORT}$"),
    pattern(rf"^(?:标题:)?(?P<year>(?:19|20)\d\d)年度?(?P<organ>{_NAME}){_REPORT}"),
)
COVER_LETTER = pattern(rf"关于(?:报送|印发|公布|上报)?(?:19|20)\d\d年度?{_REPORT}的(?:函|通知)")
"""A 函 or 通知 that carries the report (its title names the report)."""


def plain(text: str) -> str:
    """NFKC, simplified, no whitespace: the form titles and sentences are matched in (punctuation kept)."""
    return "".join(simplified(unicodedata.normalize("NFKC", text)).split())


def parse_title(text: str) -> tuple[str, int] | None:
    """(organ, year) when ``text`` (already :func:`plain`) is a report title or a cover letter's title."""
    for title in _TITLES:
        m = title.match(text)
        organ = m.group("organ").removesuffix("关于").strip() if m else ""
        if m and organ:
            return organ, int(m.group("year"))
    return None
