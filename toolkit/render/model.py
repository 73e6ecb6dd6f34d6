"""The report as a document model, built only from the spec and the data: the title, the six sections in
official order, narrative paragraphs, and every table as a grid of cells with its merged header spans.

Every label comes from the spec; every renderer (docx, html, md) draws this model and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count, groupby

from toolkit.data import CellValue, ReportData
from toolkit.normalise import fmt_number
from toolkit.rules.findings import Finding
from toolkit.rules.placeholders import PLACEHOLDER, resolve
from toolkit.spec.models import ColumnGroup, ReportSpec, Row, Table

PORTRAIT_TEXT_MM = 156.0
"""Width of the portrait A4 text block of GB/T 9704 (210 mm less 28 + 26 mm margins)."""
MIN_DATA_COLUMN_MM = 9.4
"""Narrowest data column that still holds two characters of 10.5pt table text (3.7 mm each) plus 1 mm padding
on each side, so that labels such as 结果维持 wrap cleanly as 结果/维持. A table whose data columns would be
narrower on a portrait page is printed on a landscape page."""
TITLE_LINE_CHARS = 20
"""Characters of the 22pt title on one line of the text block (156 mm / 7.76 mm)."""

LEAD = re.compile(r"^（[一二三四五六七八九十]+）[^。！？]{1,40}?[。！？]")
"""A second-level heading leading a paragraph: （一）健全组织机构，加强组织领导。"""


@dataclass(frozen=True)
class GridCell:
    """One cell of a table grid, placed at its top-left position with its spans."""

    row: int
    """Grid row of its top edge (0 = the first row)."""
    col: int
    """Grid column of its left edge."""
    text: str
    """What the cell shows."""
    role: str
    """``caption`` (第二十条第（一）项), ``corner`` (信息内容 / 三's note), ``column`` (a column header or group),
    ``group`` (a row group label such as 三、本年度办理结果), ``row`` (a data row's label) or ``value``."""
    rowspan: int = 1
    """Rows it covers."""
    colspan: int = 1
    """Columns it covers."""
    key: str | None = None
    """For a value: the spec cell key."""

    @property
    def is_header(self) -> bool:
        """True for captions, corners and column headers (drawn as header cells)."""
        return self.role in ("caption", "corner", "column")


@dataclass(frozen=True)
class TableModel:
    """A table as a grid: header rows on top (repeated on each page), then one row per data row."""

    id: str
    """The spec table id."""
    n_rows: int
    """Grid rows."""
    n_cols: int
    """Grid columns (label columns first)."""
    header_rows: int
    """How many top rows are headers (caption included)."""
    cells: tuple[GridCell, ...]
    """Every cell, in row-major order of their top-left corners."""
    widths: tuple[float, ...]
    """Relative column widths, summing to 1."""
    wide: bool
    """True when it needs a landscape page (data columns narrower than MIN_DATA_COLUMN_MM on a portrait one)."""

    def rows(self) -> list[list[GridCell]]:
        """The cells grouped by the row they start in (what an HTML table lists), one list per grid row."""
        starts = {r: list(cs) for r, cs in groupby(self.cells, key=lambda c: c.row)}
        return [starts.get(r, []) for r in range(self.n_rows)]

    @property
    def spans_matter(self) -> bool:
        """True when a cell other than a full-width caption spans rows or columns."""
        return any((c.rowspan > 1 or c.colspan > 1) and c.role != "caption" for c in self.cells)


@dataclass(frozen=True)
class Paragraph:
    """A narrative paragraph; ``lead`` is a second-level heading it starts with (drawn in 楷体)."""

    lead: str
    """The leading （一）… heading, "" if none."""
    rest: str
    """The text after the lead."""

    @property
    def text(self) -> str:
        """The whole paragraph."""
        return self.lead + self.rest


@dataclass(frozen=True)
class SectionModel:
    """One of the six sections."""

    id: str
    """s1 … s6."""
    title: str
    """The official title."""
    paragraphs: tuple[Paragraph, ...]
    """The narrative, placeholders filled in (empty for table sections)."""
    tables: tuple[TableModel, ...]
    """The tables, in spec order."""
    blank: bool
    """True for a narrative section with no text (drawn with a visible 未填写 mark)."""


@dataclass(frozen=True)
class ReportModel:
    """The whole report."""

    title: str
    """The report title (from the format's title template)."""
    title_lines: tuple[str, ...]
    """The title as printed: a title longer than one line breaks after the organ and year (梯形, words kept whole)."""
    sections: tuple[SectionModel, ...]
    """The six sections in official order."""
    notice: tuple[str, ...]
    """For a forced report: the Chinese messages of the error findings it was forced over; else empty."""
    organ: str
    """The organ, for the closing signature ("" if unknown)."""
    date: str
    """The report date (成文日期) as given, "" if none."""


def report_title(spec: ReportSpec, data: ReportData) -> str:
    """The format's title for the data's organ and year; without a year the ``{year}年`` part is left out."""
    if data.year is None:
        return spec.title_template.replace("{year}年", "{year}").format(organ=data.organ, year="")
    return spec.report_title(data.organ, data.year)


def title_lines(spec: ReportSpec, title: str) -> tuple[str, ...]:
    """``title`` on one line, or — when longer than TITLE_LINE_CHARS — broken before the template's fixed tail
    (示例镇人民政府2026年 / 政府信息公开工作年度报告)."""
    tail = spec.title_template.rsplit("}", 1)[-1].removeprefix("年")
    if len(title) <= TITLE_LINE_CHARS or not tail or not title.endswith(tail) or len(title) == len(tail):
        return (title,)
    return (title[: -len(tail)], tail)


def cell_text(cv: CellValue | None) -> str:
    """A cell as printed: the number as a clerk writes it (12, 0.35), else the raw text; "" when absent or blank."""
    if cv is None:
        return ""
    if cv.usable and cv.value is not None:
        return fmt_number(cv.value)
    return "" if cv.raw is None else str(cv.raw).strip()


def _key_text(data: ReportData, key: str) -> str:
    if key.startswith("info."):
        field = key.removeprefix("info.")
        if field == "year" and data.year is not None:
            return str(data.year)
        return data.info.get(field, "").strip()
    if key.startswith("text."):
        return data.text(key.removeprefix("text."))
    return cell_text(data.values.get(key))


def fill_placeholders(spec: ReportSpec, data: ReportData, text: str) -> str:
    """``text`` with every known placeholder replaced by its value; unknown or valueless ones stay as written."""

    def sub(match: re.Match[str]) -> str:
        key = resolve(spec, match.group(1))
        value = _key_text(data, key) if key is not None else ""
        return value or match.group(0)

    return PLACEHOLDER.sub(sub, text)


def _paragraph(line: str) -> Paragraph:
    lead = LEAD.match(line)
    return Paragraph(lead.group(0), line[lead.end():]) if lead else Paragraph("", line)


def _header_ancestors(table: Table, row: Row) -> list[Row]:
    found: list[Row] = []
    parent = row.parent
    while parent is not None:
        up = table.row(parent)
        if up.kind == "header":
            found.append(up)
        parent = up.parent
    return found[::-1]


def _column_paths(table: Table) -> list[tuple[tuple[str, int], ...]]:
    """For each column, the spanning headers above its label, outermost first, as (label, identity) pairs."""
    top = ((table.column_group_header, 0),) if table.column_group_header else ()
    if not table.column_groups:
        return [(*top, *(((c.group, -1),) if c.group else ())) for c in table.columns]
    paths: dict[str, tuple[tuple[str, int], ...]] = {}
    numbers = count(1)

    def walk(groups: tuple[ColumnGroup, ...], prefix: tuple[tuple[str, int], ...]) -> None:
        for group in groups:
            here = (*prefix, (group.label, next(numbers)))
            paths.update(dict.fromkeys(group.columns, here))
            walk(group.subgroups, here)

    walk(table.column_groups, ())
    return [(*top, *paths.get(c.id, ())) for c in table.columns]


def _widths(depth: int, n_data: int) -> tuple[float, ...]:
    """Label columns take a third (one label column) or half (nested labels) of the width; data columns share
    the rest equally. Outer group-label columns are narrow (9 % each), the innermost takes what is left."""
    if depth == 0:
        return tuple(1 / n_data for _ in range(n_data))
    labels = 0.34 if depth == 1 else 0.5
    outer = [0.09] * (depth - 1)
    return (*outer, labels - sum(outer), *(((1 - labels) / n_data),) * n_data)


def build_table(table: Table, data: ReportData) -> TableModel:
    """The grid of one spec table: caption row, column headers with their spans, labels at every level, values."""
    labelled = [r for r in table.data_rows if r.label]
    depth = max((len(_header_ancestors(table, r)) + 1 for r in labelled), default=0)
    n_data = len(table.columns)
    n_cols = depth + n_data
    cells: list[GridCell] = []
    top = 0
    if table.caption:
        cells.append(GridCell(0, 0, table.caption, "caption", colspan=n_cols))
        top = 1
    paths = _column_paths(table)
    levels = max((len(p) for p in paths), default=0) + 1
    if depth:
        cells.append(GridCell(top, 0, table.note or table.row_header or "", "corner", rowspan=levels, colspan=depth))
    for level in range(levels - 1):
        i = 0
        while i < n_data:
            if len(paths[i]) <= level:
                i += 1
                continue
            j = i
            while j + 1 < n_data and paths[j + 1][: level + 1] == paths[i][: level + 1]:
                j += 1
            cells.append(GridCell(top + level, depth + i, paths[i][level][0], "column", colspan=j - i + 1))
            i = j + 1
    for i, col in enumerate(table.columns):
        cells.append(GridCell(top + len(paths[i]), depth + i, col.label, "column", rowspan=levels - len(paths[i])))
    header_rows = top + levels
    grid_row = header_rows
    for row in table.rows:
        ancestors = _header_ancestors(table, row)
        if row.kind == "header":
            span = sum(1 for r in table.data_rows if row in _header_ancestors(table, r))
            cells.append(GridCell(grid_row, len(ancestors), row.label or "", "group", rowspan=max(span, 1)))
            continue
        if depth:
            start = len(ancestors)
            cells.append(GridCell(grid_row, start, row.label or "", "row", colspan=depth - start))
        for i, col in enumerate(table.columns):
            key = f"{table.id}.{row.id}.{col.id}"
            cells.append(GridCell(grid_row, depth + i, cell_text(data.values.get(key)), "value", key=key))
        grid_row += 1
    cells.sort(key=lambda c: (c.row, c.col))
    widths = _widths(depth, n_data)
    wide = PORTRAIT_TEXT_MM * sum(widths[depth:]) / n_data < MIN_DATA_COLUMN_MM
    return TableModel(table.id, grid_row, n_cols, header_rows, tuple(cells), widths, wide)


def build_report(spec: ReportSpec, data: ReportData, forced_findings: Sequence[Finding] = ()) -> ReportModel:
    """The document model of the report on ``data`` in the format ``spec``."""
    sections = []
    for section in spec.sections:
        if section.kind == "text":
            text = fill_placeholders(spec, data, data.text(section.id))
            lines = [line.strip() for line in text.splitlines()]
            paragraphs = tuple(_paragraph(line) for line in lines if line)
            sections.append(SectionModel(section.id, section.title, paragraphs, (), blank=not paragraphs))
        else:
            tables = tuple(build_table(spec.table(t), data) for t in section.tables)
            sections.append(SectionModel(section.id, section.title, (), tables, blank=False))
    title = report_title(spec, data)
    return ReportModel(
        title=title,
        title_lines=title_lines(spec, title),
        sections=tuple(sections),
        notice=tuple(f.message.get("zh") for f in forced_findings),
        organ=data.organ,
        date=data.info.get("date", "").strip(),
    )
