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

Every step is bounded: a run longer than its cells can hold is refused at once; a row's readings are counted
before they are listed, and a row with more than :data:`MAX_READINGS` is listed only where it satisfies its own
sums (四's groups), within :data:`MAX_STEPS`, or refused; the joint search holds at most :data:`MAX_STATES`
partial sums, and past that decides only what the digits alone decide — a hostile 10^6-digit line costs a length
comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MAX_CELL_CHARS = 9
"""Characters one cell may hold in a run (a count up to 999,999,999 or an amount such as 12345.678)."""
MAX_READINGS = 20_000
"""Readings of one row beyond which it is refused as undecidable."""
MAX_STATES = 50_000
"""Distinct partial sums the joint search of one table may hold at a time."""
MAX_SOLUTIONS = 64
"""Equally good table readings counted at most (the count is reported, never used to choose)."""
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
    hard: frozenset[int] = frozenset()
    """Positions a unit (5件0件…) separated: a cell ends there for certain."""


_COUNTED = re.compile(r"(?<=\d)\s*[件条个项]\s*(?=\d)")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def compact(text: str) -> Compact:
    """The run ``text`` as :class:`Compact`: full-width forms folded, spaces (and commas between cells) kept as
    hints, a unit between numbers (5件0件) a certain boundary; a run that is one number with thousands separators
    (``1,205``) loses its commas."""
    body = unicodedata.normalize("NFKC", text).strip()
    if _THOUSANDS.fullmatch(body):
        body = body.replace(",", "")
    body = _COUNTED.sub("\x00", body.replace(",", " "))
    unit = next((u for u in UNITS if body.endswith(u)), "")
    if unit:
        body = body[: -len(unit)].rstrip()
    chars: list[str] = []
    spaces: set[int] = set()
    hard: set[int] = set()
    for ch in body:
        if ch == "\x00":
            hard.add(len(chars))
        elif ch.isspace():
            if chars:
                spaces.add(len(chars))
        else:
            chars.append(ch)
    return Compact("".join(chars), frozenset(spaces), unit, frozenset(hard))


_COUNT = re.compile(r"0|[1-9]\d*")
_SIGNED = re.compile(r"0|-?[1-9]\d*")
_AMOUNT = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


def cell_pattern(kind: str) -> re.Pattern[str]:
    """What one cell of a value kind may look like inside a run (count, signed_count, amount)."""
    return {"signed_count": _SIGNED, "amount": _AMOUNT}.get(kind, _COUNT)


def _ends(chars: str, pos: int, pattern: re.Pattern[str], hard: frozenset[int] = frozenset()) -> list[int]:
    """Where a cell starting at ``pos`` may end (exclusive), shortest first; it never runs past a ``hard`` boundary."""
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
        if end in hard:
            break
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
            total = sum(ways[k + 1][end] for end in _ends(chars, pos, patterns[k], run.hard))
            ways[k][pos] = min(total, MAX_READINGS + 1)
    return ways[0][0]


Within = tuple[tuple[int, ...], tuple[int, ...]]
"""A check among the cells of one row: (lhs column positions, rhs column positions)."""
MAX_STEPS = 2_000_000
"""Steps of the pruned enumeration of one long run."""


def split_run(text: str, kinds: Sequence[str], within: Sequence[Within] = ()) -> tuple[list[Reading], Compact]:
    """Every reading of the run ``text`` as ``len(kinds)`` cells of those value kinds, and the compacted run.

    A run with more than :data:`MAX_READINGS` readings is enumerated only where it satisfies ``within`` (the
    checks among the row's own cells, such as 四's group totals), and refused when even those are too many.
    Raises :class:`Refused` when the run is longer than its cells can hold or cannot be decided within budget;
    returns no readings when none is valid (too few digits, a leading zero …).
    """
    run = compact(text)
    n = len(kinds)
    if len(run.chars) > n * MAX_CELL_CHARS:
        raise Refused("import.solve.too_long", digits=len(run.chars), cells=n)
    count = count_readings(run, kinds)
    pruned = count > MAX_READINGS
    if pruned and not within:
        raise Refused("import.solve.too_many", cells=n, limit=MAX_READINGS)
    closing: dict[int, list[Within]] = {}
    for check in within if pruned else ():
        closing.setdefault(max((*check[0], *check[1])), []).append(check)
    patterns = [cell_pattern(k) for k in kinds]
    out: list[Reading] = []
    steps = [0]
    numbers: list[Decimal] = []

    def holds(k: int) -> bool:
        return all(sum(numbers[i] for i in lhs) == sum(numbers[i] for i in rhs) for lhs, rhs in closing.get(k, ()))

    def walk(pos: int, k: int, cells: list[str]) -> None:
        steps[0] += 1
        if steps[0] > MAX_STEPS or len(out) > MAX_READINGS:
            return
        if k == n:
            if pos == len(run.chars):
                last = cells[-1] + run.unit if run.unit and cells else None
                out.append((*cells[:-1], last) if last is not None else tuple(cells))
            return
        remaining = n - k - 1
        for end in _ends(run.chars, pos, patterns[k], run.hard):
            left = len(run.chars) - end
            if remaining <= left <= remaining * MAX_CELL_CHARS:
                cells.append(run.chars[pos:end])
                numbers.append(number(cells[-1]))
                if not pruned or holds(k):
                    walk(end, k + 1, cells)
                numbers.pop()
                cells.pop()

    if count:
        walk(0, 0, [])
    if pruned and (steps[0] > MAX_STEPS or len(out) > MAX_READINGS):
        raise Refused("import.solve.too_many", cells=n, limit=MAX_READINGS)
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
    """The readings of ``rows`` that break the fewest ``checks``; among those, the fewest spaces crossed.

    Dynamic programming over the rows in turn: a state is, for every check still open, the difference of its two
    sides so far; readings that lead to the same state merge, and a check is scored when its last row is read.
    A first pass keeps only each row's readings that break no check of that row alone (a consistent table is
    decided there); when that pass leaves rules broken, a second pass over every reading is bounded by it.
    Readings tie only when they reach the best score by different choices: such rows are returned as ambiguous.
    """
    key_row = {key: r for r, row in enumerate(rows) for key in row.keys}
    live = [c for c in checks if all(k in key_row for k in (*c.lhs, *c.rhs))]
    col = {key: i for row in rows for i, key in enumerate(row.keys)}
    values = [[[value(cell) for cell in reading] for reading in row.readings] for row in rows]
    touches = [sorted({key_row[k] for k in (*c.lhs, *c.rhs)}) for c in live]
    own = [[ci for ci, t in enumerate(touches) if t == [r]] for r in range(len(rows))]

    def delta(r: int, choice: int, ci: int) -> Decimal:
        check, vals = live[ci], values[r][choice]
        return (sum((vals[col[k]] for k in check.lhs if key_row[k] == r), Decimal(0))
                - sum((vals[col[k]] for k in check.rhs if key_row[k] == r), Decimal(0)))

    def own_breaks(r: int, choice: int) -> int:
        return sum(1 for ci in own[r] if delta(r, choice, ci) != 0)

    first = [[c for c in range(len(row.readings)) if own_breaks(r, c) == 0] or list(range(len(row.readings)))
             for r, row in enumerate(rows)]
    outcome = _search(rows, live, touches, first, delta, use_hints, bound=None)
    if outcome is not None and outcome[0][0] > 0:
        wider = _search(rows, live, touches, [list(range(len(row.readings))) for row in rows], delta, use_hints,
                        bound=outcome[0][0])
        outcome = wider  # None: the wider pass ran out of budget, so the first pass's reading is not proven best
    if outcome is None:  # over budget: only what the digits alone decide
        open_rows = {r: rows[r].readings[:5] for r in range(len(rows)) if len(rows[r].readings) > 1}
        certain = {r: 0 for r in range(len(rows)) if len(rows[r].readings) == 1}
        return Solution(certain, open_rows, [], exhausted=True)
    _, picks, count = outcome
    chosen = {r: next(iter(c)) for r, c in picks.items() if len(c) == 1}
    ambiguous = {r: [rows[r].readings[c] for c in sorted(cs)][:5] for r, cs in picks.items() if len(cs) > 1}
    broken: list[str] = []
    if not ambiguous:
        for ci, check in enumerate(live):
            if sum(delta(r, chosen[r], ci) for r in touches[ci]) != 0:
                broken.append(check.id)
    return Solution(chosen, ambiguous, broken, readings=count)


Score = tuple[int, int]
"""(rules broken, spaces crossed): lower is better, compared in that order."""


def _search(rows: Sequence[RowChoices], live: Sequence[Check], touches: list[list[int]], allowed: list[list[int]],
            delta: Callable[[int, int, int], Decimal], use_hints: bool, bound: int | None
            ) -> tuple[Score, dict[int, set[int]], int] | None:
    """Best score, the choices per row on best paths, and how many best paths; None when over budget."""
    order = sorted(range(len(rows)), key=lambda r: (len(allowed[r]) > 1, r))
    last_row = {ci: max(t, key=order.index) for ci, t in enumerate(touches)}
    Layer = dict[tuple[Decimal, ...], tuple[Score, int]]
    zero = tuple(Decimal(0) for _ in live)
    layer: Layer = {zero: ((0, 0), 1)}
    history: list[tuple[int, dict[tuple[Decimal, ...], list[tuple[tuple[Decimal, ...], int]]]]] = []
    for r in order:
        closing = [ci for ci, lr in last_row.items() if lr == r]
        nxt: Layer = {}
        back: dict[tuple[Decimal, ...], list[tuple[tuple[Decimal, ...], int]]] = {}
        for state, (score, ways) in layer.items():
            for choice in allowed[r]:
                vec = list(state)
                for ci in range(len(live)):
                    if r in touches[ci]:
                        vec[ci] += delta(r, choice, ci)
                broken = score[0] + sum(1 for ci in closing if vec[ci] != 0)
                if bound is not None and broken > bound:
                    continue
                for ci in closing:
                    vec[ci] = Decimal(0)
                hint = rows[r].penalties[choice] if use_hints and rows[r].penalties else 0
                new_score = (broken, score[1] + hint)
                key = tuple(vec)
                old = nxt.get(key)
                if old is None or new_score < old[0]:
                    nxt[key], back[key] = (new_score, ways), [(state, choice)]
                elif new_score == old[0]:
                    nxt[key] = (old[0], old[1] + ways)
                    back[key].append((state, choice))
        if len(nxt) > MAX_STATES:
            return None
        history.append((r, back))
        layer = nxt
    if not layer:
        return None
    best = min(score for score, _ in layer.values())
    ends = [state for state, (score, _) in layer.items() if score == best]
    count = sum(layer[state][1] for state in ends)
    picks: dict[int, set[int]] = {r: set() for r in range(len(rows))}
    frontier = set(ends)
    for r, back in reversed(history):
        previous: set[tuple[Decimal, ...]] = set()
        for state in frontier:
            for prev, choice in back.get(state, ()):
                picks[r].add(choice)
                previous.add(prev)
        frontier = previous
    return best, picks, min(count, MAX_SOLUTIONS)
