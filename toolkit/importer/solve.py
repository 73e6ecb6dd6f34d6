"""Split digits that a page printed run together (``640020470``) into the table's cells, using the 勾稽 rules.

Many sites flatten the official tables to text, so a row of 三 reads ``一、本年新收政府信息公开申请数量640020470``
and 四 is one run of fifteen or more digits. Each run is cut into the row's cells in every way that gives valid
numbers (:func:`split_run`: no leading zeros, ``0.5`` kept whole, a count never a decimal); then the readings of all
rows of a table are searched together (:func:`solve`) for the one that breaks the fewest of the format's linear
equalities (三: each row's 总计 is the sum of the six applicant columns, every column's 一+二 = （七）+四, （七） is
the sum of the result rows; 四: each group's 总计 is the sum of its results). On real reports the rules leave one
reading for every consistent table; a table inconsistent as published still has a single reading that breaks the
fewest rules, and that is the reading imported (``check`` then reports what it breaks). Where several readings are
equally good, the rows they disagree on are not imported: their candidates are returned for the user to see.
Spaces inside a run are hints: among equally good readings, the one whose cells cross fewest spaces wins, when
that leaves one. A table without rules (二) takes a row only when it has a single reading, or when its spaces
delimit exactly its cells.

Every step is bounded: a run longer than its cells can hold is refused at once, a row with more than
:data:`MAX_READINGS` readings is refused (counted, not enumerated), and the joint search stops after
:data:`MAX_NODES` steps — a hostile 10^6-digit line costs a length comparison.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MAX_CELL_CHARS = 9
"""Characters one cell may hold in a run (a count up to 99,999,999 or an amount such as 12345.678)."""
MAX_READINGS = 20_000
"""Readings of one row beyond which it is refused as undecidable."""
MAX_NODES = 300_000
"""Steps of the joint search of one table."""
MAX_SOLUTIONS = 64
"""Equally good readings kept (enough to tell ambiguity and list candidates)."""
PLACEHOLDER_CHARS = frozenset("/／-—–无×")
UNITS = ("万元", "元", "件", "条", "个", "项")

Cell = str
"""A cell as printed in the reading ("12", "0.5", "/", "")."""
Reading = tuple[Cell, ...]


class Refused(Exception):
    """A run that cannot be split within the budget; ``reason`` is a message key, ``fields`` its fields."""

    def __init__(self, reason: str, **fields: object) -> None:
        super().__init__(reason)
        self.reason, self.fields = reason, fields


@dataclass(frozen=True)
class Compact:
    """A run without its spaces: the characters, where the spaces were, and a unit printed after it."""

    chars: str
    """Digits, '.', '-' and placeholders, spaces removed."""
    spaces: frozenset[int]
    """Positions in ``chars`` that a space preceded (hints for cell boundaries)."""
    unit: str = ""
    """A unit printed after the last number (元, 件 …), kept on the last cell."""


def compact(text: str) -> Compact:
    """The run ``text`` as :class:`Compact` (thousands separators are not expected inside runs)."""
    body = text.strip()
    unit = next((u for u in UNITS if body.endswith(u)), "")
    if unit:
        body = body[: -len(unit)].rstrip()
    chars: list[str] = []
    spaces: set[int] = set()
    for ch in body:
        if ch.isspace():
            if chars:
                spaces.add(len(chars))
            continue
        chars.append(ch)
    return Compact("".join(chars), frozenset(spaces), unit)


_COUNT = re.compile(r"0|[1-9]\d*")
_SIGNED = re.compile(r"0|-?[1-9]\d*")
_AMOUNT = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


def cell_pattern(kind: str) -> re.Pattern[str]:
    """What one cell of a value kind may look like inside a run (count, signed_count, amount)."""
    return {"signed_count": _SIGNED, "amount": _AMOUNT}.get(kind, _COUNT)


def _ends(chars: str, pos: int, pattern: re.Pattern[str]) -> list[int]:
    """Where a cell starting at ``pos`` may end (exclusive), shortest first."""
    if chars[pos] in PLACEHOLDER_CHARS and not (chars[pos] == "-" and pos + 1 < len(chars) and chars[pos + 1].isdigit()
                                                 and pattern is _SIGNED):
        return [pos + 1]
    out = []
    for end in range(pos + 1, min(len(chars), pos + MAX_CELL_CHARS) + 1):
        piece = chars[pos:end]
        if any(ch in PLACEHOLDER_CHARS for ch in piece[1:]) and not piece.startswith("-"):
            break
        if pattern.fullmatch(piece) and not (end < len(chars) and chars[end] == "."):
            out.append(end)
    return out


def count_readings(run: Compact, kinds: Sequence[str]) -> int:
    """How many ways ``run`` splits into ``len(kinds)`` valid cells (dynamic programming, capped above)."""
    n, chars = len(kinds), run.chars
    if not chars or len(chars) > n * MAX_CELL_CHARS or len(chars) < n:
        return 0
    patterns = [cell_pattern(k) for k in kinds]
    # ways[k][pos]: readings of chars[pos:] into cells k … n-1
    ways = [[0] * (len(chars) + 1) for _ in range(n + 1)]
    ways[n][len(chars)] = 1
    for k in range(n - 1, -1, -1):
        for pos in range(len(chars) - 1, -1, -1):
            total = sum(ways[k + 1][end] for end in _ends(chars, pos, patterns[k]))
            ways[k][pos] = min(total, MAX_READINGS + 1)
    return ways[0][0]


def split_run(text: str, kinds: Sequence[str]) -> tuple[list[Reading], Compact]:
    """Every reading of the run ``text`` as ``len(kinds)`` cells of those value kinds, and the compacted run.

    Raises :class:`Refused` when the run is longer than its cells can hold or has more than
    :data:`MAX_READINGS` readings; returns no readings when none is valid (too few digits, a leading zero …).
    """
    run = compact(text)
    n = len(kinds)
    if len(run.chars) > n * MAX_CELL_CHARS:
        raise Refused("import.solve.too_long", digits=len(run.chars), cells=n)
    count = count_readings(run, kinds)
    if count > MAX_READINGS:
        raise Refused("import.solve.too_many", cells=n, limit=MAX_READINGS)
    patterns = [cell_pattern(k) for k in kinds]
    out: list[Reading] = []

    def walk(pos: int, k: int, cells: list[str]) -> None:
        if k == n:
            if pos == len(run.chars):
                last = cells[-1] + run.unit if run.unit and cells else None
                out.append((*cells[:-1], last) if last is not None else tuple(cells))
            return
        remaining = n - k - 1
        for end in _ends(run.chars, pos, patterns[k]):
            left = len(run.chars) - end
            if remaining <= left <= remaining * MAX_CELL_CHARS:
                cells.append(run.chars[pos:end])
                walk(end, k + 1, cells)
                cells.pop()

    if count:
        walk(0, 0, [])
    return out, run


def crossings(run: Compact, reading: Reading) -> int:
    """How many of the run's spaces fall inside a cell of ``reading`` (0: every space is a cell boundary)."""
    bounds, pos = set(), 0
    for cell in reading:
        pos += len(cell.removesuffix(run.unit)) if run.unit else len(cell)
        bounds.add(pos)
    return len(run.spaces - bounds)


def delimited(run: Compact, reading: Reading) -> bool:
    """Whether the spaces of ``run`` separate exactly the cells of ``reading`` (each space a boundary, no more)."""
    return len(run.spaces) == len(reading) - 1 and crossings(run, reading) == 0


def number(cell: Cell) -> Decimal:
    """A cell's value in the rules: its number; placeholders and blanks count as 0, as in the checker."""
    body = cell
    for unit in UNITS:
        body = body.removesuffix(unit)
    try:
        return Decimal(body) if body and body not in PLACEHOLDER_CHARS else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


@dataclass
class RowChoices:
    """One row's candidate readings: its cell keys and, per reading, the cells and the spaces they cross."""

    keys: tuple[str, ...]
    """Cell keys of the row, in column order."""
    readings: list[Reading]
    """Candidate readings (one for a row whose cells are certain)."""
    penalties: list[int] = field(default_factory=list)
    """Per reading, how many spaces its cells cross (hint; 0 when the row had no run)."""
    total_readings: int = 1
    """How many valid readings the printed digits had (for provenance)."""


@dataclass(frozen=True)
class Check:
    """A linear equality the readings must satisfy: sum(lhs) == sum(rhs)."""

    id: str
    """The rule instance id (s3_balance[natural])."""
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]


@dataclass
class Solution:
    """The outcome of :func:`solve`."""

    chosen: dict[int, int]
    """Row index → reading index, for the rows every best reading agrees on."""
    ambiguous: dict[int, list[Reading]]
    """Row index → its distinct readings among the best, for rows that stay open."""
    broken: list[str]
    """Check ids the chosen reading breaks (when no row stays open)."""
    exhausted: bool = False
    """True when the search budget ran out before it could be finished."""
    readings: int = 0
    """How many equally good table readings were found (capped at :data:`MAX_SOLUTIONS`)."""


def solve(rows: Sequence[RowChoices], checks: Sequence[Check], *, use_hints: bool = True,
          value: Callable[[Cell], Decimal] = number) -> Solution:
    """The readings of ``rows`` that break the fewest ``checks`` (branch and bound over the rows' readings).

    Values are non-negative except signed counts, so a check one of whose sides is complete while the other
    already exceeds it is known to fail before its last row is chosen; that bound keeps the search small.
    """
    key_row = {key: r for r, row in enumerate(rows) for key in row.keys}
    live = [c for c in checks if all(k in key_row for k in (*c.lhs, *c.rhs))]
    order = sorted(range(len(rows)), key=lambda r: (len(rows[r].readings), r))
    touching: list[list[int]] = [[] for _ in rows]
    for ci, check in enumerate(live):
        for r in sorted({key_row[k] for k in (*check.lhs, *check.rhs)}):
            touching[r].append(ci)
    col = {key: i for row in rows for i, key in enumerate(row.keys)}
    values = [[[value(cell) for cell in reading] for reading in row.readings] for row in rows]
    early = all(v >= 0 for row in values for reading in row for v in reading)
    assigned: dict[int, int] = {}
    fails = [False] * len(live)
    best: list[dict[int, int]] = []
    best_cost = [len(live) + 1]
    nodes = [0]

    def side(keys: tuple[str, ...]) -> tuple[Decimal, bool]:
        total, complete = Decimal(0), True
        for k in keys:
            r = key_row[k]
            if r in assigned:
                total += values[r][assigned[r]][col[k]]
            else:
                complete = False
        return total, complete

    def failing(ci: int) -> bool:
        check = live[ci]
        (left, lc), (right, rc) = side(check.lhs), side(check.rhs)
        if lc and rc:
            return left != right
        return early and ((lc and right > left) or (rc and left > right))

    def walk(i: int, spent: int) -> None:
        nodes[0] += 1
        if nodes[0] > MAX_NODES or spent > best_cost[0]:
            return
        if i == len(order):
            if spent < best_cost[0]:
                best_cost[0], best[:] = spent, []
            if len(best) < MAX_SOLUTIONS:
                best.append(dict(assigned))
            return
        r = order[i]
        for choice in range(len(rows[r].readings)):
            assigned[r] = choice
            undo = [(ci, fails[ci]) for ci in touching[r]]
            delta = 0
            for ci, was in undo:
                fails[ci] = failing(ci)
                delta += fails[ci] - was
            walk(i + 1, spent + delta)
            for ci, was in undo:
                fails[ci] = was
            del assigned[r]
            if nodes[0] > MAX_NODES:
                return

    walk(0, 0)
    exhausted = nodes[0] > MAX_NODES
    if not best:
        return Solution({}, {r: rows[r].readings[:5] for r in range(len(rows)) if len(rows[r].readings) > 1},
                        [], exhausted=True)
    solutions = list(best)
    if use_hints and len(solutions) > 1:
        penalty = [sum(rows[r].penalties[c] if rows[r].penalties else 0 for r, c in s.items()) for s in solutions]
        least = min(penalty)
        solutions = [s for s, p in zip(solutions, penalty, strict=True) if p == least]
    chosen: dict[int, int] = {}
    ambiguous: dict[int, list[Reading]] = {}
    for r in range(len(rows)):
        picks = sorted({s[r] for s in solutions})
        if len(picks) == 1 and not exhausted:
            chosen[r] = picks[0]
        else:
            ambiguous[r] = [rows[r].readings[c] for c in picks][:5]
    broken: list[str] = []
    if not ambiguous:
        assigned.update(chosen)
        broken = [live[ci].id for ci in range(len(live)) if failing(ci)]
    return Solution(chosen, ambiguous, broken, exhausted=exhausted, readings=len(solutions))
