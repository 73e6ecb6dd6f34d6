"""Read a filled workbook into :class:`~toolkit.data.ReportData`, every value keeping its sheet!cell.

Two ways to find the cells, one way to read them:

* ``names`` — a workbook made by ``toolkit template`` carries workbook-level defined names ``GK.<cell key>``,
  ``GK.info.<field>``, ``GK.text.<section>`` and ``GK.format`` (→ the veryHidden ``_toolkit`` sheet's B2). Names
  follow inserted rows and renamed or moved sheets, so the cells are found wherever they went.
* ``labels`` — any other workbook laid out like the official tables is read by matching the printed labels
  (:mod:`toolkit.reader_labels`).

Values come from python-calamine (≈1 ms). A cell calamine reads as empty is looked up in the sheet XML: it may
be an Excel error, or a formula saved without its result (a file written by openpyxl or never opened in
Excel/WPS) — a total is then recomputed from its parts (status COMPUTED), never read as 0.
The file is never modified; bad input raises a Chinese :class:`~toolkit.errors.WorkbookError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.data import CellValue, LabelSeen, Location, Number, ReportData, TextValue, ValueStatus
from toolkit.errors import UnknownFormatError
from toolkit.messages import msg
from toolkit.ooxml import XmlCell, parse_reference, split_a1
from toolkit.spec.load import available_formats, load_spec
from toolkit.spec.models import CellKind, ReportSpec
from toolkit.values import exact_sum, normalise, parse_year
from toolkit.xlsxbook import MARKER_SHEET, Book
from toolkit.xlsxsafe import Package, open_package

NAME_PREFIX = "gk."
"""Defined names of the template's marker, compared case-insensitively as Excel does."""


@dataclass
class Located:
    """Where a workbook's cells, info fields and texts are (what a locator found)."""

    format_id: str
    """The format the workbook is read in."""
    mode: str
    """``names`` or ``labels``."""
    cells: dict[str, Location] = field(default_factory=dict)
    """Cell key → where its value is."""
    info: dict[str, tuple[object, Location]] = field(default_factory=dict)
    """Info field id → (raw value, where)."""
    texts: dict[str, TextValue] = field(default_factory=dict)
    """Narrative sections found."""
    labels: list[LabelSeen] = field(default_factory=list)
    """Labels that differ from the official text."""


def read_workbook(path: Path, *, format_id: str | None = None, package: Package | None = None) -> ReportData:
    """Read the workbook at ``path`` (never modified); ``format_id`` overrides the detected format.

    ``package`` is ``path`` already read and checked (:func:`open_package`), so that a caller that goes on to
    copy the file works on the very bytes read here.

    Raises a :class:`~toolkit.errors.WorkbookError` subclass when the file cannot be used (not an .xlsx,
    encrypted, hostile, no official table found …) and :class:`UnknownFormatError` for an unknown format.
    """
    path = Path(path)
    if format_id is not None:
        try:
            load_spec(format_id)
        except UnknownFormatError as exc:
            raise UnknownFormatError(exc.message, path=path, format_id=format_id) from None
    book = Book(package if package is not None else open_package(path))
    located = locate_by_names(book, format_id)
    if located is None or not located.cells:
        from toolkit.reader_labels import locate_by_labels

        located = locate_by_labels(book, format_id)
    else:
        _relocate_lost_cells(book, located)
    spec = load_spec(located.format_id)
    info = {fid: info_text(raw, fid) for fid, (raw, _) in located.info.items()}
    info["format"] = spec.id
    return ReportData(
        format_id=spec.id,
        info=info,
        values=read_cells(book, spec, located.cells),
        texts=located.texts,
        labels=located.labels,
        info_locations={fid: loc for fid, (_, loc) in located.info.items()},
        source=path,
        read_mode=located.mode,
    )


# --- names ------------------------------------------------------------------------------------------


def _relocate_lost_cells(book: Book, located: Located) -> None:
    """Names that point at a sheet the workbook no longer has (renamed by a program that left the names
    behind, or deleted): find those cells by their printed labels instead; what is not found stays absent."""
    sheets = set(book.sheet_names)
    lost = {key for key, loc in located.cells.items() if loc.sheet not in sheets}
    if not lost:
        return
    from toolkit.errors import WorkbookError
    from toolkit.reader_labels import locate_by_labels

    try:
        by_labels = locate_by_labels(book, located.format_id)
    except WorkbookError:
        by_labels = None
    for key in lost:
        found = by_labels.cells.get(key) if by_labels is not None else None
        if found is not None and found.sheet in sheets:
            located.cells[key] = found
        else:
            del located.cells[key]
    if by_labels is not None:
        located.labels.extend(seen for seen in by_labels.labels if seen not in located.labels)



def marker_names(book: Book) -> dict[str, tuple[str, str]]:
    """``gk.…`` (lower case) → (sheet, A1) for every marker name that points at a cell; workbook-level first."""
    local: dict[str, tuple[str, str]] = {}
    workbook: dict[str, tuple[str, str]] = {}
    for name in book.xml.names:
        key = name.name.lower()
        if key.startswith(NAME_PREFIX):
            ref = parse_reference(name.text)
            if ref is not None:
                (workbook if name.local_sheet is None else local)[key] = ref
    local.update(workbook)
    return local


def _value_at(book: Book, sheet: str, cell: str) -> object:
    grid = book.grid(sheet)
    return grid.get(*split_a1(cell)) if grid is not None else None


def _marker_format(book: Book, names: dict[str, tuple[str, str]]) -> str | None:
    ref = names.get(NAME_PREFIX + "format")
    if ref is None and book.xml.sheet(MARKER_SHEET) is not None:
        ref = (MARKER_SHEET, "B2")
    if ref is None:
        return None
    raw = _value_at(book, *ref)
    return info_text(raw, "format") or None


def locate_by_names(book: Book, format_id: str | None) -> Located | None:
    """The cells named by the template's marker; None when the workbook carries no marker names."""
    names = marker_names(book)
    if not names:
        return None
    if format_id is None:
        format_id = _marker_format(book, names)
        if format_id is not None and format_id not in available_formats():
            raise UnknownFormatError(
                msg("reader.unknown_format", format_id=format_id, known="、".join(available_formats())),
                path=book.path, format_id=format_id,
            )
    if format_id is None:
        counts = {fid: sum(NAME_PREFIX + k in names for k in load_spec(fid).cells) for fid in available_formats()}
        format_id = max(counts, key=lambda fid: counts[fid])
        if counts[format_id] == 0:
            return None
    spec = load_spec(format_id)
    located = Located(spec.id, "names")
    for key in spec.cells:
        ref = names.get(NAME_PREFIX + key.lower())
        if ref is not None:
            located.cells[key] = Location(*ref)
    for info_field in spec.info_fields:
        ref = names.get(f"{NAME_PREFIX}info.{info_field.id}".lower())
        if ref is not None:
            located.info[info_field.id] = (_value_at(book, *ref), Location(*ref))
    for section in spec.text_sections:
        ref = names.get(f"{NAME_PREFIX}text.{section.id}".lower())
        if ref is not None:
            located.texts[section.id] = TextValue(section.id, _spilled_text(book, names, section.id, ref),
                                                  Location(*ref))
    return located


def _spilled_text(book: Book, names: dict[str, tuple[str, str]], section: str, ref: tuple[str, str]) -> str:
    """A section's text: its cell, joined with the continuation cells ``GK.text.<section>.2`` … that a text longer
    than one cell holds spills into (the merge of many units); pieces are joined exactly as written."""
    first = _value_at(book, *ref)
    pieces: list[object] = []
    while (more := names.get(f"{NAME_PREFIX}text.{section}.{len(pieces) + 2}".lower())) is not None:
        pieces.append(_value_at(book, *more))
    if not pieces:
        return text_of(first)
    joined = "".join(str(p) for p in (first, *pieces) if p is not None and not isinstance(p, bool))
    return text_of(joined)


# --- values -----------------------------------------------------------------------------------------


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
            with contextlib.suppress(ValueError):
                raw = float(stored.value)
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
            elif cv is None or not (cv.usable or cv.status in (ValueStatus.BLANK, ValueStatus.PLACEHOLDER)):
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


# --- info and texts ---------------------------------------------------------------------------------


def info_text(raw: object, field_id: str) -> str:
    """An info field as text: 2026.0 → "2026", a date → 2027年1月20日, the year normalised to four digits."""
    if field_id == "year":
        year = parse_year(raw)
        if year is not None:
            return str(year)
    if isinstance(raw, dt.datetime | dt.date):
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
