"""A1 addresses, the one home of every conversion between a cell's (row, column) and its text.

Rows and columns are zero-based in code (``(7, 3)``) and one-based in A1 text (``D8``); a reference names a sheet
(``'三 依申请公开'!$D$8``), quoted when it has to be, inner quotes doubled.
"""

from __future__ import annotations

import functools

from toolkit.lazy import pattern

_A1 = pattern(r"([A-Za-z]{1,3})([0-9]{1,7})")
_REFERENCE = pattern(
    r"=?\s*(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!:\s]+))!"
    r"\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>[0-9]{1,7})(?::\$?[A-Za-z]{1,3}\$?[0-9]{1,7})?\s*"
)


def column_number(letters: str | bytes) -> int:
    """"A" → 1, "AA" → 27 (upper or lower case; bytes as they come from sheet XML)."""
    number = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.upper().decode("ascii"):
        number = number * 26 + ord(ch) - 64
    return number


def column_letters(number: int) -> str:
    """1 → "A", 27 → "AA"."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@functools.lru_cache(maxsize=8192)
def split_a1(ref: str) -> tuple[int, int]:
    """"D8" → (7, 3): zero-based row and column."""
    match = _A1.fullmatch(ref)
    if match is None:
        raise ValueError(ref)
    return int(match.group(2)) - 1, column_number(match.group(1)) - 1


def a1(row: int, col: int) -> str:
    """(7, 3) → "D8" (zero-based row and column)."""
    return f"{column_letters(col + 1)}{row + 1}"


def absolute(row: int, col: int) -> str:
    """(4, 3) → "$D$5"."""
    return f"${column_letters(col + 1)}${row + 1}"


def quote(sheet: str) -> str:
    """A sheet name as it appears in a formula: always quoted, inner quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def reference(sheet: str, row: int, col: int) -> str:
    """("三 依申请公开", 7, 3) → "'三 依申请公开'!$D$8", as a defined name refers to a cell."""
    return f"{quote(sheet)}!{absolute(row, col)}"


@functools.lru_cache(maxsize=8192)
def parse_reference(text: str) -> tuple[str, str] | None:
    """``'三 依申请公开'!$D$8`` → ("三 依申请公开", "D8"); a range gives its top-left cell; #REF! and formulas None."""
    match = _REFERENCE.fullmatch(text)
    if match is None:
        return None
    sheet = match.group("quoted").replace("''", "'") if match.group("quoted") else match.group("plain")
    return sheet, f"{match.group('col').upper()}{int(match.group('row'))}"
