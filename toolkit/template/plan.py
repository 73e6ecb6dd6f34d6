"""The standard workbook planned, not drawn: where every cell goes, how a formula addresses it, and what each
cell shows once calculated — pure Python, no spreadsheet library.

:class:`Plan` is what the builder draws and what the 校验 sheet's rows, the live rules and the 填写说明 are
computed from; :func:`toolkit.template.check_sheet_rows` needs nothing else. :class:`Drawing` is the narrow
interface the sheet drawers (校验, 填写说明, 说明) get from the builder: a sheet set up for print, the named
styles, a defined name, an extra format.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from toolkit.data import CellValue, Number, ReportData
from toolkit.normalise import MAX_MAGNITUDE, PLACEHOLDERS
from toolkit.rules.linear import LinearCheck, linear_checks
from toolkit.spec.models import CellKind, CellSpec, ReportSpec, ValueKind
from toolkit.template.layout import SheetLayout, sheet_layouts
from toolkit.template.style import rectangles
from toolkit.workbook.a1 import absolute, quote

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

Where = tuple[str, int, int]
"""(sheet name, zero-based row, zero-based column)."""

INFO_FIRST_ROW = 2
"""Row of the first 基本信息 field (after the title and a gap)."""
TEXT_FIRST_ROW, TEXT_ROWS = 2, 4
"""正文: where the first section starts, and the rows each takes (title, prompt, text, gap)."""


class Plan:
    """Positions, addressing and calculated values of one workbook for ``spec`` holding ``data``."""

    def __init__(self, spec: ReportSpec, data: ReportData) -> None:
        self.spec, self.data = spec, data
        self.layouts: dict[str, SheetLayout] = sheet_layouts(spec)
        """Table sheet key → its drawing (:mod:`toolkit.template.layout`)."""
        self.positions: dict[str, Where] = {
            key: (sheet.name, r, c) for sheet in self.layouts.values() for key, (r, c) in sheet.cells.items()
        }
        """Table cell key → where it is."""
        self.info_at: dict[str, Where] = {
            f.id: (spec.sheets["info"], INFO_FIRST_ROW + i, 1) for i, f in enumerate(spec.info_fields)}
        """基本信息 field id → its value cell."""
        self.text_at: dict[str, Where] = {
            s.id: (spec.sheets["text"], TEXT_FIRST_ROW + TEXT_ROWS * i + 2, 0)
            for i, s in enumerate(spec.text_sections)
        }
        """Narrative section id → its text cell (title, prompt, text, gap: four rows each)."""
        self._values: dict[str, Number] = {}

    @functools.cached_property
    def checks(self) -> list[LinearCheck]:
        """The format's linear checks, in rule order."""
        return linear_checks(self.spec)

    # --- addressing -------------------------------------------------------------------------------

    def address(self, key: str, *, sheet: str | None = None) -> str:
        """``$D$7`` on the same sheet as ``sheet``, else ``'三 依申请公开'!$D$7``."""
        name, row, col = self.positions[key]
        return absolute(row, col) if name == sheet else f"{quote(name)}!{absolute(row, col)}"

    def input_ranges(self, keep: Callable[[ValueKind], bool] = lambda _: True) -> list[str]:
        """The input cells of every table sheet as few rectangular references, e.g. '三 依申请公开'!$D$6:$I$28."""
        refs = []
        for layout in self.layouts.values():
            cells = [rc for key, rc in layout.cells.items()
                     if self.spec.cells[key].kind is CellKind.INPUT and keep(self.spec.cells[key].value)]
            for top, left, bottom, right in rectangles(cells):
                corner = absolute(top, left) if (top, left) == (bottom, right) else \
                    f"{absolute(top, left)}:{absolute(bottom, right)}"
                refs.append(f"{quote(layout.name)}!{corner}")
        return refs

    def first_input(self) -> Where:
        """Where the first input cell is (what a rule about all inputs links to)."""
        return next(self.positions[k] for k, c in self.spec.cells.items() if c.kind is CellKind.INPUT)

    # --- what the cells hold ----------------------------------------------------------------------

    def number(self, key: str) -> Number:
        """The value a cell shows once calculated: inputs as written (blank 0), totals as formulas compute them."""
        if key not in self._values:
            cell = self.spec.cells[key]
            if cell.kind is CellKind.TOTAL and self._formula_total(cell):
                self._values[key] = sum(self.number(p) for p in cell.sum_of)
            else:
                self._values[key] = self.data.number(key)
        return self._values[key]

    def _formula_total(self, cell: CellSpec) -> bool:
        """A total is a formula unless the data holds a different number (a typed-over total, kept as typed)."""
        cv = self.data.values.get(cell.key)
        if cv is None or (cv.value is None and not isinstance(cv.raw, str)):
            return True
        if cv.value is None:
            return False
        return abs(cv.value - sum(self.number(p) for p in cell.sum_of)) <= 1e-9

    def unusable(self, key: str) -> bool:
        """Whether a table cell holds what no sum can use: text that is not a placeholder (若干, #REF! typed), as
        the 校验 sheet's formula sees it (:func:`unusable_formula`)."""
        cv = self.data.values.get(key)
        return self.written(key) == "text" and cv is not None and str(cv.raw).strip() not in PLACEHOLDERS

    def written(self, key: str) -> str:
        """What the workbook holds in a table cell: ``formula``, ``number``, ``text`` (as typed) or ``blank``."""
        cell = self.spec.cells[key]
        if cell.kind is CellKind.TOTAL and self._formula_total(cell):
            return "formula"
        cv: CellValue | None = self.data.values.get(key)
        if cv is not None and cv.value is not None:
            return "number"
        if cv is not None and isinstance(cv.raw, str) and cv.raw:
            return "text"
        return "blank"


def unusable_formula(refs: Sequence[str]) -> str:
    """An Excel boolean, TRUE when a cell of ``refs`` is an error, text other than a placeholder (/, 无 …) or a
    number beyond any count or amount (:data:`~toolkit.normalise.MAX_MAGNITUDE`: a paste error, which the checker
    adds to no sum): a sum over it is not assessed (未校验), as the checker reports it. (The magnitude is tested
    inside IF, which evaluates only the branch it takes: ABS of an error would make the whole OR an error.)"""
    listed = ",".join(f'"{p}"' for p in sorted(PLACEHOLDERS))
    tests = ([f"ISERROR({r})" for r in refs] + [f"AND(ISTEXT({r}),ISNA(MATCH(TRIM({r}),{{{listed}}},0)))" for r in refs]
             + [f"IF(ISNUMBER({r}),ABS({r})>{MAX_MAGNITUDE},FALSE)" for r in refs])
    return f"OR({','.join(tests)})"


def ref(where: Where) -> str:
    """A cell as a formula names it from another sheet: ``'基本信息'!$B$3``."""
    sheet, row, col = where
    return f"{quote(sheet)}!{absolute(row, col)}"


class Drawing(Protocol):
    """What a sheet drawer gets from the builder: the plan, the styles and a few workbook operations."""

    @property
    def plan(self) -> Plan:
        """What is drawn."""

    @property
    def fmt(self) -> Mapping[str, Any]:
        """Named cell formats (:data:`toolkit.template.style.STYLES`, ``input.count`` …)."""

    def add_sheet(self, key: str, widths: Sequence[float], *, landscape: bool = False) -> Worksheet:
        """A sheet of the spec (by key) set up for A4 at 100%."""

    def add_worksheet(self, name: str) -> Worksheet:
        """A plain sheet named ``name``."""

    def add_format(self, props: Mapping[str, Any]) -> Any:
        """A cell format from xlsxwriter properties."""

    def define_name(self, name: str, formula: str) -> None:
        """A workbook-level defined name."""
