"""What carries over from last year's report into this year's workbook (``toolkit template --from``).

Derived from the format's own cross-year rules: a ``cross_year`` rule whose left side is one cell of
this year and whose right side names only last year's cells defines that cell's carried value
(e.g. 上年结转 = last year's 结转下年度继续办理). No carry-over is written down twice.
"""

from __future__ import annotations

import itertools
from typing import Any

from toolkit.data import CellValue, Number, ReportData, ValueStatus
from toolkit.normalise import exact_sum
from toolkit.rules.crossyear import parse_term
from toolkit.rules.linear import foreach_values
from toolkit.spec.models import ReportSpec

CARRIED_INFO = ("organ", "contact", "phone")
"""基本信息 fields copied from last year's workbook."""


def carried_values(previous: ReportData, spec: ReportSpec) -> dict[str, Number]:
    """This year's cells whose values follow from last year's report alone, with those values."""
    values: dict[str, Number] = {}
    for rule in spec.rules:
        if rule.type != "cross_year" or previous.format_id not in [str(f) for f in rule.params["previous_formats"]]:
            continue
        foreach: dict[str, Any] = dict(rule.params.get("foreach") or {})
        names = list(foreach)
        for combo in itertools.product(*[foreach_values(spec, foreach[n]) for n in names]):
            env = dict(zip(names, combo, strict=True))
            lhs = [parse_term(str(p).format(**env)) for p in rule.params["lhs"]]
            rhs = [parse_term(str(p).format(**env)) for p in rule.params["rhs"]]
            if len(lhs) != 1 or lhs[0][1] or lhs[0][0] != 1 or not all(prev for _, prev, _ in rhs):
                continue
            parts = [previous.values.get(key) for _, _, key in rhs]
            if any(cv is None or not cv.usable for cv in parts):
                continue
            values[lhs[0][2]] = exact_sum(sign * cv.as_number for (sign, _, _), cv in zip(rhs, parts, strict=True)
                                          if cv is not None)
    return values


def next_year_data(previous: ReportData, spec: ReportSpec, year: int | None = None) -> ReportData:
    """Report data for the year after ``previous``: organ and contacts, and every carried value."""
    next_year = year if year is not None else (previous.year + 1 if previous.year else None)
    info = {k: previous.info[k] for k in CARRIED_INFO if previous.info.get(k)}
    if next_year is not None:
        info["year"] = str(next_year)
    info["format"] = spec.id
    values = {k: CellValue(k, v, v, ValueStatus.OK) for k, v in carried_values(previous, spec).items()}
    return ReportData(format_id=spec.id, info=info, values=values)
