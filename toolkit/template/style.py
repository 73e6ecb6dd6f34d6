"""How the standard workbook looks: cell styles, sheet setup, and the small helpers for references and sizes."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from typing import Any

from toolkit.ooxml import a1
from toolkit.spec.models import ValueKind

FONT = "宋体"
"""On every Chinese Windows; LibreOffice substitutes a CJK serif elsewhere."""

STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"},
    "caption": {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#D9D9D9",
                "text_wrap": True},
    "header": {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#D9D9D9",
               "text_wrap": True},
    "note": {"border": 1, "align": "center", "valign": "vcenter", "bg_color": "#D9D9D9", "text_wrap": True,
             "font_size": 9},
    "label": {"border": 1, "valign": "vcenter", "bg_color": "#F2F2F2", "text_wrap": True},
    "input": {"border": 1, "locked": False, "align": "center", "valign": "vcenter", "bg_color": "#FFFFFF"},
    "total": {"border": 1, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#E7E6E6"},
    "text": {"border": 1, "locked": False, "text_wrap": True, "valign": "top", "bg_color": "#FFFFFF"},
    "prompt": {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top", "font_size": 9},
    "plain": {"text_wrap": True, "valign": "top"},
    "bold": {"bold": True},
    "bad": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "warn": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "link": {"font_color": "#0563C1", "underline": 1, "text_wrap": True, "valign": "top"},
}
NUMBER_FORMATS = {ValueKind.COUNT: "0", ValueKind.SIGNED_COUNT: "0", ValueKind.AMOUNT: "0.####"}

SHEET_SETUP: dict[str, dict[str, Any]] = {
    "s2": {"landscape": False, "widths": [30, 22, 22, 22, 22], "freeze": False},
    "s3": {"landscape": True, "widths": [5, 12, 40, 9, 9, 9, 9, 9, 9, 9], "freeze": True},
    "s4": {"landscape": True, "widths": [8.5] * 15, "freeze": True},
}
"""Print and screen setup per table sheet (presentation only; what is drawn comes from the spec)."""


def quote(sheet: str) -> str:
    """A sheet name as it appears in a formula: always quoted, inner quotes doubled."""
    return "'" + sheet.replace("'", "''") + "'"


def absolute(row: int, col: int) -> str:
    """(4, 3) → "$D$5"."""
    ref = a1(row, col)
    letters = ref.rstrip("0123456789")
    return f"${letters}${ref[len(letters):]}"


def width_of(text: str) -> int:
    """Display width in Excel character units: a CJK character counts two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def lines_of(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide."""
    return sum(max(1, math.ceil(width_of(part) / max(width - 1, 1))) for part in text.split("\n"))


def rectangles(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover a set of (row, col) with few rectangles (first_row, first_col, last_row, last_col), top to bottom.

    Runs of adjacent columns in a row are joined, then runs that repeat on consecutive rows.
    """
    by_row: dict[int, list[int]] = {}
    for r, c in cells:
        by_row.setdefault(r, []).append(c)
    open_runs: dict[tuple[int, int], int] = {}
    done: list[tuple[int, int, int, int]] = []
    previous = -2
    for r in sorted(by_row):
        cols = sorted(by_row[r])
        runs, start = [], cols[0]
        for a, b in itertools.pairwise(cols):
            if b != a + 1:
                runs.append((start, a))
                start = b
        runs.append((start, cols[-1]))
        still: dict[tuple[int, int], int] = {}
        for run in runs:
            still[run] = open_runs.pop(run) if run in open_runs and previous == r - 1 else r
        done.extend((top, run[0], previous, run[1]) for run, top in open_runs.items())
        open_runs, previous = still, r
    done.extend((top, run[0], previous, run[1]) for run, top in open_runs.items())
    return sorted(done)


def chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
