"""The values at the located cells, normalised: calamine's value, or — for a cell it reads as empty — what the
sheet XML holds (an Excel error, or a formula saved without its result, whose total is then recomputed from its
parts, status COMPUTED, never read as 0); and how an info field or a text cell reads as text."""

from __future__ import annotations

import sys

from toolkit.data import CellValue, Location, Number, ValueStatus
from toolkit.messages import msg
from toolkit.normalise import exact_sum, normalise, parse_year
from toolkit.record import replace
from toolkit.spec.models import CellKind, ReportSpec
from toolkit.workbook.a1 import split_a1
from toolkit.workbook.book import Book
from toolkit.workbook.parts import XmlCell


def read_cells(book: Book, spec: ReportSpec, cells: dict[str, Location]) -> dict[str, CellValue]:
    """Read and normalise the cells at ``cells``; blanks are checked in the sheet XML; uncached totals recomputed."""
    by_sheet: dict[str, list[tuple[str, Location]]] = {}
    for key, loc in cells.items():
        by_sheet.setdefault(loc.sheet, []).append((key, loc))
    values: dict[str, CellValue] = {}
    uncached: set[str] = set()
    for sheet, items in by_sheet.items():
        grid = book.grid(sheet)
        if grid is None:
            continue
        blanks: dict[str, tuple[str, Location]] = {}
        for key, loc in items:
            raw = grid.get(*split_a1(loc.cell))
            if raw is None:
                blanks[loc.cell] = (key, loc)
                continue
            value, status, note = normalise(raw, spec.cells[key].value)
            values[key] = CellValue(key, value, raw, status, loc, note)
        if blanks:
            stored = book.xml_cells(sheet, set(blanks))
            for ref, (key, loc) in blanks.items():
                values[key] = _blank_cell(spec, key, loc, stored.get(ref), uncached)
    _recompute(spec, values, uncached)
    _mark_text_left_out(book, spec, values)
    return {key: values[key] for key in spec.cells if key in values}


def _mark_text_left_out(book: Book, spec: ReportSpec, values: dict[str, CellValue]) -> None:
    """Numbers typed as text in cells that a formula total sums: the spreadsheet's SUM leaves them out, so the
    checker does too (:attr:`CellValue.left_out_of_sums`); the text cell is then the error, not the total.
    Only workbooks with such text pay for the look at the totals' XML."""
    texts = {key for key, cv in values.items() if cv.status is ValueStatus.NORMALISED and isinstance(cv.raw, str)
             and spec.cells[key].kind is CellKind.INPUT}
    if not texts:
        return
    totals = {key: cell for key, cell in spec.cells.items()
              if cell.kind is CellKind.TOTAL and key in values and texts & set(cell.sum_of)}
    by_sheet: dict[str, dict[str, str]] = {}
    for key in totals:
        loc = values[key].location
        if loc is not None and not values[key].is_formula:
            by_sheet.setdefault(loc.sheet, {})[loc.cell] = key
    formulas = {key for key in totals if values[key].is_formula}
    for sheet, refs in by_sheet.items():
        stored = book.xml_cells(sheet, set(refs))
        formulas |= {key for ref, key in refs.items() if ref in stored and stored[ref].formula is not None}
    for key in {part for total in formulas for part in totals[total].sum_of} & texts:
        values[key] = replace(values[key], left_out_of_sums=True)


def _blank_cell(spec: ReportSpec, key: str, loc: Location, stored: XmlCell | None, uncached: set[str]) -> CellValue:
    """A cell calamine read as empty: really empty, an Excel error, or a formula saved without its result."""
    if stored is None or (stored.formula is None and stored.type != "e"):
        return CellValue(key, None, None, ValueStatus.BLANK, loc)
    is_formula = stored.formula is not None
    if stored.type == "e":
        return CellValue(key, None, stored.value or "#VALUE!", ValueStatus.EXCEL_ERROR, loc, is_formula=is_formula)
    formula_text = f"={stored.formula}" if stored.formula else None
    if stored.value:
        raw: object = stored.value
        if stored.type in (None, "n"):
            try:  # noqa: SIM105 (contextlib.suppress: the check path does not import contextlib)
                raw = float(stored.value)
            except ValueError:
                pass
        value, status, note = normalise(raw, spec.cells[key].value)
        return CellValue(key, value, raw, status, loc, note, is_formula=True)
    if stored.type == "str" and stored.value == "":
        return CellValue(key, None, None, ValueStatus.BLANK, loc, is_formula=True)
    if spec.cells[key].kind is CellKind.TOTAL:
        uncached.add(key)
        return CellValue(key, None, formula_text, ValueStatus.COMPUTED, loc, is_formula=True)
    note = msg("reader.note.formula_input", formula=formula_text or "=")
    return CellValue(key, None, formula_text, ValueStatus.INVALID, loc, note, is_formula=True)


def _recompute(spec: ReportSpec, values: dict[str, CellValue], uncached: set[str]) -> None:
    """Replace each uncached total by the sum of its parts (recursively); unusable parts leave it INVALID."""
    memo: dict[str, Number | None] = {}

    def total(key: str) -> Number | None:
        if key not in memo:
            cv = values.get(key)
            if key in uncached:
                parts = [total(part) for part in spec.cells[key].sum_of]
                memo[key] = None if any(p is None for p in parts) else exact_sum(p for p in parts if p is not None)
            elif cv is None or not cv.summable:
                memo[key] = None
            else:
                memo[key] = cv.as_number
        return memo[key]

    def out_of_range(key: str) -> bool:
        return any(values[p].status is ValueStatus.OUT_OF_RANGE or (p in uncached and out_of_range(p))
                   for p in spec.cells[key].sum_of if p in values)

    for key in uncached:
        result = total(key)
        if result is None and out_of_range(key):
            values[key] = replace(values[key], status=ValueStatus.OUT_OF_RANGE, note=msg("reader.note.uncomputable"))
        elif result is None:
            values[key] = replace(values[key], status=ValueStatus.INVALID, note=msg("reader.note.uncomputable"))
        else:
            values[key] = replace(values[key], value=result, note=msg("reader.note.computed"))


def info_text(raw: object, field_id: str) -> str:
    """An info field as text: 2026.0 → "2026", a date → 2027年1月20日, the year normalised to four digits."""
    if field_id == "year":
        year = parse_year(raw)
        if year is not None:
            return str(year)
    dt = sys.modules.get("datetime")  # no date without the module: a check of text and numbers does not import it
    if dt is not None and isinstance(raw, dt.datetime | dt.date):
        return f"{raw.year}年{raw.month}月{raw.day}日"
    return text_of(raw)


def text_of(raw: object) -> str:
    """A cell's content as text: "" for empty, whole floats without ".0", line breaks as "\\n", trimmed."""
    if raw is None or isinstance(raw, bool):
        return "" if raw is None else ("TRUE" if raw else "FALSE")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    text = str(raw).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()
