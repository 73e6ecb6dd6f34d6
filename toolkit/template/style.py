"""How the standard workbook looks: cell styles, sheet setup, and the small helpers for references and sizes."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

from toolkit.spec.models import ValueKind

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

FONT = "宋体"
"""On every Chinese Windows; LibreOffice substitutes a CJK serif elsewhere."""

STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter", "text_wrap": True},
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
    "s2": {"landscape": False, "widths": [22, 16, 16, 16, 16], "freeze": False},
    "s3": {"landscape": True, "widths": [5, 12, 38, 9, 9, 9, 9, 9, 9, 9], "freeze": True},
    "s4": {"landscape": True, "widths": [8] * 15, "freeze": True},
}
"""Print and screen setup per table sheet (presentation only; what is drawn comes from the spec).

Every sheet prints one page wide on A4 by an explicit scale (:func:`print_scale`), not fit-to-width, which
LibreOffice ignores on some sheets."""


def print_scale(widths: Iterable[float], *, landscape: bool) -> int:
    """The print scale (%) at which columns of these widths fit A4 with the template's margins in every application.

    Measured: LibreOffice without the workbook's font (宋体, absent on Linux) draws a width unit as 7 pt, Excel and
    Gnumeric as 5.25 pt. Sheets that run to several pages are made narrow enough for 100%: Gnumeric paginates a
    scaled sheet whose rows have set heights as if unscaled and loses the rows that fall off each page.
    """
    total = sum(w + 0.71 for w in widths)  # stored with Excel's padding
    return max(10, min(100, math.floor(100 * (770 if landscape else 523) / (7.0 * total))))


def page_height(*, landscape: bool) -> float:
    """Points of rows one A4 page holds at 100 % with the template's margins (0.6 in), the footer line taken off
    and a margin kept (Gnumeric needs more than LibreOffice and Excel)."""
    return 0.92 * ((595 if landscape else 842) - 2 * 0.6 * 72 - 12)


def fit_height(points: float, *, landscape: bool) -> int:
    """The print scale (%, at most 100, at least 60) at which rows ``points`` tall fit one A4 page."""
    return max(60, min(100, math.floor(100 * page_height(landscape=landscape) / points)))


def kept_together(blocks: Sequence[tuple[int, float]], capacity: float) -> list[int]:
    """The rows before which a page must break so that no block is split: ``blocks`` are (first row, height in
    points) in order, each printed whole on one page when it fits on one (a section's title, its guidance and
    its text box). A block taller than a page starts a page of its own and the application breaks it."""
    breaks: list[int] = []
    used = 0.0
    for row, height in blocks:
        if used and used + height > capacity:
            breaks.append(row)
            used = 0.0
        used += height
    return breaks


def page_breaks(heights: Sequence[float], capacity: float) -> list[int]:
    """The rows that start a new page when rows of these ``heights`` (points, from row 0) are laid on pages
    holding ``capacity`` points each, as an application breaks a sheet by itself (a row never splits)."""
    breaks: list[int] = []
    used = 0.0
    for row, height in enumerate(heights):
        if used and used + height > capacity:
            breaks.append(row)
            used = 0.0
        used += height
    return breaks


def width_of(text: str) -> float:
    """Display width in Excel character units: a CJK character (11 pt) counts 2.2 (2.1 in Excel and Gnumeric)."""
    return sum(2.2 if ord(ch) > 0x2E7F else 1 for ch in text)


def room(width: float) -> float:
    """The text width a column ``width`` units wide holds on one line (its padding taken off)."""
    return max(width - 0.2, 1)


def lines_of(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide."""
    return sum(max(1, math.ceil(width_of(part) / room(width))) for part in text.split("\n"))


def break_at_words(text: str, width: float) -> str:
    """``text`` with line breaks where a column ``width`` units wide must wrap it, placed between words.

    Applications wrap CJK text at any character and each measures it differently ("社会公益组/织"); explicit breaks
    put the same lines on every screen and page. Words: two-character pairs from the start of each CJK run (most
    terms are pairs: 社会|公益|组织), an opening bracket starts a word, punctuation ends one, Latin runs stay whole.
    """
    line = room(width)
    if "\n" in text or width_of(text) <= line:
        return text
    words: list[str] = []
    run, ended = 0, True  # CJK characters in the current run; whether the last word is closed
    for ch in text:
        cjk = ord(ch) > 0x2E7F and ch not in _OPENING + _CLOSING
        if ch in _CLOSING and words:
            words[-1] += ch
            run, ended = 0, True
        elif ch in _OPENING:
            words.append(ch)
            run, ended = 0, False
        elif words and not ended and all(c in _OPENING for c in words[-1]):
            words[-1] += ch
            run = 1 if cjk else 0
        elif cjk:
            if ended or run % 2 == 0:
                words.append(ch)
            else:
                words[-1] += ch
            run, ended = run + 1, False
        else:
            if ended or run:
                words.append(ch)
            else:
                words[-1] += ch
            run, ended = 0, False
    lines = [""]
    for word in words:
        if lines[-1] and width_of(lines[-1] + word) > line:
            lines.append(word)
        else:
            lines[-1] += word
    return "\n".join(lines)


_OPENING, _CLOSING = "（《“〔【(", "）》”〕】)，、：；。,:;"


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
