"""Text folding for matching what a published page prints against the official labels.

Pages differ from the official text in ways that do not change the meaning: full-width vs ASCII punctuation
(archives convert it), line breaks and spaces inside a cell, traditional characters on mirror sites, notes in
brackets after a label (湖北's 规章（设区的市…）), and the item number (一、 （一） 1.). :func:`fold` removes the
first three, :func:`core` all of them; :func:`similar` accepts the small differences real reports make
(对外公开总数 for 对外公开总数量, 规范性文件 for 行政规范性文件).
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from toolkit.values import PLACEHOLDERS

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

_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")
_ENUMERATOR = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.,]|\([一二三四五六七八九十\d]+\)[、.,]?|\d+[、.,])"
)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_VALUE = re.compile(
    r"^[+\-]?\d+(?:,\d{3})*(?:\.\d+)?(?:件|个|项|条|次|宗|起|家|万元|元)?$|^[+\-]?\.\d+$"
)


def simplified(text: str) -> str:
    """``text`` with the traditional characters of the official labels replaced by their simplified forms."""
    return text.translate(_TRADITIONAL)


def fold(text: str) -> str:
    """The form labels are compared in: NFKC (full-width → ASCII), simplified, no whitespace, no quotes."""
    folded = simplified(unicodedata.normalize("NFKC", text)).translate(_QUOTES)
    return "".join(folded.split())


def core(text: str) -> str:
    """The words of a label: :func:`fold` without the item number, bracketed notes and punctuation."""
    folded = _ENUMERATOR.sub("", fold(text), count=1)
    previous = None
    while previous != folded:
        previous, folded = folded, _BRACKETED.sub("", folded)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZ")


def similar(found: str, official: str) -> bool:
    """Whether two label cores differ only as real reports vary them (a dropped or added word or two)."""
    if found == official:
        return True
    if min(len(found), len(official)) < 3:
        return False
    if found in official or official in found:
        return min(len(found), len(official)) / max(len(found), len(official)) >= 0.6
    return difflib.SequenceMatcher(None, found, official).ratio() >= 0.8


def compatible(found: str, official: str) -> bool:
    """Whether a header cell can be the official column (lenient: archives cut long header cells short)."""
    return similar(found, official) or (len(found) >= 2 and (official.startswith(found) or found.startswith(official)))


def is_value(text: str) -> bool:
    """Whether a cell's text is a number (possibly with 件/万元, thousands separators, a sign) or a placeholder."""
    folded = fold(text)
    return bool(_VALUE.match(folded)) or folded in PLACEHOLDERS or text.strip() in PLACEHOLDERS
