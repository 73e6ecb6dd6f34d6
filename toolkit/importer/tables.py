"""Map the cells of a published report to the official tables, importing only what is certain.

Tables are found by their row labels (the official text after :func:`~toolkit.importer.text.core`), in report
order: the rows of 二's sub-tables, then 三's 23/25 rows, each searched after the one before; 四 by its header.
After a row label come its cells, up to the next label (see :mod:`toolkit.importer.rows`). The same reading
serves every layout — one value per line (the seed), ``|`` rows (``a | 1 | 2 |``), one value per ``|`` line,
paragraphs, HTML and Word rows — because each has been turned into cells by :mod:`toolkit.importer.extract`.
Rows a page lacks are named (a run of rows at once); numbers no official row claims are reported, not imported.
"""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.importer.document import Document, Kind
from toolkit.importer.rows import Gap, Hit, Order, RowReader, TableResult, quoted, row_name
from toolkit.importer.runs import settle
from toolkit.importer.sections import Heading
from toolkit.labels import compatible, core, format_markers
from toolkit.messages import msg
from toolkit.spec.models import ReportSpec, Row, Table

__all__ = ["Gap", "Order", "TableReader", "TableResult", "row_name"]


class TableReader(RowReader):
    """Reads every official table of ``spec`` from ``doc``; :meth:`read` returns a :class:`TableResult`."""

    def __init__(self, doc: Document, spec: ReportSpec, headings: dict[str, Heading]) -> None:
        super().__init__(doc, spec)
        first: dict[int, int] = {}
        for i, tok in enumerate(self.tokens):
            first.setdefault(tok.line, i)
        self.heading_at = {sid: first[h.line] for sid, h in headings.items()}
        self.section_index = {s.id: k for k, s in enumerate(spec.sections)}
        self.first_row: int | None = None
        self.foreign = set().union(*(m for fid, m in format_markers().items() if fid != spec.id))
        for sid in self.heading_at:
            self.out.found.append((self.section_index[sid], -1, -1))

    def _bounds(self, sid: str, fallback_start: int) -> tuple[int, int]:
        """Where a section's tables are searched: from its heading (or ``fallback_start``) to a later heading."""
        start = self.heading_at.get(sid, fallback_start)
        k = self.section_index[sid]
        later = [pos for s, pos in self.heading_at.items() if self.section_index[s] > k and pos > start]
        return start, min(later, default=len(self.tokens))

    def read(self) -> TableResult:
        """Read 二, 三 and 四."""
        after = self._section2()
        after = self._table_by_rows("s3", self.spec.section("s3").tables[0], after)
        self._section4(after)
        return self.out

    def _section2(self) -> int:
        section = self.spec.section("s2")
        k = self.section_index["s2"]
        start, end = self._bounds("s2", 0)
        cursor = start
        missing_tables = []
        for t, tid in enumerate(section.tables):
            found_any, cursor = self._sub_table(tid, k, t, cursor, end)
            if not found_any:
                missing_tables.append(t)
        if len(missing_tables) == len(section.tables):
            self.out.gaps = [g for g in self.out.gaps if g.order[0] != k]
            self.out.gaps.append(Gap((k, 0, 0), "import.missing.table", {"section": section.title}))
        if self.first_row is not None:
            self._orphans(section.title, self.first_row, cursor)
        return cursor

    def _sub_table(self, tid: str, k: int, t: int, cursor: int, end: int) -> tuple[bool, int]:
        table = self.spec.table(tid)
        name = f"{self.spec.section('s2').title}：{table.caption}"
        rows = table.data_rows
        hits = self._locate_rows(rows, cursor, end)
        if not hits:
            hits = self._locate_rows(rows, 0, len(self.tokens))
        if not hits:
            labels = "、".join(r.label or "" for r in rows)
            self.out.gaps.append(Gap((k, t, 0), "import.missing.sub_table", {"table": name, "rows": labels}))
            return False, cursor
        first = min(h.start for h in hits.values())
        self.first_row = first if self.first_row is None else min(first, self.first_row)
        if not self._header_fits(table, cursor if cursor <= first else 0, first, name):
            self.out.found.append((k, t, 0))
            for hit in hits.values():
                self.consumed.update(self._cells(hit)[0])
            return True, max(self._cells(h)[1] for h in hits.values())
        stop = self._rows(table, rows, hits, (k, t), name, cursor)
        settle(self, table)
        return True, stop

    def _locate_rows(self, rows: Sequence[Row], start: int, end: int) -> dict[str, Hit]:
        """Row id → label hit, exact labels in order first, then near-labels between the exact ones."""
        hits: dict[str, Hit] = {}
        cursor = start
        for row in rows:
            hit = self._find([row.label or "", *row.aliases], cursor, end)
            if hit:
                hits[row.id] = hit
                cursor = hit.start + hit.size
        for i, row in enumerate(rows):
            if row.id in hits:
                continue
            lo = max((hits[r.id].start + hits[r.id].size for r in rows[:i] if r.id in hits), default=start)
            hi = min((hits[r.id].start for r in rows[i + 1:] if r.id in hits), default=end)
            hit = self._find([row.label or "", *row.aliases], lo, hi, fuzzy=True)
            if hit:
                hits[row.id] = hit
        return hits

    def _header_fits(self, table: Table, start: int, first_row: int, name: str) -> bool:
        """Check the header cells before the first row against the columns; False on another format's header."""
        window = range(start, first_row)
        anchor = core(table.row_header or "")
        marks = [i for i in window if self.cores[i] == anchor]
        if not anchor or not marks:
            return True
        header = [i for i in range(marks[-1] + 1, first_row) if self.tokens[i].kind is Kind.TEXT]
        pairs: list[tuple[str, int, str]] = []
        for col in table.columns:
            if not header:
                break
            i = header.pop(0)
            text, target = self.tokens[i].text, core(col.label)
            while header and target.startswith(core(text + self.tokens[header[0]].text)):
                text += self.tokens[header.pop(0)].text
            pairs.append((col.label, i, text))
        wrong = [(o, t) for o, _, t in pairs if not compatible(core(t), core(o)) and core(t) in self.foreign]
        if wrong:
            found, official = "、".join(t for _, t in wrong), "、".join(o for o, _ in wrong)
            self.out.uncertain.append(msg("import.uncertain.header", table=name, format=self.spec.id,
                                          found=found, official=official))
            return False
        for official, i, text in pairs:
            if compatible(core(text), core(official)):
                self._label_seen(official, text, i)
        return True

    def _rows(self, table: Table, rows: Sequence[Row], hits: dict[str, Hit], at: tuple[int, int], name: str,
              cursor: int) -> int:
        """Read the located rows; name the missing and the uncertain ones. Returns where the table ends."""
        stops: dict[str, int] = {}
        doubtful: list[str] = []
        for i, row in enumerate(rows):
            if row.id not in hits:
                continue
            stop, doubt, cut = self._read_row(table, row, hits[row.id], (*at, i), name)
            if cut:
                del hits[row.id]
                continue
            stops[row.id] = stop
            if doubt:
                doubtful.append(doubt)
        if doubtful:
            self.out.uncertain.append(msg("import.uncertain.rows", table=name, columns=len(table.columns),
                                          rows="；".join(doubtful)))
        run: list[Row] = []
        for maybe in [*rows, None]:
            if maybe is not None and maybe.id not in hits:
                run.append(maybe)
            elif run:
                self._missing_run(table, rows, run, hits, stops, at, name, cursor)
                run = []
        return max(stops.values(), default=cursor)

    def _missing_run(self, table: Table, rows: Sequence[Row], run: list[Row], hits: dict[str, Hit],
                     stops: dict[str, int], at: tuple[int, int], name: str, cursor: int) -> None:
        """Name a run of rows the source lacks — or, when numbers sit where they should be, say so."""
        first, last = rows.index(run[0]), rows.index(run[-1])
        before = [r.id for r in rows[:first] if r.id in stops]
        after = [r.id for r in rows[last + 1:] if r.id in hits]
        if after:
            end = hits[after[0]].start
            if before:
                lo = stops[before[-1]]
            else:
                anchor = core(table.row_header or "")
                marks = [i for i in range(cursor, end) if anchor and self.cores[i] == anchor]
                lo = marks[-1] + 1 if marks else cursor
            window = [i for i in range(lo, end) if self.tokens[i].kind is Kind.VALUE and i not in self.consumed]
            if window:
                self.consumed.update(window)
                self.out.found.append((*at, first))
                self.out.uncertain.append(msg("import.uncertain.unlabeled", table=name,
                                              rows=quoted([row_name(table, r) for r in run]),
                                              where=self._loc(window), cells=self._shown(window)))
                return
        names = [row_name(table, r) for r in run]
        if not after and len(run) > 1:
            self.out.gaps.append(Gap((*at, first), "import.missing.rows_from", {"table": name, "row": names[0]}))
        elif len(run) > 3:
            fields = {"table": name, "first": names[0], "last": names[-1], "count": len(run)}
            self.out.gaps.append(Gap((*at, first), "import.missing.rows_range", fields))
        else:
            self.out.gaps.append(Gap((*at, first), "import.missing.rows", {"table": name, "rows": quoted(names)}))

    def _table_by_rows(self, sid: str, tid: str, after: int) -> int:
        section = self.spec.section(sid)
        k = self.section_index[sid]
        table = self.spec.table(tid)
        start, end = self._bounds(sid, after)
        rows = table.data_rows
        hits = self._locate_rows(rows, start, end)
        if not hits:
            self.out.gaps.append(Gap((k, 0, 0), "import.missing.table", {"section": section.title}))
            return start
        stop = self._rows(table, rows, hits, (k, 0), section.title, start)
        settle(self, table)
        # every located row may have been cut off (deleted from ``hits``): then there is nothing to scan
        self._orphans(section.title, min((h.start for h in hits.values()), default=stop), stop)
        return stop

    def _section4(self, after: int) -> None:
        section = self.spec.section("s4")
        k = self.section_index["s4"]
        table = self.spec.table(section.tables[0])
        start, end = self._bounds("s4", after)
        header = {core(c.label) for c in table.columns}
        groups = list(table.column_groups)
        while groups:
            group = groups.pop()
            header.add(core(group.label))
            groups.extend(group.subgroups)
        anchor = self._find(table.column_groups[0].label, start, end)
        if anchor is None:
            self.out.gaps.append(Gap((k, 0, 0), "import.missing.table", {"section": section.title}))
            return
        last = j = anchor.start
        while j < end and (self.tokens[j].kind in (Kind.BLANK, Kind.GAP) or self.cores[j] in header):
            last = j if self.tokens[j].kind is Kind.TEXT else last
            j += 1
        begin = last + 1
        if self.tokens[last].row:
            begin = next((i for i in range(last + 1, len(self.tokens))
                          if self.tokens[i].line != self.tokens[last].line), len(self.tokens))
        hit = Hit(begin, 0, section.title)
        cells = self._cells(hit)[0]
        _, doubt, cut = self._read_row(table, table.data_rows[0], hit, (k, 0, 0), section.title)
        settle(self, table)
        if cut:
            self.out.gaps.append(Gap((k, 0, 0), "import.missing.row_cut", {"table": section.title}, cut=True))
        if doubt:
            self.out.uncertain.append(msg("import.uncertain.table_row", table=section.title,
                                          columns=len(table.columns), where=self._loc(cells or [begin]),
                                          count=len(cells), cells=self._shown(cells) or "（无）"))
        self.consumed.update(range(anchor.start, begin))

    def _orphans(self, name: str, start: int, stop: int) -> None:
        """Values inside a table that no official row claimed (a 小计 row a report added, stray numbers)."""
        run: list[int] = []
        for i in [*range(start, stop), None]:
            if i is not None and self.tokens[i].kind is Kind.VALUE and i not in self.consumed:
                run.append(i)
                continue
            if run and (i is None or self.tokens[i].kind is Kind.TEXT):
                self.consumed.update(run)
                self.out.uncertain.append(msg("import.uncertain.orphans", table=name, where=self._loc(run),
                                              cells=self._shown(run)))
                run = []
