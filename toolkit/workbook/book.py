"""A checked workbook opened for reading: calamine for values (lazily, one sheet at a time), the package's own
XML for what calamine cannot tell (defined names, formulas, error cells). Every parser failure becomes a Chinese
:class:`~toolkit.errors.WorkbookError` naming the file and sheet.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import python_calamine as calamine

from toolkit.errors import WorkbookError
from toolkit.messages import msg
from toolkit.record import field, record
from toolkit.workbook.parts import WorkbookXml, XmlCell, inspect_cells, parse_workbook
from toolkit.workbook.safety import Package


@record
class Grid:
    """One sheet's values as calamine reads them, addressed by zero-based (row, column)."""

    name: str
    """Sheet name."""
    top: int
    """Row of ``rows[0]``."""
    left: int
    """Column of ``rows[r][0]``."""
    rows: Sequence[Sequence[object]]
    """Values; '' for an empty cell."""
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    """Merged ranges ((top, left), (bottom, right))."""

    def get(self, row: int, col: int) -> object:
        """The value at (row, col); None when empty or outside the used range."""
        r, c = row - self.top, col - self.left
        if 0 <= r < len(self.rows):
            line = self.rows[r]
            if 0 <= c < len(line):
                value = line[c]
                return None if value == "" else value
        return None

    def cells(self) -> list[tuple[int, int, object]]:
        """Every non-empty cell as (row, col, value)."""
        return [
            (self.top + r, self.left + c, value)
            for r, line in enumerate(self.rows)
            for c, value in enumerate(line)
            if value != "" and value is not None
        ]

    def bottom_of(self, row: int, col: int) -> int:
        """The last row of the merged range starting at (row, col), or ``row``."""
        for (top, left), (bottom, _) in self.merges:
            if top == row and left == col:
                return bottom
        return row


class Book:
    """A checked package, its workbook.xml, and calamine opened on the same bytes.

    A sheet's part is scanned by the gate (:meth:`Package.check_sheet`) before calamine reads it."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.path = package.path
        self.xml: WorkbookXml = parse_workbook(package)
        self._reader: calamine.CalamineWorkbook | None = None
        self._worksheets: set[str] | None = None
        self._grids: dict[str, Grid | None] = {}

    def _fail(self, exc: Exception, sheet: str | None = None) -> WorkbookError:
        reason = f"{type(exc).__name__}: {exc}"
        return WorkbookError(msg("reader.unreadable"), path=self.path, sheet=sheet, reason=reason)

    def _open(self) -> calamine.CalamineWorkbook:
        if self._reader is None:
            try:
                self._reader = calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.package.blob))
                self._worksheets = {
                    m.name for m in self._reader.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet
                }
            except Exception as exc:  # calamine raises its own and plain exceptions for bad content
                raise self._fail(exc) from None
        return self._reader

    @property
    def sheet_names(self) -> list[str]:
        """Worksheet names in tab order (chart sheets left out)."""
        self._open()
        names = [s.name for s in self.xml.sheets]
        return [n for n in names if self._worksheets is None or n in self._worksheets]

    def grid(self, sheet: str) -> Grid | None:
        """The sheet's values and merged ranges (None when there is no such worksheet)."""
        if sheet in self._grids:
            return self._grids[sheet]
        reader = self._open()
        if self._worksheets is not None and sheet not in self._worksheets:
            self._grids[sheet] = None
            return None
        self.package.check_sheet(sheet)
        try:
            ws = reader.get_sheet_by_name(sheet)
            top, left = ws.start if ws.start is not None else (0, 0)
            grid = Grid(sheet, top, left, ws.to_python(), list(ws.merged_cell_ranges or []))
        except calamine.WorksheetNotFound:
            grid = None
        except Exception as exc:  # calamine raises its own and plain exceptions for bad content
            raise self._fail(exc, sheet) from None
        self._grids[sheet] = grid
        return grid

    def xml_cells(self, sheet: str, refs: set[str]) -> dict[str, XmlCell]:
        """Type, formula and cached value of ``refs`` on ``sheet`` from its XML ({} when unknown)."""
        entry = self.xml.sheet(sheet)
        if entry is None or entry.part is None or not refs:
            return {}
        return inspect_cells(self.package.read(entry.part), refs)

