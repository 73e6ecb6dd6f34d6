"""Find the official tables in a workbook laid out by hand, by the labels the format prints.

Labels are compared after folding what does not change their meaning: whitespace and line breaks, full-width vs
ASCII punctuation (（）：，／), quotes. A label is matched *exactly* (after that folding), by its *core* (item
number such as "（一）"/"1." and parenthesised notes dropped, "本年增/减" = "本年增减"), or *fuzzily* (similarity
≥ 0.8, e.g. 对外公开总数 for 对外公开总数量); core and fuzzy matches are recorded as
:class:`~toolkit.data.LabelSeen`. Row labels are taken top to bottom in the format's order; each column header
is the nearest matching cell above the table's first row (for 四, whose row has no label, the headers under
行政复议/行政诉讼 and the row below them). The format is told by the labels only one format prints
(本年新制作数量 … vs 本年制发件数 …), derived from the two format files.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from toolkit.data import LabelSeen, Location, TextValue
from toolkit.errors import LayoutError, UnknownFormatError
from toolkit.labels import SIMILAR_AT_LEAST, core, fold, parse_title, plain, ratio, score_formats
from toolkit.messages import msg
from toolkit.normalise import parse_year
from toolkit.record import field, record
from toolkit.spec.load import available_formats, format_for_year, load_spec
from toolkit.spec.models import ColumnGroup, ReportSpec, Row, Table
from toolkit.workbook.a1 import a1
from toolkit.workbook.book import Book
from toolkit.workbook.cells import text_of
from toolkit.workbook.locate import Located
from toolkit.workbook.marker import MARKER_SHEET

EXACT, CORE, FUZZY = 3, 2, 1
FUZZY_AT_LEAST = SIMILAR_AT_LEAST
HEADER_BAND = 8
"""How many rows above a table's first row its column headers may sit."""
FUZZY_BUDGET = 50_000
"""Fuzzy label comparisons allowed per workbook."""
MAX_TEXTS = 100_000
"""Text cells indexed per workbook."""
MAX_LABEL = 200
"""Longer texts are narrative, not labels."""
ANYWHERE = range(0, 1 << 21)

INFO_SYNONYMS: dict[str, tuple[str, ...]] = {
    "organ": ("填报单位", "单位名称", "报送单位"),
    "year": ("年度",),
    "phone": ("电话",),
    "date": ("填报日期", "成文日期"),
}
"""Other labels hand-made forms use for the 基本信息 fields (besides the format's own)."""

def norm(text: str) -> str:
    """The key for an exact match: :func:`toolkit.labels.fold` (width, whitespace, quotes, traditional forms)."""
    return fold(text)


@record(frozen=True)
class TextCell:
    """A text cell of the workbook."""

    sheet: str
    row: int
    col: int
    raw: str
    norm: str
    core: str

    @property
    def location(self) -> Location:
        """Where it is."""
        return Location(self.sheet, a1(self.row, self.col))


@record
class Index:
    """Every text cell of the workbook, by folded text, by core, and by sheet in row order."""

    cells: list[TextCell] = field(default_factory=list)
    by_norm: dict[str, list[TextCell]] = field(default_factory=dict)
    by_core: dict[str, list[TextCell]] = field(default_factory=dict)
    by_sheet: dict[str, list[TextCell]] = field(default_factory=dict)
    fuzzy_budget: int = FUZZY_BUDGET
    """Fuzzy comparisons left: bounds the time a large foreign workbook can take."""
    memo: dict[str, list[tuple[int, TextCell]]] = field(default_factory=dict)

    def add(self, cell: TextCell) -> None:
        self.cells.append(cell)
        self.by_norm.setdefault(cell.norm, []).append(cell)
        self.by_core.setdefault(cell.core, []).append(cell)
        self.by_sheet.setdefault(cell.sheet, []).append(cell)

    def find(self, label: str) -> list[tuple[int, TextCell]]:
        """Cells matching ``label`` exactly (after folding) or by core, with their quality."""
        found = self.memo.get(label)
        if found is None:
            folded = norm(label)
            key = core(folded)
            found = [(EXACT, c) for c in self.by_norm.get(folded, ())]
            if key:
                found += [(CORE, c) for c in self.by_core.get(key, ()) if c.norm != folded]
            self.memo[label] = found
        return found

    def fuzzy(self, label: str, sheet: str, rows: range) -> list[tuple[int, TextCell]]:
        """Cells on ``sheet`` within ``rows`` whose core is similar to the label's (ratio ≥ 0.8)."""
        key = core(norm(label))
        cells = self.by_sheet.get(sheet, [])
        if len(key) < 3 or not rows or not cells:
            return []
        start = bisect.bisect_left(cells, rows.start, key=lambda c: c.row)
        found: list[tuple[int, TextCell]] = []
        for cell in cells[start:]:
            if cell.row >= rows.stop or self.fuzzy_budget <= 0:
                break
            if not cell.core or len(cell.core) > 2 * len(key):
                continue
            self.fuzzy_budget -= 1
            if ratio(cell.core, key) >= FUZZY_AT_LEAST:
                found.append((FUZZY, cell))
        return found


def build_index(book: Book) -> Index:
    """Index the text cells of every worksheet but the template's hidden marker sheet (at most ``MAX_TEXTS``)."""
    index = Index()
    for sheet in book.sheet_names:
        grid = book.grid(sheet) if sheet != MARKER_SHEET else None
        if grid is None:
            continue
        for row, col, value in grid.cells():
            if isinstance(value, str) and len(value) <= MAX_LABEL and value.strip():
                folded = norm(value)
                index.add(TextCell(sheet, row, col, value, folded, core(folded)))
                if len(index.cells) >= MAX_TEXTS:
                    return index
    return index


def _group_labels(groups: tuple[ColumnGroup, ...]) -> list[str]:
    labels: list[str] = []
    for group in groups:
        labels.append(group.label)
        labels += _group_labels(group.subgroups)
    return labels


def _table_labels(table: Table) -> list[str]:
    labels = [row.label for row in table.rows if row.label] + [col.label for col in table.columns]
    return labels + _group_labels(table.column_groups) + ([table.caption] if table.caption else [])


class _TableFinder:
    """Locates one table's cells."""

    def __init__(self, book: Book, index: Index, table: Table) -> None:
        self.book, self.index, self.table = book, index, table
        self.cells: dict[str, Location] = {}
        self.labels: list[LabelSeen] = []
        own = {norm(label) for label in _table_labels(table)}
        self.claimed = {id(c) for folded in own for c in index.by_norm.get(folded, ())}

    def _candidates(
        self, label: str, sheet: str, rows: range, left: int, fuzzy_rows: range | None = None
    ) -> list[tuple[int, TextCell]]:
        """Exact or core matches on ``sheet`` within ``rows``, right of ``left``; else fuzzy ones in ``fuzzy_rows``.

        Core and fuzzy matches never take a cell that exactly matches another label of the table.
        """
        found = [(q, c) for q, c in self.index.find(label) if c.sheet == sheet and c.row in rows and c.col > left
                 and (q == EXACT or id(c) not in self.claimed)]
        if found:
            return found
        fuzzy = self.index.fuzzy(label, sheet, rows if fuzzy_rows is None else fuzzy_rows)
        return [(q, c) for q, c in fuzzy if c.col > left and id(c) not in self.claimed]

    def _next_anchor(self, later: tuple[Row, ...], sheet: str, previous: int) -> int | None:
        """The first row below ``previous`` where a later row label is matched exactly or by core."""
        rows = [c.row for r in later for _, c in self.index.find(r.label or "")
                if c.sheet == sheet and c.row > previous]
        return min(rows) if rows else None

    def _seen(self, label: str, quality: int, cell: TextCell) -> None:
        if quality != EXACT:
            self.labels.append(LabelSeen(label, cell.raw.strip(), cell.location))

    def _pick_sheet(self, labels: list[str]) -> str | None:
        score: Counter[str] = Counter()
        for label in labels:
            for sheet in {c.sheet for q, c in self.index.find(label) if q >= CORE}:
                score[sheet] += 1
        return score.most_common(1)[0][0] if score else None

    def locate(self) -> None:
        if any(row.label for row in self.table.data_rows):
            self._locate_rows()
        else:
            self._locate_single_row()

    def _locate_rows(self) -> None:
        rows = self.table.data_rows
        sheet = self._pick_sheet([r.label for r in rows if r.label])
        if sheet is None:
            return
        placed: dict[str, TextCell] = {}
        previous = -1
        for i, row in enumerate(rows):
            anchor = self._next_anchor(rows[i + 1 :], sheet, previous)
            if anchor is not None:
                fuzzy_rows = range(previous + 1, anchor)
            else:
                fuzzy_rows = range(previous + 1, previous + 12 + 2 * (len(rows) - i)) if previous >= 0 else range(0)
            options = self._candidates(row.label or "", sheet, range(previous + 1, ANYWHERE.stop), -1, fuzzy_rows)
            if not options:
                continue
            quality, cell = min(options, key=lambda qc: (-qc[0], qc[1].row, qc[1].col))
            placed[row.id] = cell
            previous = cell.row
            self._seen(row.label or "", quality, cell)
        if not placed:
            return
        first = min(c.row for c in placed.values())
        left = min(c.col for c in placed.values())
        columns = self._locate_columns(sheet, range(max(0, first - HEADER_BAND), first), left)
        for row_id, label_cell in placed.items():
            for col_id, header in columns.items():
                if header.col > label_cell.col:
                    key = f"{self.table.id}.{row_id}.{col_id}"
                    self.cells[key] = Location(sheet, a1(label_cell.row, header.col))

    def _locate_single_row(self) -> None:
        anchors = _group_labels(self.table.column_groups) or [c.label for c in self.table.columns]
        sheet = self._pick_sheet(anchors)
        if sheet is None:
            return
        found = [c for label in anchors for q, c in self._candidates(label, sheet, ANYWHERE, -1, range(0))]
        if not found:
            return
        anchor = min(found, key=lambda c: (c.row, c.col))
        columns = self._locate_columns(sheet, range(anchor.row, anchor.row + 6), anchor.col - 1)
        grid = self.book.grid(sheet)
        if not columns or grid is None:
            return
        value_row = max(grid.bottom_of(c.row, c.col) for c in columns.values()) + 1
        for col_id, header in columns.items():
            self.cells[f"{self.table.id}.{self.table.data_rows[0].id}.{col_id}"] = Location(sheet, a1(value_row,
                                                                                                     header.col))

    def _locate_columns(self, sheet: str, band: range, left: int) -> dict[str, TextCell]:
        """Column id → its header cell within ``band`` rows, right of column ``left``."""
        placed: dict[str, TextCell] = {}
        repeats = Counter(col.label for col in self.table.columns)
        taken: dict[str, int] = Counter()
        for col in self.table.columns:
            options = self._candidates(col.label, sheet, band, left)
            if not options:
                continue
            if repeats[col.label] > 1:
                best = max(q for q, _ in options)
                ordered = sorted((c for q, c in options if q == best), key=lambda c: (c.col, c.row))
                if taken[col.label] >= len(ordered):
                    continue
                cell, quality = ordered[taken[col.label]], best
                taken[col.label] += 1
            else:
                quality, cell = min(options, key=lambda qc: (-qc[0], -qc[1].row, qc[1].col))
            placed[col.id] = cell
            self._seen(col.label, quality, cell)
        return placed


def _detect_format(index: Index, year: int | None) -> str:
    """The format whose own labels (those the other format does not print) appear most; ties go by year."""
    score = score_formats(index.by_core)
    best = max(score.values())
    leaders = [fid for fid, s in score.items() if s == best]
    if len(leaders) > 1 and year is not None:
        try:
            by_year = format_for_year(year)
        except UnknownFormatError:
            by_year = leaders[-1]
        if by_year in leaders:
            return by_year
    return leaders[-1]


def _right_of(book: Book, cell: TextCell) -> tuple[object, Location] | None:
    grid = book.grid(cell.sheet)
    for col in range(cell.col + 1, cell.col + 7):
        value = grid.get(cell.row, col) if grid is not None else None
        if value is not None and text_of(value):
            return value, Location(cell.sheet, a1(cell.row, col))
    return None


def _find_info(book: Book, index: Index, spec: ReportSpec) -> dict[str, tuple[object, Location]]:
    """基本信息 fields: a value right of its label, or "机关名称：南口镇" in one cell, or the report title."""
    wanted: dict[str, str] = {}
    for info_field in spec.info_fields:
        if info_field.kind != "format":
            for label in (info_field.label, *INFO_SYNONYMS.get(info_field.id, ())):
                wanted.setdefault(core(norm(label)), info_field.id)
    info: dict[str, tuple[object, Location]] = {}
    for key, field_id in wanted.items():
        for cell in index.by_core.get(key, ()) if field_id not in info else ():
            found = _right_of(book, cell)
            if found is not None:
                info[field_id] = found
                break
    for cell in index.cells:
        if ":" in cell.norm:
            field_id = wanted.get(core(cell.norm.split(":", 1)[0]), "")
            value = re.split("[:：]", cell.raw, maxsplit=1)[-1].strip()
            if field_id and value:
                info.setdefault(field_id, (value, cell.location))
        if "年度报告" in cell.raw:
            match = parse_title(plain(cell.raw))
            if match:
                info.setdefault("organ", (match[0], cell.location))
                info.setdefault("year", (str(match[1]), cell.location))
    return info


def _find_texts(book: Book, index: Index, spec: ReportSpec) -> dict[str, TextValue]:
    titles = {core(norm(s.title)) for s in spec.sections}
    texts: dict[str, TextValue] = {}
    for section in spec.text_sections:
        heads = index.by_norm.get(norm(section.title)) or index.by_core.get(core(norm(section.title)))
        if not heads:
            continue
        head = heads[0]
        right = _right_of(book, head)
        if right is not None:
            texts[section.id] = TextValue(section.id, text_of(right[0]), right[1])
            continue
        grid = book.grid(head.sheet)
        paragraphs: list[str] = []
        row = head.row + 1
        while grid is not None and row < head.row + 200:
            value = text_of(grid.get(row, head.col))
            if not value or core(norm(value)) in titles:
                break
            paragraphs.append(value)
            row += 1
        where = Location(head.sheet, a1(head.row + 1, head.col)) if paragraphs else head.location
        texts[section.id] = TextValue(section.id, "\n".join(paragraphs), where)
    return texts


def locate_by_labels(book: Book, format_id: str | None) -> Located:
    """The official tables found by their labels; :class:`LayoutError` when none is found at all."""
    index = build_index(book)
    info = _find_info(book, index, load_spec(format_id or available_formats()[-1]))
    if format_id is None:
        format_id = _detect_format(index, parse_year(info["year"][0]) if "year" in info else None)
    spec = load_spec(format_id)
    located = Located(spec.id, "labels", info=info, texts=_find_texts(book, index, spec))
    for table in spec.tables.values():
        finder = _TableFinder(book, index, table)
        finder.locate()
        located.cells.update(finder.cells)
        if finder.cells:
            located.labels += finder.labels
    if not located.cells:
        titles = "、".join(f"“{s.title}”" for s in spec.sections if s.kind == "tables")
        raise LayoutError(msg("reader.layout_missing", tables=titles), path=book.path)
    return located
