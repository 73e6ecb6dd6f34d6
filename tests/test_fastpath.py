"""The fast path (python-calamine values, cells found by the GK.* names) reads what openpyxl reads.

The reference reader here uses only openpyxl: ``load_workbook(data_only=True)`` for values, a second load for
formulas, and the workbook's GK.* defined names for where each cell is. Both readings must give the same value,
status and location for every cell, and the same info fields and texts, on every example workbook and on random
ones: the real template filled with perturbed sample data, and small marker workbooks holding every kind of
cell content (numbers, text, placeholders, booleans, dates, Excel errors, formulas with and without results).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from toolkit.data import USABLE, CellValue, Location, Number, ReportData, ValueStatus
from toolkit.normalise import exact_sum, normalise
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.spec.models import CellKind, ReportSpec
from toolkit.template import build_template
from toolkit.workbook import read_workbook
from toolkit.workbook.a1 import absolute, reference, split_a1
from toolkit.workbook.cells import info_text, text_of
from toolkit.workbook.marker import (
    FORMAT_NAME,
    MARKER_FORMAT_CELL,
    MARKER_SHEET,
    MARKER_TAG,
    MARKER_TAG_CELL,
    cell_name,
    info_name,
    text_name,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FORMATS = ("2019", "2021")

Reading = dict[str, tuple[Number | None, ValueStatus, Location]]
"""Cell key → (value, status, where)."""


# --- the openpyxl reference reader -------------------------------------------------------------------


def _destination(wb: openpyxl.Workbook, name: str) -> tuple[str, str] | None:
    defined = {n.lower(): d for n, d in wb.defined_names.items()}.get(name.lower())
    if defined is None:
        return None
    sheet, ref = next(iter(defined.destinations))
    return sheet, ref.replace("$", "").split(":")[0]


def reference_read(path: Path, spec: ReportSpec) -> tuple[Reading, dict[str, str], dict[str, str]]:
    """(cells, info, texts) of a marker workbook, read with openpyxl alone."""
    values = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path)
    cells: Reading = {}
    uncached: set[str] = set()
    for key, spec_cell in spec.cells.items():
        where = _destination(values, cell_name(key))
        if where is None:
            continue
        raw = values[where[0]][where[1]].value
        formula = formulas[where[0]][where[1]].value
        location = Location(*where)
        if raw is None and isinstance(formula, str) and formula.startswith("="):
            if spec_cell.kind is CellKind.TOTAL:
                uncached.add(key)
                cells[key] = (None, ValueStatus.COMPUTED, location)
            else:
                cells[key] = (None, ValueStatus.INVALID, location)
            continue
        value, status, _ = normalise(raw, spec_cell.value)
        cells[key] = (value, status, location)

    def total(key: str) -> Number | None:
        value, status, _ = cells[key]
        if key in uncached:
            parts = [total(p) for p in spec.cells[key].sum_of]
            return None if any(p is None for p in parts) else exact_sum(p for p in parts if p is not None)
        if status in USABLE:
            return value
        return 0 if status in (ValueStatus.BLANK, ValueStatus.PLACEHOLDER) else None

    def beyond(key: str) -> bool:  # a part no count can be: the total is out of range too
        return any(cells[p][1] is ValueStatus.OUT_OF_RANGE or (p in uncached and beyond(p))
                   for p in spec.cells[key].sum_of if p in cells)

    for key in uncached:
        result = total(key)
        failed = ValueStatus.OUT_OF_RANGE if beyond(key) else ValueStatus.INVALID
        cells[key] = (result, ValueStatus.COMPUTED if result is not None else failed, cells[key][2])
    info = {}
    for info_field in spec.info_fields:
        where = _destination(values, info_name(info_field.id))
        if where is not None:
            info[info_field.id] = info_text(values[where[0]][where[1]].value, info_field.id)
    texts = {}
    for section in spec.text_sections:
        where = _destination(values, text_name(section.id))
        if where is not None:
            texts[section.id] = text_of(values[where[0]][where[1]].value)
    return cells, info, texts


def assert_same_reading(path: Path) -> None:
    """The fast path and the openpyxl reference agree on every cell, info field and text of ``path``."""
    data = read_workbook(path)
    assert data.read_mode == "names"
    spec = load_spec(data.format_id)
    cells, info, texts = reference_read(path, spec)
    fast = {k: (cv.value, cv.status, cv.location) for k, cv in data.values.items()}
    assert fast.keys() == cells.keys()
    differ = {k: (fast[k], cells[k]) for k in cells if fast[k] != cells[k]}
    assert not differ, f"{path.name}: {len(differ)} cells differ, e.g. {next(iter(differ.items()))}"
    info.pop("format", None)  # the reader sets it to the format read in
    assert {k: v for k, v in data.info.items() if k in info} == info
    assert {k: t.text for k, t in data.texts.items()} == texts


# --- random workbooks --------------------------------------------------------------------------------

_TEXTS = ("3件", "１２", " 7 ", "若干", "/", "—", "无", "1,234", "+5", "三件", "#REF!", "")


def perturbed(spec: ReportSpec, seed: int) -> ReportData:
    """Sample data with about one cell in six blank, text or an odd number."""
    rng = random.Random(seed)
    data = sample_report(spec, seed, organ=f"单位{seed}")
    values = dict(data.values)
    for key in spec.cells:
        roll = rng.random()
        if roll < 0.05:
            values[key] = CellValue(key, None, None, ValueStatus.BLANK)
        elif roll < 0.12:
            text = rng.choice(_TEXTS)
            values[key] = CellValue(key, None, text, ValueStatus.INVALID)
        elif roll < 0.16:
            number = rng.choice([-3, 2.5, 0.1 + 0.2, 10**9, 1e-7])
            values[key] = CellValue(key, number, number)
    return replace(data, values=values)


def marker_workbook(path: Path, spec: ReportSpec, seed: int) -> Path:
    """A small workbook with the template's markers whose cells hold every kind of content calamine may see."""
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path))
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    sheets = {key: wb.add_worksheet(spec.sheets[key]) for key in dict.fromkeys(t.sheet for t in spec.tables.values())}
    marker = wb.add_worksheet(MARKER_SHEET)
    marker.write(MARKER_TAG_CELL, MARKER_TAG)
    marker.write(MARKER_FORMAT_CELL, spec.id)
    marker.very_hidden()
    wb.define_name(FORMAT_NAME, f"={reference(MARKER_SHEET, *split_a1(MARKER_FORMAT_CELL))}")
    rows: dict[str, int] = {}
    for key, spec_cell in spec.cells.items():
        sheet_key = spec.tables[spec_cell.table].sheet
        ws, name = sheets[sheet_key], spec.sheets[sheet_key]
        row = rows[sheet_key] = rows.get(sheet_key, -1) + 1
        kind = rng.choice(["int", "int", "int", "float", "text", "blank", "bool", "date", "error", "formula",
                           "uncached"])
        if kind == "int":
            ws.write_number(row, 1, rng.randint(-5, 500))
        elif kind == "float":
            ws.write_number(row, 1, rng.choice([2.5, 0.1 + 0.2, 1e-9, 12345.678, 123456789012345678]))
        elif kind == "text":
            ws.write_string(row, 1, rng.choice([t for t in _TEXTS if t]))
        elif kind == "blank":
            ws.write_blank(row, 1, None, date_format)  # a styled empty cell
        elif kind == "bool":
            ws.write_boolean(row, 1, rng.random() < 0.5)
        elif kind == "date":
            ws.write_datetime(row, 1, dt.datetime(2026, 1, rng.randint(1, 28)), date_format)
        elif kind == "error":
            ws.write_formula(row, 1, "=1/0", None, "#DIV/0!")
        elif kind == "formula":
            ws.write_formula(row, 1, "=2+3", None, 5)
        else:
            ws.write_formula(row, 1, "=2+3", None, "")
        wb.define_name(cell_name(key), f"={reference(name, row, 1)}")
    info_ws = wb.add_worksheet("基本信息表")
    for i, info_field in enumerate(spec.info_fields):
        value: object = {"year": rng.choice([2026, "2026年", 2026.0]), "date": dt.datetime(2027, 1, 20)}.get(
            info_field.id, f" {info_field.label}{seed} ")
        if isinstance(value, dt.datetime):
            info_ws.write_datetime(i, 0, value, date_format)
        else:
            info_ws.write(i, 0, value)
        wb.define_name(info_name(info_field.id), f"='基本信息表'!{absolute(i, 0)}")
    for i, section in enumerate(spec.text_sections):
        info_ws.write_string(i, 3, f"第一段{seed}\r\n第二段_x000D_")
        wb.define_name(text_name(section.id), f"='基本信息表'!{absolute(i, 3)}")
    wb.close()
    return path


# --- tests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.xlsx")), ids=lambda p: p.name)
def test_examples_read_alike(path: Path) -> None:
    """Every example workbook reads the same through calamine and through openpyxl."""
    assert_same_reading(path)


@pytest.mark.parametrize("fid", FORMATS)
@pytest.mark.parametrize("seed", [1, 2])
def test_filled_templates_read_alike(tmp_path: Path, fid: str, seed: int) -> None:
    """The real template filled with perturbed data (blanks, text, odd numbers) reads alike both ways."""
    spec = load_spec(fid)
    path = build_template(spec, tmp_path / f"{fid}-{seed}.xlsx", data=perturbed(spec, seed))
    assert_same_reading(path)


@pytest.mark.parametrize("fid", FORMATS)
@pytest.mark.parametrize("seed", [3, 4, 5])
def test_every_cell_kind_reads_alike(tmp_path: Path, fid: str, seed: int) -> None:
    """Numbers, text, booleans, dates, errors, formulas with and without results: the same value and status."""
    spec = load_spec(fid)
    assert_same_reading(marker_workbook(tmp_path / f"kinds-{fid}-{seed}.xlsx", spec, seed))


def test_random_workbooks_cover_every_status(tmp_path: Path) -> None:
    """The random workbooks above do exercise every status the reader can give."""
    spec = load_spec("2021")
    seen = {cv.status for seed in (3, 4, 5, 6, 7)
            for cv in read_workbook(marker_workbook(tmp_path / f"{seed}.xlsx", spec, seed)).values.values()}
    assert seen == set(ValueStatus)
