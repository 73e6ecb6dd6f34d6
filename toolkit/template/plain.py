"""A worksheet whose plain numbers skip xlsxwriter's per-cell objects (a merge's 各单位明细: a cell per unit and
figure).

xlsxwriter keeps each number as a cell tuple in a dict of dicts and, on ``close``, writes each one through a loop
that looks up its format, its row's and its column's: ~6 µs a number, 1.2 s for 1,000 units of 200 figures.
:class:`PlainSheet` keeps the unformatted numbers of a row as they are and writes them, among the cells xlsxwriter
holds (strings, formatted cells), with the very bytes :meth:`Worksheet.write_number` would give: the same
``<c r=".."><v>..</v></c>`` in column order, the same dimension, spans and rows (a test pins it).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence

from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellNumberTuple

from toolkit.data import Number
from toolkit.template.sheet import Sheet


class PlainSheet(Sheet):
    """A template :class:`~toolkit.template.sheet.Sheet` with :meth:`write_plain_numbers`; every other write is
    xlsxwriter's own."""

    def __init__(self) -> None:
        super().__init__()
        self.plain_numbers: dict[int, list[tuple[int, Number]]] = {}
        """Row → its (column, number) written by :meth:`write_plain_numbers`, columns increasing."""

    def write_plain_numbers(self, row: int, numbers: Sequence[tuple[int, Number]]) -> None:
        """``(column, number)`` pairs of ``row``, columns increasing, none of them also written another way: each
        as ``write_number(row, column, number)`` without a format. A number xlsxwriter would refuse (NaN,
        infinity) or place nowhere (off the sheet) goes through ``write_number`` itself."""
        if not numbers:
            return
        kept = self.plain_numbers.setdefault(row, [])
        if 0 <= row < self.xls_rowmax and numbers[0][0] >= 0 and numbers[-1][0] < self.xls_colmax:
            ordinary = [pair for pair in numbers if pair[1].__class__ is int or math.isfinite(pair[1])]
            if len(ordinary) < len(numbers):
                for col, number in numbers:
                    if not (number.__class__ is int or math.isfinite(number)):
                        self.write_number(row, col, number)  # refused as xlsxwriter refuses it
            if ordinary:
                self._check_dimensions(row, ordinary[0][0])
                self._check_dimensions(row, ordinary[-1][0])
                kept += ordinary
            return
        for col, number in numbers:
            if (number.__class__ is not int and not math.isfinite(number)) or self._check_dimensions(row, col):
                self.write_number(row, col, number)
                continue
            kept.append((col, number))

    def _write_sheet_data(self) -> None:
        if not any(self.plain_numbers.values()):
            super()._write_sheet_data()
            return
        if self.row_info or self.comments or self.constant_memory:  # rows with attributes: xlsxwriter's own loop
            for row, numbers in self.plain_numbers.items():
                for col, number in numbers:
                    self.table[row][col] = CellNumberTuple(number, None)
            self.plain_numbers = {}
            super()._write_sheet_data()
            return
        self._xml_start_tag("sheetData")
        self._write_plain_rows()
        self._xml_end_tag("sheetData")

    def _write_plain_rows(self) -> None:
        """As ``Worksheet._write_rows`` for a sheet without row attributes or comments."""
        table, plain = self.table, self.plain_numbers
        rows = sorted(r for r in {*table, *plain} if table.get(r) or plain.get(r))
        styled = {col: f' s="{info.column_format._get_xf_index()}"' for col, info in self.col_info.items()
                  if getattr(info, "column_format", None) is not None}
        spans: dict[int, tuple[int, int]] = {}
        for row in rows:
            numbers = plain.get(row)
            cols = [*table.get(row, ()), *((numbers[0][0], numbers[-1][0]) if numbers else ())]
            low, high = spans.get(row // 16, (min(cols), max(cols)))
            spans[row // 16] = (min(low, *cols), max(high, *cols))
        high_col = max(high for _, high in spans.values())
        names = [xl_rowcol_to_cell_fast(0, col)[:-1] for col in range(high_col + 1)]
        write = self.fh.write

        def numbers_xml(numbers: list[tuple[int, Number]], row: str) -> str:
            if not styled:
                return "".join([f'<c r="{names[col]}{row}"><v>{value:.16G}</v></c>' for col, value in numbers])
            return "".join([f'<c r="{names[col]}{row}"{styled.get(col, "")}><v>{value:.16G}</v></c>'
                            for col, value in numbers])

        for row in rows:
            low, high = spans[row // 16]
            self._write_row(row, f"{low + 1}:{high + 1}")
            numbers = plain.get(row, [])
            done = 0
            for col, cell in sorted(table.get(row, {}).items()):  # xlsxwriter's cells, among the numbers by column
                before = bisect_left(numbers, col, lo=done, key=_column)
                write(numbers_xml(numbers[done:before], str(row + 1)))
                self._write_cell(row, col, cell)
                done = before
            write(numbers_xml(numbers[done:], str(row + 1)))
            self._xml_end_tag("row")


def _column(cell: tuple[int, Number]) -> int:
    return cell[0]
