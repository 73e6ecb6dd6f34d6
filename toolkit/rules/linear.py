"""Linear rules: ``sum(lhs) == sum(rhs)`` or ``sum(lhs) <= sum(rhs)`` over table cells.

Two rule types expand to linear checks: ``linear`` (explicit cell patterns with ``foreach``) and
``declared_total`` (every 总计 that a table declares with ``sum_of``). The same :class:`LinearCheck`
evaluates in Python (``check``) and compiles to an Excel formula (the template's live 校验), so the two
cannot disagree.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from toolkit.data import Number, ReportData
from toolkit.normalise import exact_sum
from toolkit.record import field, record
from toolkit.spec.models import CellKind, ReportSpec, RuleSpec

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

TOLERANCE = 1e-6
"""Sums closer than this count as equal. The sums are exact (:func:`toolkit.normalise.exact_sum`), so this only
absorbs the last bit of a float amount; the live 校验 sheet uses the same tolerance."""


@record(frozen=True)
class LinearCheck:
    """One expanded instance of a linear rule: sum(lhs) <op> sum(rhs)."""

    rule: RuleSpec
    """The rule it comes from."""
    instance: str
    """The expansion key (a column id, a row id, a group), "" if not expanded."""
    lhs: tuple[str, ...]
    """Cell keys on the left."""
    op: str
    """``eq`` or ``le``."""
    rhs: tuple[str, ...]
    """Cell keys on the right."""
    fields: dict[str, str] = field(default_factory=dict)
    """Labels for the message ({c}, {r}, {group})."""
    lhs_is_total: bool = False
    """True for declared totals: lhs is the one total cell, rhs its parts (message uses actual/expected)."""

    @property
    def cells(self) -> tuple[str, ...]:
        """All cell keys involved, lhs first."""
        return self.lhs + self.rhs

    @property
    def id(self) -> str:
        """rule[instance]."""
        return f"{self.rule.id}[{self.instance}]" if self.instance else self.rule.id

    def sums(self, value: Callable[[str], Number]) -> tuple[Number, Number]:
        """(sum of lhs, sum of rhs) with ``value`` giving each cell's number."""
        return exact_sum(value(k) for k in self.lhs), exact_sum(value(k) for k in self.rhs)

    def holds(self, left: Number, right: Number) -> bool:
        """Whether the relation holds for these sums."""
        if self.op == "eq":
            return abs(left - right) <= TOLERANCE
        return left - right <= TOLERANCE

    def passes(self, data: ReportData) -> bool:
        """Evaluate on ``data`` (blanks count as 0)."""
        return self.holds(*self.sums(data.number))

    def excel_fail(self, address: Callable[[str], str]) -> str:
        """An Excel boolean expression, TRUE when the check fails; ``address`` maps a cell key to a reference.

        Uses only SUM and ABS, which Excel 2010+, WPS and LibreOffice all evaluate alike. SUM ignores text,
        so a cell holding text counts as 0 there (the Python engine skips such checks instead).
        """
        left = f"SUM({','.join(address(k) for k in self.lhs)})"
        right = f"SUM({','.join(address(k) for k in self.rhs)})"
        if self.op == "eq":
            return f"ABS({left}-{right})>{TOLERANCE}"
        return f"{left}-{right}>{TOLERANCE}"

    def excel_sides(self, address: Callable[[str], str]) -> tuple[str, str]:
        """The two sums as Excel formulas (without "="), for the 校验 sheet's value columns."""
        return (
            f"SUM({','.join(address(k) for k in self.lhs)})",
            f"SUM({','.join(address(k) for k in self.rhs)})",
        )


def foreach_values(spec: ReportSpec, source: Any) -> list[str]:
    """The values a ``foreach`` source stands for: a literal list, ``<table>.columns`` or ``<table>.data_rows``."""
    if isinstance(source, list):
        return [str(v) for v in source]
    table_id, what = str(source).split(".")
    table = spec.table(table_id)
    if what == "columns":
        return [c.id for c in table.columns]
    if what == "data_rows":
        return [r.id for r in table.data_rows]
    raise ValueError(f"unknown foreach source {source!r}")


def _label_for(spec: ReportSpec, var: str, value: str, patterns: list[str]) -> str:
    """The display label of a foreach value, found through the first pattern that uses it."""
    for pattern in patterns:
        parts = pattern.split(".")
        for pos, part in enumerate(parts):
            if part == "{" + var + "}":
                table = spec.table(parts[0])
                if pos == 2:
                    return table.column(value).display
                if pos == 1:
                    return table.row(value).label or value
    return value


def expand_linear(spec: ReportSpec, rule: RuleSpec) -> Iterator[LinearCheck]:
    """Instances of a ``linear`` rule: patterns with {var} placeholders, expanded over ``foreach``."""
    params = rule.params
    foreach: dict[str, Any] = dict(params.get("foreach") or {})
    names = list(foreach)
    patterns = list(params["lhs"]) + list(params["rhs"])
    choices = [foreach_values(spec, foreach[n]) for n in names]
    for combo in itertools.product(*choices) if names else [()]:
        env = dict(zip(names, combo, strict=True))
        lhs = tuple(p.format(**env) for p in params["lhs"])
        rhs = tuple(p.format(**env) for p in params["rhs"])
        for key in lhs + rhs:
            if key not in spec.cells:
                raise ValueError(f"rule {rule.id}: unknown cell {key}")
        labels = {n: _label_for(spec, n, v, patterns) for n, v in env.items()}
        yield LinearCheck(rule, ",".join(combo), lhs, str(params["op"]), rhs, labels)


def expand_declared_total(spec: ReportSpec, rule: RuleSpec) -> Iterator[LinearCheck]:
    """Instances of a ``declared_total`` rule: each total cell of ``table`` declared along ``along``.

    ``along: columns`` — totals declared on columns (三's 总计 column, 四's group totals), one check per
    data row and total column; ``along: rows`` — totals declared on rows (三's （七）总计), one per column.
    """
    table = spec.table(str(rule.params["table"]))
    along = rule.params["along"]
    if along == "columns":
        for col in table.columns:
            if col.kind is not CellKind.TOTAL:
                continue
            for row in table.data_rows:
                total = f"{table.id}.{row.id}.{col.id}"
                parts = tuple(f"{table.id}.{row.id}.{c}" for c in col.sum_of)
                group = (col.group or col.label).replace("/", "—")
                instance = row.id if len(table.data_rows) > 1 else col.id
                yield LinearCheck(
                    rule, instance, (total,), "eq", parts,
                    {"r": row.label or "", "c": col.display, "group": group}, lhs_is_total=True,
                )
    elif along == "rows":
        for row in table.data_rows:
            if row.kind != "total":
                continue
            for col in table.columns:
                total = f"{table.id}.{row.id}.{col.id}"
                parts = tuple(f"{table.id}.{r}.{col.id}" for r in row.sum_of)
                yield LinearCheck(
                    rule, col.id, (total,), "eq", parts,
                    {"r": row.label or "", "c": col.display}, lhs_is_total=True,
                )
    else:
        raise ValueError(f"rule {rule.id}: along must be rows or columns, not {along!r}")


def linear_checks(spec: ReportSpec) -> list[LinearCheck]:
    """Every linear check of the format, in rule order — what the template's 校验 sheet lists."""
    checks: list[LinearCheck] = []
    for rule in spec.rules:
        if rule.type == "linear":
            checks.extend(expand_linear(spec, rule))
        elif rule.type == "declared_total":
            checks.extend(expand_declared_total(spec, rule))
    return checks
