"""Writing the desk's tables safely: into their own sheet of 校验汇总.xlsx (the other sheets kept), as plain text.

Every string comes from a unit and is untrusted: it is written as a string cell (never a formula, even when it
starts with =), with control characters removed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MAX_CELL = 32_000
"""Excel's cell limit is 32,767 characters."""


def printable(text: object) -> str:
    """``text`` as a string without control or format characters (no terminal escapes, no bidi tricks)."""
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in str(text))


def put_cell(ws: Any, row: int, column: int, value: object) -> Any:
    """Write ``value`` at (row, column): numbers as numbers, everything else as a plain string cell."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, bool) or value is None:
        cell.value = "" if value is None else ("是" if value else "否")
    elif isinstance(value, int | float):
        cell.value = value
    else:
        cell.value = printable(value)[:MAX_CELL]
        cell.data_type = "s"
    return cell


def fill_sheet(ws: Any, header: Sequence[str], rows: Sequence[Sequence[object]],
               widths: Sequence[int] = ()) -> None:
    """A header (bold, grey, frozen, filtered) and the rows below it."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for c, name in enumerate(header, start=1):
        cell = put_cell(ws, 1, c, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            put_cell(ws, r, c, value).alignment = Alignment(wrap_text=True, vertical="top")
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


def put_sheet(workbook: Path, title: str, header: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[int] = ()) -> Path:
    """Replace (or add) sheet ``title`` of ``workbook`` (created when missing), other sheets kept; atomic."""
    from openpyxl import Workbook, load_workbook

    from toolkit.fileio import write_atomic

    workbook = Path(workbook)
    if workbook.exists():
        wb = load_workbook(workbook)
        if title in wb.sheetnames:
            index = wb.sheetnames.index(title)
            del wb[title]
            ws = wb.create_sheet(title, index)
        else:
            ws = wb.create_sheet(title)
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = title
    fill_sheet(ws, header, rows, widths)
    return write_atomic(workbook, wb.save)
