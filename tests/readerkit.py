"""Workbook builders for the reader tests: the template's marker convention written directly with xlsxwriter,
and the official tables laid out by hand from the spec's labels (as a clerk or another system would)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import xlsxwriter

from toolkit.data import Number, ReportData
from toolkit.spec.models import CellKind, ReportSpec, Table
from toolkit.workbook.a1 import a1, absolute, quote, reference, split_a1
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

Cells = dict[str, tuple[str, int, int]]
"""Cell key → (sheet, zero-based row, zero-based column)."""


def marker_layout(spec: ReportSpec, *, row_offset: int = 0, sheet_names: Mapping[str, str] | None = None) -> Cells:
    """Where each cell goes in a marker workbook: every table as a block of rows on its sheet."""
    names = {**spec.sheets, **(sheet_names or {})}
    cells: Cells = {}
    next_row: dict[str, int] = {}
    for table in spec.tables.values():
        sheet = names[table.sheet]
        top = next_row.get(sheet, 3 + row_offset)
        for r, row in enumerate(table.data_rows):
            for c, col in enumerate(table.columns):
                cells[f"{table.id}.{row.id}.{col.id}"] = (sheet, top + r, 2 + c)
        next_row[sheet] = top + len(table.data_rows) + 3
    return cells


def write_marker_workbook(
    path: Path,
    spec: ReportSpec,
    data: ReportData,
    *,
    row_offset: int = 0,
    sheet_names: Mapping[str, str] | None = None,
    cached: bool = True,
    raw: Mapping[str, object] | None = None,
    format_marker: str | None = None,
    name_case: Callable[[str], str] = str,
) -> Cells:
    """A workbook following the template's marker convention (GK.* names, veryHidden _toolkit sheet).

    Totals are SUM formulas, with their cached value unless ``cached`` is False (as openpyxl saves them).
    ``raw`` overrides what is written in given cells (text, errors as formulas "=…").
    """
    names = {**spec.sheets, **(sheet_names or {})}
    cells = marker_layout(spec, row_offset=row_offset, sheet_names=sheet_names)
    wb = xlsxwriter.Workbook(str(path))
    sheets = {key: wb.add_worksheet(name) for key, name in names.items() if key not in ("checks", "guide")}
    marker = wb.add_worksheet(MARKER_SHEET)
    marker.write(MARKER_TAG_CELL, MARKER_TAG)
    marker.write(MARKER_FORMAT_CELL, format_marker if format_marker is not None else spec.id)
    marker.very_hidden()
    wb.define_name(name_case(FORMAT_NAME), f"={reference(MARKER_SHEET, *split_a1(MARKER_FORMAT_CELL))}")
    by_name = {names[k]: ws for k, ws in sheets.items()}
    for key, (sheet, row, col) in cells.items():
        ws = by_name[sheet]
        spec_cell = spec.cells[key]
        value = data.values[key].value if key in data.values else None
        if raw is not None and key in raw:
            override = raw[key]
            if isinstance(override, str) and override.startswith("="):
                ws.write_formula(row, col, override, None, "")
            elif override is None:
                ws.write_blank(row, col, None)
            else:
                ws.write(row, col, override)
        elif spec_cell.kind is CellKind.TOTAL:
            parts = "+".join(a1(cells[p][1], cells[p][2]) for p in spec_cell.sum_of)
            ws.write_formula(row, col, f"=SUM({parts})", None, (value or 0) if cached else "")
        elif value is not None:
            ws.write_number(row, col, value)
        wb.define_name(name_case(cell_name(key)), f"={quote(sheet)}!{absolute(row, col)}")
    info_ws = sheets["info"]
    for i, info_field in enumerate(spec.info_fields):
        info_ws.write(i + 1, 0, info_field.label)
        value = data.info.get(info_field.id, "")
        if info_field.id == "year" and value.isdigit():
            info_ws.write_number(i + 1, 1, int(value))
        else:
            info_ws.write(i + 1, 1, value)
        wb.define_name(name_case(info_name(info_field.id)), f"={quote(names['info'])}!{absolute(i + 1, 1)}")
    text_ws = sheets["text"]
    for i, section in enumerate(spec.text_sections):
        text_ws.write(i * 2 + 1, 0, section.title)
        text_ws.write(i * 2 + 2, 0, data.text(section.id))
        wb.define_name(name_case(text_name(section.id)), f"={quote(names['text'])}!{absolute(i * 2 + 2, 0)}")
    wb.close()
    return cells


# --- the official tables laid out by hand -------------------------------------------------------------


def _leaf_groups(table: Table) -> list[tuple[str, list[str], list[str]]]:
    """四's headers as (group path labels, column ids) in column order."""
    out: list[tuple[str, list[str], list[str]]] = []

    def walk(groups: tuple, path: list[str]) -> None:
        for g in groups:
            if g.columns:
                out.append((g.label, [*path, g.label], list(g.columns)))
            walk(g.subgroups, [*path, g.label])

    walk(table.column_groups, [])
    return out


def write_label_workbook(
    path: Path,
    spec: ReportSpec,
    numbers: Mapping[str, Number | str],
    *,
    variants: Mapping[str, str] | None = None,
    one_sheet: bool = False,
    info: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
    tables: set[str] | None = None,
) -> Cells:
    """The official tables as printed, labels in merged cells like a Word table pasted into Excel.

    ``variants`` replaces official labels by the text given (e.g. 对外公开总数量 → 对外公开总数); ``tables``
    limits which tables are written.
    Returns where each value was written.
    """
    variants = variants or {}

    def label(text: str) -> str:
        return variants.get(text, text)

    wb = xlsxwriter.Workbook(str(path))
    wrap = wb.add_format({"text_wrap": True, "border": 1})
    cells: Cells = {}
    sheets: dict[str, xlsxwriter.worksheet.Worksheet] = {}

    def sheet_for(key: str) -> tuple[str, xlsxwriter.worksheet.Worksheet]:
        name = "年报" if one_sheet else {"s2": "主动公开", "s3": "依申请", "s4": "复议诉讼"}[key]
        if name not in sheets:
            sheets[name] = wb.add_worksheet(name)
        return name, sheets[name]

    row_at: dict[str, int] = {}
    if info:
        name, ws = sheet_for("s2")
        ws.merge_range(0, 0, 0, 4, f"{info.get('organ', '')}{info.get('year', '')}年政府信息公开工作年度报告", wrap)
        ws.write(1, 0, "填报单位：")
        ws.write(1, 1, info.get("organ", ""))
        row_at[name] = 3
    for section in spec.sections:
        if section.kind != "tables":
            continue
        for tid in section.tables:
            if tables is not None and tid not in tables:
                continue
            table = spec.table(tid)
            name, ws = sheet_for(table.sheet)
            top = row_at.get(name, 0)
            if table.layout == "applications":
                end = _write_applications(ws, name, table, numbers, label, wrap, top, cells)
            elif table.layout == "reviews":
                end = _write_reviews(ws, name, table, numbers, label, wrap, top, cells)
            else:
                end = _write_simple(ws, name, table, numbers, label, wrap, top, cells)
            row_at[name] = end + 2
    if texts:
        ws = wb.add_worksheet("正文")
        for i, section in enumerate(spec.text_sections):
            ws.write(i * 3, 0, section.title)
            ws.write(i * 3 + 1, 0, texts.get(section.id, ""))
    wb.close()
    return cells


def _put(ws, name, key, numbers, row, col, cells, fmt) -> None:
    value = numbers.get(key)
    if value is not None:
        ws.write(row, col, value, fmt)
    cells[key] = (name, row, col)


def _write_simple(ws, name, table, numbers, label, fmt, top, cells) -> int:
    ws.merge_range(top, 0, top, len(table.columns), label(table.caption), fmt)
    ws.write(top + 1, 0, label(table.row_header), fmt)
    for c, col in enumerate(table.columns):
        ws.write(top + 1, c + 1, label(col.label), fmt)
    for r, row in enumerate(table.data_rows):
        ws.write(top + 2 + r, 0, label(row.label), fmt)
        for c, col in enumerate(table.columns):
            _put(ws, name, f"{table.id}.{row.id}.{col.id}", numbers, top + 2 + r, c + 1, cells, fmt)
    return top + 2 + len(table.data_rows)


def _write_applications(ws, name, table, numbers, label, fmt, top, cells) -> int:
    first = 3
    n = len(table.columns)
    ws.merge_range(top, 0, top + 2, first - 1, label(table.note), fmt)
    ws.merge_range(top, first, top, first + n - 1, label(table.column_group_header), fmt)
    c = first
    for col in table.columns:
        if col.group is None:
            ws.merge_range(top + 1, c, top + 2, c, label(col.label), fmt)
        c += 1
    group_cols = [i for i, col in enumerate(table.columns) if col.group]
    ws.merge_range(top + 1, first + group_cols[0], top + 1, first + group_cols[-1],
                   label(table.columns[group_cols[0]].group), fmt)
    for i in group_cols:
        ws.write(top + 2, first + i, label(table.columns[i].label), fmt)
    row_of: dict[str, int] = {}
    r = top + 3
    for row in table.rows:
        if row.kind == "header" and row.level == 1:
            row_of[row.id] = r
            continue
        if row.kind == "header":
            row_of[row.id] = r
            continue
        row_of[row.id] = r
        r += 1
    children: dict[str, list[str]] = {}
    for row in table.rows:
        if row.parent:
            children.setdefault(row.parent, []).append(row.id)
    last = r - 1

    def span(row_id: str) -> tuple[int, int]:
        kids = children.get(row_id, [])
        if not kids:
            return row_of[row_id], row_of[row_id]
        spans = [span(k) for k in kids]
        return spans[0][0], spans[-1][1]

    for row in table.rows:
        col = {1: 0, 2: 1, 3: 2}[row.level]
        start, end = span(row.id)
        text = label(row.label)
        if row.kind == "header":
            if end > start:
                ws.merge_range(start, col, end, col, text, fmt)
            else:
                ws.write(start, col, text, fmt)
            continue
        if col < first - 1:
            ws.merge_range(start, col, start, first - 1, text, fmt)
        else:
            ws.write(start, col, text, fmt)
        for i, column in enumerate(table.columns):
            _put(ws, name, f"{table.id}.{row.id}.{column.id}", numbers, start, first + i, cells, fmt)
    return last


def _write_reviews(ws, name, table, numbers, label, fmt, top, cells) -> int:
    col_index = {col.id: i for i, col in enumerate(table.columns)}
    for group_label, path, col_ids in _leaf_groups(table):
        first, last = col_index[col_ids[0]], col_index[col_ids[-1]]
        depth = len(path)
        if depth == 1:
            ws.merge_range(top, first, top, last, label(group_label), fmt)
            for cid in col_ids:
                ws.merge_range(top + 1, col_index[cid], top + 2, col_index[cid],
                               label(table.column(cid).label), fmt)
        else:
            ws.merge_range(top + 1, first, top + 1, last, label(group_label), fmt)
            for cid in col_ids:
                ws.write(top + 2, col_index[cid], label(table.column(cid).label), fmt)
    parents = {p[0] for _, p, _ in _leaf_groups(table) if len(p) > 1}
    for parent in parents:
        cols = [col_index[c] for _, p, ids in _leaf_groups(table) if p[0] == parent for c in ids]
        ws.merge_range(top, min(cols), top, max(cols), label(parent), fmt)
    row = table.data_rows[0]
    for col in table.columns:
        _put(ws, name, f"{table.id}.{row.id}.{col.id}", numbers, top + 3, col_index[col.id], cells, fmt)
    return top + 3
