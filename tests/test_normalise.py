"""What clerks type becomes a number, a placeholder, a blank, an Excel error or invalid — with a note saying how."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.data import ValueStatus
from toolkit.normalise import EXCEL_ERRORS, normalise, parse_year
from toolkit.spec.models import ValueKind

COUNT, SIGNED, AMOUNT = ValueKind.COUNT, ValueKind.SIGNED_COUNT, ValueKind.AMOUNT
OK, NORM, BLANK, PH = ValueStatus.OK, ValueStatus.NORMALISED, ValueStatus.BLANK, ValueStatus.PLACEHOLDER
INVALID, ERROR = ValueStatus.INVALID, ValueStatus.EXCEL_ERROR


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "\n"])
def test_empty_is_blank(raw: object) -> None:
    """None, the empty string and whitespace only are BLANK, with no value."""
    assert normalise(raw, COUNT) == (None, BLANK, "")


@pytest.mark.parametrize("raw", ["/", "／", "-", "－", "—", "——", "无", " / "])
def test_placeholders(raw: str) -> None:
    """Slashes, dashes and 无 are placeholders, not zeros."""
    assert normalise(raw, COUNT) == (None, PH, "")


@pytest.mark.parametrize(("raw", "value"), [(5, 5), (5.0, 5), (0.0, 0), (2.5, 2.5), (-3.0, -3), (12.25, 12.25)])
def test_numbers_are_ok(raw: object, value: object) -> None:
    """Numbers are OK; whole floats (calamine's 5.0) become ints, other floats stay."""
    got, status, note = normalise(raw, COUNT)
    assert (got, status, note) == (value, OK, "")
    assert type(got) is type(value)


def test_negative_and_fractional_counts_are_not_rejected_here() -> None:
    """A negative count or 2.5 in a count column is returned as a number; the rules judge the kind."""
    assert normalise(-1, COUNT)[:2] == (-1, OK)
    assert normalise("2.5", COUNT)[:2] == (2.5, NORM)


@pytest.mark.parametrize(
    ("raw", "kind", "value", "note"),
    [
        ("12", COUNT, 12, "文本格式的数字"),
        (" 12 ", COUNT, 12, "去掉空格、文本格式的数字"),
        ("１２", COUNT, 12, "全角数字"),
        ("3件", COUNT, 3, "去掉单位“件”"),
        ("3 件", COUNT, 3, "去掉单位“件”"),
        ("3项", COUNT, 3, "去掉单位“项”"),
        ("3个", COUNT, 3, "去掉单位“个”"),
        ("2起", COUNT, 2, "去掉单位“起”"),
        ("1,234", COUNT, 1234, "去掉千位分隔符"),
        ("1，234", COUNT, 1234, "去掉千位分隔符"),
        ("１，２３４件", COUNT, 1234, "全角数字、去掉单位“件”、去掉千位分隔符"),
        ("+1", SIGNED, 1, "去掉正号"),
        ("-2", SIGNED, -2, "文本格式的数字"),
        ("－2", SIGNED, -2, "全角数字"),
        ("1.5万元", AMOUNT, 1.5, "去掉单位“万元”"),
        ("0.35", AMOUNT, 0.35, "文本格式的数字"),
    ],
)
def test_normalised_text(raw: str, kind: ValueKind, value: object, note: str) -> None:
    """Numeric text is read, and the note names every normalisation applied."""
    assert normalise(raw, kind) == (value, NORM, note)


def test_amount_in_yuan_is_kept_but_noted() -> None:
    """An amount written in 元 keeps its number; the note says 单位为元 so a rule can flag the unit."""
    value, status, note = normalise("12000元", AMOUNT)
    assert (value, status) == (12000, NORM)
    assert "单位为元" in note
    assert "元" in note.replace("万元", "")


@pytest.mark.parametrize("raw", sorted(EXCEL_ERRORS))
def test_excel_errors(raw: str) -> None:
    """Excel's error values are EXCEL_ERROR, whatever their case."""
    assert normalise(raw, COUNT) == (None, ERROR, "")
    assert normalise(raw.lower(), COUNT)[1] is ERROR


@pytest.mark.parametrize("raw", ["若干", "三件", "3万元", "件", "1,2", "3%", "约3", "(3)", True, False, float("nan"),
                                 float("inf"), b"3", [3]])
def test_invalid(raw: object) -> None:
    """Words, Chinese numerals, a count in 万元, booleans and other objects are INVALID."""
    assert normalise(raw, COUNT) == (None, INVALID, "")


def test_date_formatted_number_is_read_back() -> None:
    """A number shown as a date (calamine returns a date) is read as the serial number it stores."""
    assert normalise(dt.date(1900, 1, 5), COUNT) == (5, NORM, "单元格为日期格式，已按数值读取")
    assert normalise(dt.date(2024, 1, 2), COUNT)[0] == 45293
    assert normalise(dt.datetime(2024, 1, 2, 12), AMOUNT)[0] == 45293.5


@given(st.integers(min_value=-999_999_999, max_value=999_999_999))
def test_any_integer_text_round_trips(n: int) -> None:
    """Every integer written as text, full-width, with 件 or with thousands separators reads back as itself."""
    full = str(n).translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    for text in (str(n), f"{n}件", full, f"{n:,}"):
        value, status, _ = normalise(text, SIGNED)
        assert (value, status) == (n, NORM), text


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-999_999_999, max_value=999_999_999))
def test_any_float_is_ok(x: float) -> None:
    """Every finite float is OK and keeps its value."""
    value, status, _ = normalise(x, AMOUNT)
    assert status is OK and value == x


@pytest.mark.parametrize(
    ("raw", "year"),
    [(2026, 2026), (2026.0, 2026), ("2026", 2026), ("２０２６", 2026), ("2026年", 2026), (" 2026年度 ", 2026),
     ("二〇二六年", 2026), ("2026.0", 2026), (dt.date(1905, 7, 18), 2026)],
)
def test_parse_year(raw: object, year: int) -> None:
    """Years typed as numbers, text, full-width, with 年/年度, in Chinese numerals or date-formatted are read."""
    assert parse_year(raw) == year


@pytest.mark.parametrize("raw", [None, "", "26", "2026年1月", "明年", 1800, 2026.5, True, "12345"])
def test_parse_year_rejects(raw: object) -> None:
    """Anything that is not a four-digit year 1900–2199 gives None."""
    assert parse_year(raw) is None


class _Float(float):
    """A float subclass: normalise takes its general path, not the shortcut for calamine's plain floats."""


@given(st.floats())
def test_a_float_reads_the_same_by_the_shortcut_and_the_general_path(x: float) -> None:
    """Plain floats (every number calamine gives) take a shortcut; it gives what the general path gives: whole
    floats as ints, past MAX_MAGNITUDE out of range, nan and inf invalid."""
    from toolkit.normalise import MAX_MAGNITUDE

    got = normalise(x, AMOUNT)
    assert got == normalise(_Float(x), AMOUNT)
    if x != x or x in (float("inf"), float("-inf")):
        assert got == (None, INVALID, "")
    elif abs(x) > MAX_MAGNITUDE:
        assert got == (None, ValueStatus.OUT_OF_RANGE, "")
    else:
        assert got[1] is OK and got[0] == x and type(got[0]) is (int if x.is_integer() else float)
