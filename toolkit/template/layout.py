"""Where the standard workbook puts everything: the official tables drawn as printed, computed from the spec.

Pure geometry (zero-based rows and columns), no Excel library: :mod:`toolkit.template` draws it, tests use it to
find cells. Each table sheet starts with its section title; the tables of a section follow each other with one
blank row between them. Three drawings, chosen by ``Table.layout``:

* ``simple`` (二's sub-tables): a caption row (第二十条第（一）项), a header row (信息内容 + column labels), data rows.
* ``applications`` (三): the note merged over the three label columns, 申请人情况 over all columns, 法人或其他组织
  over its five; row labels in three columns by level, a group label (三、本年度办理结果, （三）不予公开 …) merged
  down over its items, as the official table prints them.
* ``reviews`` (四): 行政复议 / 行政诉讼 → 未经复议直接起诉, 复议后起诉 over their columns, one row of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.spec.models import ColumnGroup, ReportSpec, Table

TABLE_SHEETS = ("s2", "s3", "s4")
"""Sheet keys that hold official tables, in report order."""

APPLICATION_LABEL_COLUMNS = 3
"""三's row labels take three columns: 一、…, （一）…, 1.…"""


@dataclass(frozen=True)
class Box:
    """A printed text (title, caption, header, label, note), possibly merged over several cells."""

    row: int
    col: int
    last_row: int
    last_col: int
    text: str
    role: str
    """``title``, ``caption``, ``header``, ``label`` or ``note``: how it is styled."""

    @property
    def merged(self) -> bool:
        """True when it spans more than one cell."""
        return (self.last_row, self.last_col) != (self.row, self.col)


@dataclass
class TableBlock:
    """One official table as drawn: its boxes, its data cells, and the rows its headers take."""

    table: Table
    top: int
    """First row (caption or first header row)."""
    header_rows: tuple[int, int]
    """First and last row of the column headers (repeated on printed pages)."""
    bottom: int
    """Last row."""
    boxes: list[Box] = field(default_factory=list)
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Cell key → (row, col)."""


@dataclass
class SheetLayout:
    """A table sheet: its title and its tables, top to bottom."""

    key: str
    name: str
    title: Box
    blocks: list[TableBlock] = field(default_factory=list)

    @property
    def width(self) -> int:
        """Columns used."""
        return 1 + max(max(b.last_col for b in block.boxes) for block in self.blocks)

    @property
    def cells(self) -> dict[str, tuple[int, int]]:
        """Every data cell of the sheet."""
        return {k: rc for block in self.blocks for k, rc in block.cells.items()}


def _simple(table: Table, top: int) -> TableBlock:
    n = len(table.columns)
    block = TableBlock(table, top, (top, top + 1), top + 1 + len(table.data_rows))
    block.boxes.append(Box(top, 0, top, n, table.caption or "", "caption"))
    block.boxes.append(Box(top + 1, 0, top + 1, 0, table.row_header or "", "header"))
    for c, col in enumerate(table.columns):
        block.boxes.append(Box(top + 1, c + 1, top + 1, c + 1, col.label, "header"))
    for r, row in enumerate(table.data_rows):
        block.boxes.append(Box(top + 2 + r, 0, top + 2 + r, 0, row.label or "", "label"))
        for c, col in enumerate(table.columns):
            block.cells[f"{table.id}.{row.id}.{col.id}"] = (top + 2 + r, c + 1)
    return block


def _applications(table: Table, top: int) -> TableBlock:
    first = APPLICATION_LABEL_COLUMNS
    n = len(table.columns)
    boxes = [
        Box(top, 0, top + 2, first - 1, table.note or "", "note"),
        Box(top, first, top, first + n - 1, table.column_group_header or "", "header"),
    ]
    grouped = [i for i, col in enumerate(table.columns) if col.group]
    for i, col in enumerate(table.columns):
        if col.group is None:
            boxes.append(Box(top + 1, first + i, top + 2, first + i, col.label, "header"))
        else:
            boxes.append(Box(top + 2, first + i, top + 2, first + i, col.label, "header"))
    if grouped:
        group = table.columns[grouped[0]].group or ""
        boxes.append(Box(top + 1, first + grouped[0], top + 1, first + grouped[-1], group, "header"))

    # A data row takes a sheet row; a group label sits beside its first item and is merged down over all of them.
    row_at: dict[str, int] = {}
    r = top + 3
    for row in table.rows:
        row_at[row.id] = r
        if row.has_cells:
            r += 1
    children: dict[str, list[str]] = {}
    for row in table.rows:
        if row.parent:
            children.setdefault(row.parent, []).append(row.id)

    def span(row_id: str) -> tuple[int, int]:
        kids = children.get(row_id)
        if not kids:
            return row_at[row_id], row_at[row_id]
        return span(kids[0])[0], span(kids[-1])[1]

    block = TableBlock(table, top, (top, top + 2), r - 1, boxes)
    for row in table.rows:
        at = min(row.level, first) - 1
        start, end = span(row.id)
        if not row.has_cells:
            boxes.append(Box(start, at, end, at, row.label or "", "label"))
            continue
        boxes.append(Box(start, at, start, first - 1, row.label or "", "label"))
        for i, column in enumerate(table.columns):
            block.cells[f"{table.id}.{row.id}.{column.id}"] = (start, first + i)
    return block


def _leaf_groups(groups: tuple[ColumnGroup, ...], depth: int = 0) -> list[tuple[ColumnGroup, int]]:
    out: list[tuple[ColumnGroup, int]] = []
    for group in groups:
        out.append((group, depth))
        out.extend(_leaf_groups(group.subgroups, depth + 1))
    return out


def _group_columns(group: ColumnGroup) -> list[str]:
    return [*group.columns, *(c for sub in group.subgroups for c in _group_columns(sub))]


def _reviews(table: Table, top: int) -> TableBlock:
    index = {col.id: i for i, col in enumerate(table.columns)}
    boxes: list[Box] = []
    for group, depth in _leaf_groups(table.column_groups):
        cols = [index[c] for c in _group_columns(group)]
        boxes.append(Box(top + depth, min(cols), top + depth, max(cols), group.label, "header"))
        for cid in group.columns:
            label_top = top + depth + 1
            boxes.append(Box(label_top, index[cid], top + 2, index[cid], table.column(cid).label, "header"))
    block = TableBlock(table, top, (top, top + 2), top + 3, boxes)
    (row,) = table.data_rows
    for col in table.columns:
        block.cells[f"{table.id}.{row.id}.{col.id}"] = (top + 3, index[col.id])
    return block


_DRAW = {"simple": _simple, "applications": _applications, "reviews": _reviews}


def sheet_layouts(spec: ReportSpec) -> dict[str, SheetLayout]:
    """Every table sheet of ``spec``'s workbook, by sheet key, with its tables placed from row 2 on."""
    sheets: dict[str, SheetLayout] = {}
    for section in spec.sections:
        for tid in section.tables:
            table = spec.table(tid)
            sheet = sheets.get(table.sheet)
            if sheet is None:
                title = Box(0, 0, 0, 0, section.title, "title")
                sheet = sheets[table.sheet] = SheetLayout(table.sheet, spec.sheets[table.sheet], title)
            top = sheet.blocks[-1].bottom + 2 if sheet.blocks else 2
            sheet.blocks.append(_DRAW[table.layout](table, top))
    for sheet in sheets.values():
        t = sheet.title
        sheet.title = Box(t.row, t.col, t.last_row, sheet.width - 1, t.text, t.role)
    return sheets


def cell_positions(spec: ReportSpec) -> dict[str, tuple[str, int, int]]:
    """Cell key → (sheet name, row, col) of every table cell in the standard workbook."""
    return {
        key: (sheet.name, r, c)
        for sheet in sheet_layouts(spec).values()
        for key, (r, c) in sheet.cells.items()
    }
