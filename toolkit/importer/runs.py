"""Read the rows of a table whose cells were printed as runs of digits, all rows of the table at once.

:class:`~toolkit.importer.rows.RowReader` sets such rows aside (:class:`~toolkit.importer.rows.Pending`); once the
table's rows are located, :func:`settle` turns each into candidate readings (:func:`~toolkit.importer.solve.split_run`),
adds the rows already read as fixed readings, and lets :func:`~toolkit.importer.solve.solve` choose with the format's
linear equalities. Rows with one best reading are imported, each value with the run it came from and how many
readings the run had; the others are named, with their candidates, and not imported.
"""

from __future__ import annotations

import functools
import itertools
from typing import TYPE_CHECKING

from toolkit.importer.document import Kind, Token
from toolkit.importer.solve import (
    Check,
    Reading,
    Refused,
    RowChoices,
    Within,
    compact,
    crossings,
    delimited,
    solve,
    split_run,
)
from toolkit.messages import msg
from toolkit.spec.models import Severity, Table

if TYPE_CHECKING:
    from toolkit.importer.rows import Pending, RowReader

MAX_SHOWN = 4
"""Candidate readings shown per undecided row."""


@functools.cache
def table_checks(format_id: str, table_id: str) -> tuple[Check, ...]:
    """The format's error-level linear equalities whose cells all lie in ``table_id`` (what a reading must obey)."""
    from toolkit.rules.linear import linear_checks
    from toolkit.spec.load import load_spec

    prefix = f"{table_id}."
    return tuple(
        Check(c.id, c.lhs, c.rhs) for c in linear_checks(load_spec(format_id))
        if c.op == "eq" and c.rule.severity is Severity.ERROR and all(k.startswith(prefix) for k in c.cells)
    )


def _within(checks: tuple[Check, ...], keys: tuple[str, ...]) -> list[Within]:
    """The checks among one row's own cells, as column positions."""
    at = {k: i for i, k in enumerate(keys)}
    return [(tuple(at[k] for k in c.lhs), tuple(at[k] for k in c.rhs)) for c in checks
            if all(k in at for k in (*c.lhs, *c.rhs))]


def _pieces(reader: RowReader, pending: Pending, kinds: list[str], within: list[Within]
            ) -> tuple[list[Reading], list[int], list[tuple[Token, ...]]]:
    """Readings of a pending row's cells (runs split, other cells as they are): the cells, the spaces they cross,
    and for each cell the token it came from."""
    tokens = [reader.tokens[i] for i in pending.cells]
    fixed = sum(1 for t in tokens if t.kind is not Kind.RUN)
    runs = [t for t in tokens if t.kind is Kind.RUN]
    free = len(kinds) - fixed
    readings: list[Reading] = []
    penalties: list[int] = []
    origins: list[tuple[Token, ...]] = []
    if free < len(runs):
        return [], [], []
    for sizes in _compositions(free, len(runs)):
        offsets = _layout(tokens, sizes)
        per_run: list[list[tuple[Reading, int]]] = []
        for run, size, at in zip(runs, sizes, offsets, strict=True):
            found, packed = split_run(run.text, kinds[at:at + size], within if size == len(kinds) else ())
            per_run.append([(r, crossings(packed, r)) for r in found])
        for combo in itertools.product(*per_run):
            cells: list[str] = []
            where: list[Token] = []
            it = iter(combo)
            for t in tokens:
                part = next(it)[0] if t.kind is Kind.RUN else (t.text,)
                cells.extend(part)
                where.extend([t] * len(part))
            readings.append(tuple(cells))
            penalties.append(sum(p for _, p in combo))
            origins.append(tuple(where))
    return readings, penalties, origins


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    """Ways to give ``parts`` runs at least one cell each, ``total`` cells in all."""
    if parts == 1:
        return [(total,)]
    return [(first, *rest) for first in range(1, total - parts + 2) for rest in _compositions(total - first, parts - 1)]


def _layout(tokens: list[Token], sizes: tuple[int, ...]) -> list[int]:
    """The column at which each run starts, given how many cells each run takes."""
    starts, column, k = [], 0, 0
    for t in tokens:
        if t.kind is Kind.RUN:
            starts.append(column)
            column += sizes[k]
            k += 1
        else:
            column += 1
    return starts


def settle(reader: RowReader, table: Table) -> None:
    """Read the pending rows of ``table`` (see the module docstring); notes go to ``reader.out.uncertain``."""
    pending = [p for p in reader.pending if p.table == table.id]
    if not pending:
        return
    reader.pending = [p for p in reader.pending if p.table != table.id]
    spec = reader.spec
    kinds = [str(spec.cells[f"{table.id}.{table.data_rows[0].id}.{c.id}"].value) for c in table.columns]
    checks = table_checks(spec.id, table.id)
    rows: list[RowChoices] = []
    owners: list[Pending | None] = []
    sources: dict[int, list[tuple[Token, ...]]] = {}
    for row in table.data_rows:
        keys = tuple(f"{table.id}.{row.id}.{c.id}" for c in table.columns)
        if all(k in reader.out.values for k in keys):
            values = [reader.out.values[k] for k in keys]
            rows.append(RowChoices(keys, [tuple("" if v.value is None else str(v.value) for v in values)], [0]))
            owners.append(None)
    for p in pending:
        keys = tuple(f"{table.id}.{p.row.id}.{c.id}" for c in table.columns)
        try:
            readings, penalties, origins = _pieces(reader, p, kinds, _within(checks, keys))
        except Refused as refused:
            reader.out.uncertain.append(msg(refused.reason, row=p.hit.text, table=p.name, where=reader._loc(p.cells),
                                            **refused.fields))
            continue
        if not readings:
            reader.out.uncertain.append(msg("import.solve.none", table=p.name, row=p.hit.text,
                                            where=reader._loc(p.cells), cells=len(keys), run=reader._shown(p.cells)))
            continue
        sources[len(rows)] = origins
        rows.append(RowChoices(keys, readings, penalties, len(readings)))
        owners.append(p)
    if not checks:
        _settle_alone(reader, table, rows, owners, sources)
        return
    solution = solve(rows, checks)
    for r, owner in enumerate(owners):
        if owner is None:
            continue
        p = owner
        if r in solution.chosen:
            c = solution.chosen[r]
            _import(reader, table, p, rows[r].readings[c], sources[r][c], rows[r].total_readings)
        else:
            _undecided(reader, p, solution.ambiguous.get(r, rows[r].readings), exhausted=solution.exhausted)


def _settle_alone(reader: RowReader, table: Table, rows: list[RowChoices], owners: list[Pending | None],
                  sources: dict[int, list[tuple[Token, ...]]]) -> None:
    """Rows of a table without equalities (二): one reading, or spaces that delimit exactly one, else undecided."""
    for r, (choices, p) in enumerate(zip(rows, owners, strict=True)):
        if p is None:
            continue
        picks = list(range(len(choices.readings)))
        runs = [reader.tokens[i] for i in p.cells if reader.tokens[i].kind is Kind.RUN]
        if len(picks) > 1 and len(runs) == 1:
            packed = compact(runs[0].text)
            picks = [c for c in picks if delimited(packed, choices.readings[c])] or picks
        if len(picks) == 1:
            _import(reader, table, p, choices.readings[picks[0]], sources[r][picks[0]], choices.total_readings)
        else:
            _undecided(reader, p, [choices.readings[c] for c in picks], exhausted=False)


def _import(reader: RowReader, table: Table, p: Pending, reading: Reading, origins: tuple[Token, ...],
            count: int) -> None:
    runs = " / ".join(reader.tokens[i].text for i in p.cells if reader.tokens[i].kind is Kind.RUN)
    reader.record_cells(table, p.row, list(zip(reading, origins, strict=True)), p.hit.text, run=(runs, count))


def _undecided(reader: RowReader, p: Pending, readings: list[Reading], *, exhausted: bool) -> None:
    shown = "；".join("、".join(r) for r in readings[:MAX_SHOWN])
    more = len(readings) - MAX_SHOWN
    key = "import.solve.exhausted" if exhausted else "import.solve.ambiguous"
    reader.out.uncertain.append(msg(key, table=p.name, row=p.hit.text, where=reader._loc(p.cells),
                                    run=reader._shown(p.cells), count=len(readings), readings=shown,
                                    more=msg("import.solve.more", count=more) if more > 0 else ""))
