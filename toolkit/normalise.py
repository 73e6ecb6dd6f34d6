"""Turn what clerks really type into numbers: one pure function per cell, shared by the reader and the importer.

:func:`normalise` never rejects a number for its kind (a negative count, 2.5 in a count column): it reports
*how* the raw content was read; the rule engine judges whether the number is allowed.

==========================================  ============  ==================================================
raw                                         status        note
==========================================  ============  ==================================================
``None``, ``""``, only spaces               BLANK
"/", "／", "-", "－", "—", "——", "无" …     PLACEHOLDER
5, 5.0, -3, 2.5 (numbers)                   OK            (5.0 → 5; floats stay floats when not whole)
"#REF!", "#VALUE!", "#DIV/0!", "#N/A" …     EXCEL_ERROR
"12"                                        NORMALISED    文本格式的数字
" 12 "                                      NORMALISED    去掉空格、文本格式的数字
"１２"                                      NORMALISED    全角数字
"3件", "3 项", "3个", "2起"                 NORMALISED    去掉单位“件”
"1,234", "1，234"                           NORMALISED    去掉千位分隔符
"+1"                                        NORMALISED    去掉正号
"1.5万元" (amount)                          NORMALISED    去掉单位“万元”
"12000元" (amount)                          NORMALISED    单位为元 (number kept; a rule flags the unit)
a date/time-formatted number                NORMALISED    单元格为日期格式，已按数值读取
"若干", "三件", "3万元" (count), TRUE       INVALID
123456789012345678 (over ``MAX_MAGNITUDE``)  OUT_OF_RANGE
==========================================  ============  ==================================================

Sums are exact (:func:`exact_sum`): integers stay integers, and amounts with decimals are added as ``Decimal``
of what the cell shows, so 0.1 + 0.2 is 0.3 and no floating-point remainder ever becomes a "相差" finding.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable

from toolkit.data import Number, ValueStatus
from toolkit.lazy import pattern
from toolkit.messages import msg
from toolkit.spec.models import ValueKind

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    import datetime as dt
    from typing import Any

PLACEHOLDERS = frozenset({"/", "／", "\\", "＼", "-", "－", "--", "—", "——", "–", "―", "无", "暂无", "空"})
"""Texts that stand for "nothing here" (a placeholder, not a zero)."""

EXCEL_ERRORS = frozenset(
    {"#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)
"""Excel's error values, as a cell shows them."""

COUNT_UNITS = ("件", "项", "个", "条", "宗", "起", "次")
"""Units clerks append to counts."""

AMOUNT_UNITS = ("万元", "元")
"""Units clerks append to amounts (万元 is the format's unit; 元 is kept but noted)."""

MAX_MAGNITUDE = 999_999_999
"""The largest count or amount (万元) a report can hold; anything beyond is a paste error, never a sum's part
(a float over 2**53 is not even exact)."""

_BLANKS = " \t\r\n\u3000\xa0\u200b\ufeff"
_FULLWIDTH = str.maketrans("０１２３４５６７８９．＋－", "0123456789.+-")
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-"})
_NUMBER = pattern(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED = pattern(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_UNIT = pattern(r"(.*?)\s*(万元|元|件|项|个|条|宗|起|次)")

_NOTE_FULLWIDTH = msg("values.note.fullwidth")
_NOTE_THOUSANDS = msg("values.note.thousands")
_NOTE_TEXT = msg("values.note.text")
_NOTE_PLUS = msg("values.note.plus")
_NOTE_SPACES = msg("values.note.spaces")
_NOTE_YUAN = msg("values.note.yuan")
_NOTE_DATE = msg("values.note.date")
_SEP = "、"


def _tidy(x: float) -> Number:
    """5.0 → 5; other floats unchanged."""
    return int(x) if x.is_integer() else x


def _date_like(raw: object) -> bool:
    """Whether ``raw`` is a date, time or duration. Only a module that imported :mod:`datetime` can have made one
    (calamine imports it to return a date-formatted cell), so a check whose cells hold none never imports it."""
    dt = sys.modules.get("datetime")
    return dt is not None and isinstance(raw, dt.date | dt.time | dt.timedelta)


def _serial(value: dt.date | dt.datetime | dt.time | dt.timedelta) -> float:
    """The Excel serial number behind a date/time-formatted cell (inverse of calamine's conversion)."""
    import datetime as dt

    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    day = value.date() if isinstance(value, dt.datetime) else value
    days = float((day - dt.date(1899, 12, 31)).days + (1 if day >= dt.date(1900, 3, 1) else 0))  # Excel's leap bug
    if isinstance(value, dt.datetime):
        days += (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return days


_OK, _OUT_OF_RANGE, _INVALID = ValueStatus.OK, ValueStatus.OUT_OF_RANGE, ValueStatus.INVALID


def normalise(raw: object, kind: ValueKind) -> tuple[Number | None, ValueStatus, str]:
    """``(value, status, note)`` for a cell's raw content; see the module table. Pure and fast."""
    if type(raw) is float:  # what calamine gives for every number: the common case, first and in line
        if raw.is_integer():
            return (int(raw), _OK, "") if -MAX_MAGNITUDE <= raw <= MAX_MAGNITUDE else (None, _OUT_OF_RANGE, "")
        return _ranged(raw, _OK, "") if math.isfinite(raw) else (None, _INVALID, "")
    if raw is None:
        return None, ValueStatus.BLANK, ""
    if isinstance(raw, bool):
        return None, ValueStatus.INVALID, ""
    if isinstance(raw, int):
        return _ranged(raw, ValueStatus.OK, "")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None, ValueStatus.INVALID, ""
        return _ranged(_tidy(raw), ValueStatus.OK, "")
    if isinstance(raw, str):
        return _from_text(raw, kind)
    if _date_like(raw):
        return _tidy(_serial(raw)), ValueStatus.NORMALISED, _NOTE_DATE  # type: ignore[arg-type]  # _date_like
    return None, ValueStatus.INVALID, ""


def _from_text(raw: str, kind: ValueKind) -> tuple[Number | None, ValueStatus, str]:
    text = raw.strip(_BLANKS)
    if not text:
        return None, ValueStatus.BLANK, ""
    if text in PLACEHOLDERS:
        return None, ValueStatus.PLACEHOLDER, ""
    if text.upper() in EXCEL_ERRORS:
        return None, ValueStatus.EXCEL_ERROR, ""
    notes: list[str] = []
    if text != raw:
        notes.append(_NOTE_SPACES)
    ascii_text = text.translate(_FULLWIDTH)
    if ascii_text != text:
        notes.append(_NOTE_FULLWIDTH)
    text = ascii_text.translate(_MINUS).replace("，", ",")
    unit_match = _UNIT.fullmatch(text)
    if unit_match:
        text, unit = unit_match.group(1), unit_match.group(2)
        allowed = AMOUNT_UNITS if kind is ValueKind.AMOUNT else COUNT_UNITS
        if unit not in allowed or not text:
            return None, ValueStatus.INVALID, ""
        notes.append(_NOTE_YUAN if unit == "元" else msg("values.note.unit", unit=unit))
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
        notes.append(_NOTE_THOUSANDS)
    if not _NUMBER.fullmatch(text):
        return None, ValueStatus.INVALID, ""
    if text.startswith("+"):
        notes.append(_NOTE_PLUS)
    number = float(text)
    if not math.isfinite(number):  # "9" * 400 overflows to inf
        return None, ValueStatus.INVALID, ""
    value = _tidy(number)
    if not notes or notes == [_NOTE_SPACES]:
        notes.append(_NOTE_TEXT)
    return _ranged(value, ValueStatus.NORMALISED, _SEP.join(notes))


def _ranged(value: Number, status: ValueStatus, note: str) -> tuple[Number | None, ValueStatus, str]:
    """``value`` as read, or OUT_OF_RANGE when no count or amount can be that large."""
    if abs(value) > MAX_MAGNITUDE:
        return None, ValueStatus.OUT_OF_RANGE, note
    return value, status, note


def exact_sum(values: Iterable[Number]) -> Number:
    """The exact sum: integers as integers; with any non-whole amount, added as ``Decimal`` of its shortest
    repr (what the cell shows) and returned as the nearest float (an int when whole)."""
    items = list(values)
    if all(isinstance(v, int) for v in items):
        return sum(items)
    from decimal import Decimal  # only for amounts with decimals: a count-only report never imports it

    total = sum((Decimal(repr(v)) if isinstance(v, float) else Decimal(v) for v in items), Decimal(0))
    return int(total) if total == total.to_integral_value() else float(total)


_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_YEAR = pattern(r"(\d{4})(?:\.0+)?\s*(?:年度?)?")


def parse_year(raw: object) -> int | None:
    """A report year from a cell: 2026, 2026.0, "2026", "２０２６", "2026年", "2026年度", "二〇二六年"; else None.

    Only years 1900–2199 count; a date-formatted 2026 (shown as 1905-07-18) is read back as 2026.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    dt = sys.modules.get("datetime")  # as in _date_like: no date without the module
    if dt is not None and isinstance(raw, dt.date | dt.timedelta):
        raw = _serial(raw)
    if isinstance(raw, int | float):
        year = raw if isinstance(raw, int) else (int(raw) if math.isfinite(raw) and raw.is_integer() else None)
        return year if year is not None and 1900 <= year <= 2199 else None
    if not isinstance(raw, str):
        return None
    text = raw.strip(_BLANKS).translate(_FULLWIDTH).translate(_CN_DIGITS)
    match = _YEAR.fullmatch(text)
    if not match:
        return None
    year = int(match.group(1))
    return year if 1900 <= year <= 2199 else None


def fmt_number(value: Any) -> str:
    """A number as a clerk writes it: 12, -3, 0.35 (no trailing zeros, no exponent); other values as str."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)
