"""Reading one row of an official table: find its label, take its cells, decide whether they fit, import them.

A row is mapped only when its cells fit the columns: exactly as many cells as columns (blank cells that are
really there count), nothing but blanks after them. A collapsed run of empty cells (``||||``) or a short row
means the positions are unknown: the row is reported as uncertain and nothing of it is imported. A row cut off
by the end of the text keeps its leading cells only when they sit on its label's ``|`` line and an earlier row of
the same table was complete on one line (that layout keeps blank cells, so the leading columns are certain);
a last cell the text ends inside (no closing ``|``) is never taken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.data import CellValue, LabelSeen, Location
from toolkit.importer.document import Document, Kind, Token
from toolkit.labels import core, fold, similar, strip_enumerator
from toolkit.messages import msg
from toolkit.normalise import normalise
from toolkit.spec.models import ReportSpec, Row, Table

Order = tuple[int, int, int]
"""Position in report order: (section, table, row); headings are (section, -1, -1)."""
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Gap:
    """Something the source does not hold, named for the user; the cause is settled once all is read."""

    order: Order
    """Where it belongs in the report."""
    key: str
    """Message key (``import.missing.*``)."""
    fields: dict[str, Any]
    """Message fields (without ``cause``)."""
    cut: bool = False
    """True when it is known to be cut off by the end of the text."""


@dataclass
class TableResult:
    """What the tables yielded."""

    values: dict[str, CellValue] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    labels: list[LabelSeen] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    found: list[Order] = field(default_factory=list)
    origins: dict[str, dict[str, object]] = field(default_factory=dict)
    """Cell key → where it came from: source line, character span, and for a split run the run and its readings."""


@dataclass(frozen=True)
class Pending:
    """A row whose cells hold a run of digits: it is read once all rows of its table are known."""

    table: str
    row: Row
    hit: Hit
    cells: tuple[int, ...]
    """Token indices of its cells (runs, values, blanks)."""
    order: Order
    name: str
    """The table as the user knows it (for messages)."""


@dataclass(frozen=True)
class Hit:
    """A row label found in the cells."""

    start: int
    """Index of its first cell."""
    size: int
    """How many cells it spans (a label broken over lines spans several; 0 for 四's unlabeled row)."""
    text: str
    """The label as printed."""


class RowReader:
    """Row-level reading over the cells of ``doc``; :class:`toolkit.importer.tables.TableReader` builds on it."""

    def __init__(self, doc: Document, spec: ReportSpec) -> None:
        self.doc, self.spec = doc, spec
        self.tokens: list[Token] = doc.tokens
        self.cores = [core(t.text) if t.kind is Kind.TEXT else "" for t in self.tokens]
        """Each cell's label core ("" for values and blanks), computed once."""
        self.consumed: set[int] = set()
        self.one_line_tables: set[str] = set()
        """Tables with a complete row on one ``|`` line: their layout keeps every cell, blank ones included."""
        self.out = TableResult()
        self.pending: list[Pending] = []
        self.known = self._known_labels()

    def _known_labels(self) -> frozenset[str]:
        found: set[str] = set()
        for table in self.spec.tables.values():
            found.update(core(c.label) for c in table.columns)
            found.update(core(r.label) for r in table.rows if r.label)
            found.update(core(a) for r in table.rows for a in r.aliases)
        found.update(core(s.title) for s in self.spec.sections)
        return frozenset(found - {""})

    def _loc(self, tokens: Sequence[int]) -> str:
        wheres = list(dict.fromkeys(self.tokens[i].place for i in tokens))
        return wheres[0] if len(wheres) == 1 else f"{wheres[0]}–{wheres[-1]}"

    def _shown(self, tokens: Sequence[int]) -> str:
        shown = {Kind.BLANK: "（空）", Kind.GAP: "（若干空格）"}
        return "、".join(self.tokens[i].text or shown.get(self.tokens[i].kind, "") for i in tokens)

    # --- finding labels and cells -------------------------------------------------------------------------
    def _match_at(self, i: int, target: str, end: int, fuzzy: bool) -> Hit | None:
        found = self.cores[i]
        if not found:
            return None
        if found == target or (fuzzy and found not in self.known and similar(found, target)):
            return Hit(i, 1, self.tokens[i].text)
        joined, texts = found, [self.tokens[i].text]
        for j in range(i + 1, min(i + 4, end)):
            if len(joined) < 2 or not target.startswith(joined) or self.tokens[j].kind is not Kind.TEXT:
                break
            joined += self.cores[j]
            texts.append(self.tokens[j].text)
            if joined == target:
                return Hit(i, len(texts), "".join(texts))
        return None

    def _find(self, label: str | Sequence[str], start: int, end: int, *, fuzzy: bool = False) -> Hit | None:
        """The first label (the official one or a known variant) at or after ``start``, before ``end``.

        A short numbered label (3.其他) is not taken where the text prints the words without the number (the
        column header 其他).
        """
        labels = [label] if isinstance(label, str) else list(label)
        targets = list(dict.fromkeys(core(text) for text in labels if core(text)))
        numbered = any(strip_enumerator(fold(text)) != fold(text) and len(core(text)) <= 2 for text in labels)
        for i in range(start, min(end, len(self.tokens))):
            if i in self.consumed:
                continue
            if numbered and strip_enumerator(fold(self.tokens[i].text)) == fold(self.tokens[i].text):
                continue
            for target in targets:
                if hit := self._match_at(i, target, end, fuzzy):
                    return hit
        return None

    def _cells(self, hit: Hit) -> tuple[list[int], int]:
        """The cells after a row label (up to the next label) and where they stop."""
        j, cells = hit.start + hit.size, list[int]()
        while j < len(self.tokens):
            tok = self.tokens[j]
            if tok.kind is Kind.TEXT:
                if not cells and fold(tok.text) == fold(hit.text):
                    j += 1
                    continue
                break
            cells.append(j)
            j += 1
        return cells, j

    def _one_line(self, cells: list[int], label: int | None) -> bool:
        """Whether a row's cells all sit on its label's ``|`` line."""
        if label is None or not self.tokens[label].row:
            return False
        return all(self.tokens[c].line == self.tokens[label].line for c in cells)

    def _padding(self, c: int) -> bool:
        """Whether a cell is an empty ``|`` line of its own (what archives print for a label's spanned cells)."""
        tok = self.tokens[c]
        return tok.kind is Kind.BLANK and not tok.row

    def _place(self, cells: list[int], n: int, stop: int, label: int | None, table: str) -> list[int | None] | None:
        """Cells per column (None: cut off), or None when the columns are uncertain.

        A row cut off by the end of the text keeps its leading cells only when they sit on its label's ``|`` line
        and an earlier row of the table was complete that way (so the layout keeps blank cells in place).
        """
        kinds = [self.tokens[c].kind for c in cells]
        texts = {fold(self.tokens[c].text) for c in cells}
        if n == 1 and len(cells) > 1 and set(kinds) == {Kind.VALUE} and len(texts) == 1:
            return [cells[0]]  # one merged cell that a converter repeated
        surplus = len(cells) - n
        if surplus > 0 and all(self._padding(c) for c in cells[:surplus]) and Kind.VALUE in kinds[n:]:
            cells, kinds = cells[surplus:], kinds[surplus:]  # a lone "|" line after the label: the label's padding
        head, rest = cells[:n], cells[n:]
        fits = Kind.GAP not in kinds[:n] and all(k is not Kind.VALUE for k in kinds[n:])
        if len(head) == n and fits and all(self.tokens[c].terminated for c in head):
            if self._one_line(head, label):
                self.one_line_tables.add(table)
            return list(head)
        if stop < len(self.tokens) or Kind.GAP in kinds or rest:
            return None
        complete = [c for c in head if self.tokens[c].terminated]
        if table in self.one_line_tables and self._one_line(head, label):
            return [*complete, *([None] * (n - len(complete)))]
        return [None] * n

    # --- recording ----------------------------------------------------------------------------------------
    def _record(self, table: Table, row: Row, placed: Sequence[int | None], found_label: str) -> list[str]:
        """Import a placed row; returns the labels of the columns that were cut off."""
        cells = [None if idx is None else (self.tokens[idx].text, self.tokens[idx]) for idx in placed]
        return self.record_cells(table, row, cells, found_label)

    def record_cells(self, table: Table, row: Row, cells: Sequence[tuple[str, Token] | None], found_label: str,
                     run: tuple[str, int] | None = None) -> list[str]:
        """Import a row's cells (text as printed, the token it came from); returns the columns cut off.

        ``run`` is (the digits as printed, how many readings they had) for cells split out of a run.
        """
        lost = []
        for col, cell in zip(table.columns, cells, strict=True):
            if cell is None:
                lost.append(col.display)
                continue
            raw, tok = cell
            key = f"{table.id}.{row.id}.{col.id}"
            plain = _PLAIN_NUMBER.fullmatch(raw)
            # more than 15 digits is no count (and int() refuses 4300): read as a float, which normalise judges
            whole = "." not in raw and len(raw) <= 15
            source: object = (int(raw) if whole else float(raw)) if plain else (raw if raw else None)
            value, status, note = normalise(source, self.spec.cells[key].value)
            self.out.values[key] = CellValue(key, value, raw, status, Location(self.doc.name, tok.place), note)
            shown = raw or "（空）"
            self.out.provenance[key] = msg("import.provenance.cell", file=self.doc.name, where=tok.place,
                                           row=found_label, column=col.display, raw=shown)
            origin: dict[str, object] = {"where": tok.where, "span": list(tok.span) if tok.span else None}
            if run is not None:
                self.out.provenance[key] += msg("import.provenance.run", run=run[0], readings=run[1])
                origin.update(run=run[0], readings=run[1])
            self.out.origins[key] = origin
        return lost

    def _label_seen(self, official: str, found: str, token: int) -> None:
        if fold(found) != fold(official):
            self.out.labels.append(LabelSeen(official, found, Location(self.doc.name, self.tokens[token].where)))

    def _read_row(self, table: Table, row: Row, hit: Hit, order: Order, name: str) -> tuple[int, str | None, bool]:
        """Read the row whose label is ``hit``: (where its cells stop, an uncertainty or None, cut off entirely)."""
        cells, stop = self._cells(hit)
        self.consumed.update(range(hit.start, hit.start + hit.size))
        self.consumed.update(cells)
        runs = [c for c in cells if self.tokens[c].kind is Kind.RUN]
        whole = all(self.tokens[c].terminated and self.tokens[c].kind is not Kind.GAP for c in cells)
        if runs and whole:
            if row.label:
                self._label_seen(row.label, hit.text, hit.start)
            self.pending.append(Pending(table.id, row, hit, tuple(cells), order, name))
            self.out.found.append(order)
            return stop, None, False
        placed = self._place(cells, len(table.columns), stop, hit.start if hit.size else None, table.id)
        if placed is None:
            self.out.found.append(order)
            return stop, msg("import.uncertain.row", row=hit.text, where=self._loc([hit.start, *cells]),
                             count=len([c for c in cells if self.tokens[c].kind is not Kind.GAP]),
                             cells=self._shown(cells) or "（无）"), False
        if all(p is None for p in placed):
            return stop, None, True
        if row.label:
            self._label_seen(row.label, hit.text, hit.start)
        lost = self._record(table, row, placed, hit.text)
        self.out.found.append(order)
        if lost:
            fields = {"table": name, "row": row_name(table, row), "columns": quoted(lost)}
            key = "import.missing.columns" if row.label else "import.missing.table_columns"
            self.out.gaps.append(Gap(order, key, fields, cut=True))
        return stop, None, False


def row_name(table: Table, row: Row) -> str:
    """A row as the user finds it: 三's items with their group (（三）不予公开 8.属于行政查询事项)."""
    if row.parent and row.level == 3:
        return f"{table.row(row.parent).label} {row.label}"
    return row.label or ""


def quoted(items: Sequence[str]) -> str:
    """“a”、“b”."""
    return "、".join(f"“{item}”" for item in items)
