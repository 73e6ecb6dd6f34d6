"""Rules across two years of the same body's reports (``check --previous``).

``cross_year`` terms name cells of this year's report, or of last year's with a ``prev.`` prefix; a
leading ``-`` negates a term. A rule runs only when last year's report is given and is in one of the
rule's ``previous_formats`` (the 三 table is the same in both formats, so 2020 → 2021 links work).
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator
from typing import Any

from toolkit.data import Number, ReportData
from toolkit.rules.findings import CellRef, Finding
from toolkit.rules.linear import TOLERANCE, foreach_values
from toolkit.rules.registry import RuleContext, rule_type
from toolkit.spec.load import load_spec
from toolkit.spec.models import ReportSpec, RuleSpec
from toolkit.values import exact_sum


def parse_term(pattern: str) -> tuple[int, bool, str]:
    """A cross-year term: '-prev.s3.x.y' → (sign -1, previous year True, key 's3.x.y')."""
    sign = -1 if pattern.startswith("-") else 1
    pattern = pattern.lstrip("-")
    previous = pattern.startswith("prev.")
    return sign, previous, pattern.removeprefix("prev.")


def _label(spec: ReportSpec, value: str) -> str:
    """A display label for a foreach value: a column id of 三, a row id of 二（一）, or table.row."""
    if "." in value:
        table_id, row_id = value.split(".", 1)
        return spec.table(table_id).row(row_id).label or value
    for table in spec.tables.values():
        for col in table.columns:
            if col.id == value and table.id == "s3":
                return col.display
        for row in table.rows:
            if row.id == value:
                return row.label or value
    return value


def _applies(rule: RuleSpec, previous: ReportData | None) -> bool:
    return previous is not None and previous.format_id in [str(f) for f in rule.params.get("previous_formats", ())]


@rule_type("cross_year")
def cross_year(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """sum(lhs) == sum(rhs) over this year's and last year's cells, for every expansion of ``foreach``."""
    previous = ctx.previous
    if previous is None or not _applies(rule, previous):
        return
    prev_spec = load_spec(previous.format_id)
    foreach: dict[str, Any] = dict(rule.params.get("foreach") or {})
    names = list(foreach)
    for combo in itertools.product(*[foreach_values(ctx.spec, foreach[n]) for n in names]):
        env = dict(zip(names, combo, strict=True))
        sides: list[Number] = []
        cells: list[CellRef] = []
        usable = True
        for side in ("lhs", "rhs"):
            terms: list[Number] = []
            for pattern in rule.params[side]:
                sign, is_prev, key = parse_term(str(pattern).format(**env))
                data, spec = (previous, prev_spec) if is_prev else (ctx.data, ctx.spec)
                cv = data.values.get(key)
                if key not in spec.cells or cv is None or not cv.usable:
                    usable = False
                    break
                terms.append(sign * cv.as_number)
                label = spec.cells[key].label
                cells.append(CellRef(("prev." if is_prev else "") + key,
                                     f"上年 {label}" if is_prev else label, None if is_prev else cv.location))
            sides.append(exact_sum(terms))
        if not usable:
            continue
        ctx.evaluated += 1
        left, right = sides
        if abs(left - right) > TOLERANCE:
            labels = {n: _label(ctx.spec, v) for n, v in env.items()}
            yield ctx.finding(rule, cells=cells, instance=",".join(combo), expected=right, actual=left,
                              lhs=left, rhs=right, diff=abs(exact_sum([left, -right])), **labels)


@rule_type("narrative_similarity")
def narrative_similarity(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Each listed narrative section differs enough from last year's (similarity below ``at_least``)."""
    previous = ctx.previous
    if previous is None:
        return
    threshold = float(rule.params["at_least"])
    for section_id in rule.params["sections"]:
        now, before = ctx.data.text(section_id).strip(), previous.text(section_id).strip()
        if len(now) < 50 or len(before) < 50:
            continue
        ctx.evaluated += 1
        ratio = difflib.SequenceMatcher(None, now, before, autojunk=False).ratio()
        if ratio >= threshold:
            tv = ctx.data.texts.get(section_id)
            section = ctx.spec.section(section_id)
            yield ctx.finding(rule, cells=[CellRef(f"text.{section_id}", section.title, tv.location if tv else None)],
                              instance=section_id, expected=f"< {threshold:.0%}", actual=f"{ratio:.0%}",
                              section=section.title, ratio=f"{ratio:.0%}")
