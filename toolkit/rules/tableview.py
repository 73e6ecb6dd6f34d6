"""One pass over a report's table cells that every table rule reads, and what the format fixes, derived once.

The table rules (sums, value kinds, blanks, ranges, text in sums, normalised values) each used to walk every cell
and look its status up again; a folder run checks thousands of workbooks. :func:`table_view` classifies the
cells once per check (kept in the rule context), and :func:`compiled` derives once per format what does not
depend on the data (the cells' value kinds and order, each rule's expanded linear checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from toolkit.data import SUMMABLE, Number, ValueStatus
from toolkit.record import field, record
from toolkit.rules.linear import LinearCheck
from toolkit.rules.registry import RuleContext
from toolkit.spec.models import ReportSpec, RuleSpec, ValueKind

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")


_UNUSABLE = frozenset(ValueStatus) - SUMMABLE
"""Statuses of a cell present but not a number a sum can use (blank and placeholder count as 0)."""
_NO_KIND = frozenset({ValueStatus.BLANK, ValueStatus.PLACEHOLDER, ValueStatus.OUT_OF_RANGE})
"""Statuses the value-kind rule does not judge (blanks and ranges have findings of their own)."""


@record
class Compiled:
    """What a format fixes for the table rules."""

    spec: ReportSpec
    """The format (held, so that the id the cache is keyed by stays its own)."""
    kinds: dict[str, ValueKind]
    """Table cell key → its value kind, in the format's cell order."""
    order: dict[str, int]
    """Table cell key → its position in the format's cell order (findings are reported in it)."""
    section_cells: dict[str, tuple[str, ...]]
    """Section id → the table cells of its tables."""
    checks: dict[int, tuple[RuleSpec, tuple[LinearCheck, ...]]] = field(default_factory=dict)
    """id(rule) → (rule, its expanded checks)."""
    memo: dict[tuple[str, int], tuple[RuleSpec, Any]] = field(default_factory=dict)
    """(what, id(rule)) → (rule, what a rule derives from its parameters once: compiled patterns, …)."""

    def derived(self, what: str, rule: RuleSpec, derive: Callable[[RuleSpec], T]) -> T:
        """``derive(rule)``, computed once per format and rule."""
        hit = self.memo.get((what, id(rule)))
        if hit is None or hit[0] is not rule:
            hit = self.memo[what, id(rule)] = (rule, derive(rule))
        return hit[1]  # what derive made: a T (Any to mypy; no typing.cast at run time)

    def linear(self, rule: RuleSpec, expand: Callable[[ReportSpec, RuleSpec], Iterator[LinearCheck]]
               ) -> tuple[LinearCheck, ...]:
        """The rule's checks, expanded once."""
        hit = self.checks.get(id(rule))
        if hit is None or hit[0] is not rule:
            hit = self.checks[id(rule)] = (rule, tuple(expand(self.spec, rule)))
        return hit[1]


_COMPILED: dict[int, Compiled] = {}


def compiled(spec: ReportSpec) -> Compiled:
    """The table rules' view of ``spec``, derived once per format object."""
    hit = _COMPILED.get(id(spec))
    if hit is None or hit.spec is not spec:
        if len(_COMPILED) > 64:  # specs built on the fly (tests, a desk's rules file): keep the cache small
            _COMPILED.clear()
        kinds = {key: cell.value for key, cell in spec.cells.items()}
        sections = {s.id: tuple(k for k, c in spec.cells.items() if c.table in s.tables) for s in spec.sections}
        hit = _COMPILED[id(spec)] = Compiled(spec, kinds, {key: i for i, key in enumerate(kinds)}, sections)
    return hit


@record
class TableView:
    """The table cells of one report, classified once."""

    numbers: dict[str, Number]
    """Present cell → its value as the sums see it (blank, placeholder and text left out of sums: 0)."""
    in_format: int
    """How many present cells are cells of the format."""
    missing: frozenset[str]
    """Cells of the format absent from the data."""
    unusable: frozenset[str]
    """Present cells that are not a number a sum can use (words, an Excel error, an impossible magnitude, and a
    number typed as text, which the workbook's own SUM leaves out)."""
    floats: frozenset[str]
    """Present cells whose number is not an int (a sum over them is added exactly, as decimals)."""
    bad_kind: list[str]
    """Cells whose value is not of their kind (value_kind's findings), in the format's order."""
    kind_judged: int
    """Cells value_kind judges."""
    blanks: list[str]
    """Blank or placeholder cells, in the format's order."""
    out_of_range: list[str]
    """Cells over the magnitude limit, in the data's order."""
    normalised: list[str]
    """Cells readable only after normalisation (and counted in sums), in the data's order."""
    left_out: list[str]
    """Numbers typed as text in cells the workbook sums, in the data's order."""

    @property
    def skipped(self) -> frozenset[str]:
        """Cells a sum cannot use: missing or unusable."""
        return self.missing | self.unusable


def table_view(ctx: RuleContext) -> TableView:
    """The report's table cells classified (once per check: kept in ``ctx.extra``)."""
    view = ctx.extra.get("table_view")
    if isinstance(view, TableView):
        return view
    comp = compiled(ctx.spec)
    kinds = comp.kinds
    numbers: dict[str, Number] = {}
    unusable: list[str] = []
    bad_kind: list[str] = []
    blanks: list[str] = []
    out_of_range: list[str] = []
    normalised: list[str] = []
    left_out: list[str] = []
    floats: list[str] = []
    signed, ok = ValueKind.SIGNED_COUNT, ValueStatus.OK
    for key, cv in ctx.data.values.items():
        kind = kinds.get(key)
        if kind is None:
            continue
        status, value = cv.status, cv.value
        if status is ok and type(value) is int and not cv.left_out_of_sums:  # the common case, decided here
            numbers[key] = value
            if value < 0 and kind is not signed:
                bad_kind.append(key)
            continue
        number = value if value is not None and not cv.left_out_of_sums else 0
        numbers[key] = number
        if type(number) is not int:
            floats.append(key)
        if status in _UNUSABLE or cv.left_out_of_sums:  # text: the workbook's SUM leaves it out, as its 校验 does
            unusable.append(key)
        if status in _NO_KIND:
            (out_of_range if status is ValueStatus.OUT_OF_RANGE else blanks).append(key)
        elif _bad_kind(status, value, kind):
            bad_kind.append(key)
        if cv.left_out_of_sums:
            left_out.append(key)
        elif status is ValueStatus.NORMALISED:
            normalised.append(key)
    judged = len(numbers) - len(blanks) - len(out_of_range)
    missing = frozenset(kinds.keys() - numbers.keys()) if len(numbers) < len(kinds) else frozenset()
    order = comp.order.__getitem__
    view = TableView(numbers, len(numbers), missing, frozenset(unusable), frozenset(floats),
                     sorted(bad_kind, key=order), judged, sorted(blanks, key=order), out_of_range, normalised, left_out)
    ctx.extra["table_view"] = view
    return view


def _bad_kind(status: ValueStatus, value: Number | None, kind: ValueKind) -> bool:
    """Whether a judged cell's value is not of its kind (text and Excel errors are not numbers)."""
    if status in (ValueStatus.INVALID, ValueStatus.EXCEL_ERROR) or value is None:
        return True
    if kind is ValueKind.COUNT:
        return value < 0 or (type(value) is not int and not float(value).is_integer())
    if kind is ValueKind.SIGNED_COUNT:
        return type(value) is not int and not float(value).is_integer()
    return value < 0
