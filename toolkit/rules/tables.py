"""Rules on the table cells: sums, value kinds, blanks, normalised values, magnitudes, labels."""

from __future__ import annotations

from collections.abc import Iterator

from toolkit.data import USABLE, ValueStatus
from toolkit.messages import msg
from toolkit.normalise import MAX_MAGNITUDE, exact_sum
from toolkit.rules.findings import CellRef, Finding
from toolkit.rules.linear import LinearCheck, expand_declared_total, expand_linear
from toolkit.rules.registry import RuleContext, rule_type
from toolkit.rules.tableview import compiled, table_view
from toolkit.spec.models import RuleSpec, Severity, Text, ValueKind

KIND_NAMES = {
    ValueKind.COUNT: ("非负整数", "a whole number ≥ 0"),
    ValueKind.SIGNED_COUNT: ("整数（减少填负数）", "a whole number"),
    ValueKind.AMOUNT: ("不小于0的数字", "a number ≥ 0"),
}


def _evaluate(ctx: RuleContext, rule: RuleSpec, checks: tuple[LinearCheck, ...]) -> Iterator[Finding]:
    """Evaluate expanded linear checks. A check with a missing cell is skipped (an import names what its source
    lacks); one with a part that is not a usable number cannot be assessed, and says so (:func:`unassessed`)."""
    view = table_view(ctx)
    numbers, skipped, floats = view.numbers, view.skipped, view.floats
    get = numbers.__getitem__
    for check in checks:
        if skipped and not skipped.isdisjoint(check.cells):
            bad = [k for k in check.cells if k in view.unusable]
            if bad:
                yield unassessed(ctx, check, bad)
            continue
        ctx.evaluated += 1
        if not floats or floats.isdisjoint(check.cells):  # ints: the plain sum is exact
            left, right = sum(map(get, check.lhs)), sum(map(get, check.rhs))
        else:
            left, right = exact_sum(map(get, check.lhs)), exact_sum(map(get, check.rhs))
        if check.holds(left, right):
            continue
        values = [ctx.data.values[k] for k in check.cells]
        blanks = [ctx.cell(v.key).label for v in values if v.value is None]
        cells = [ctx.cell(k) for k in check.cells]
        if check.lhs_is_total:
            expected, actual = right, left
        else:
            expected, actual = left, right
        yield ctx.finding(
            rule,
            cells=cells,
            instance=check.instance,
            expected=expected,
            actual=actual,
            lhs=left,
            rhs=right,
            diff=abs(exact_sum([left, -right])),
            blank_cells="、".join(blanks),
            **check.fields,
        )


UNASSESSED_CODE = "sum-not-assessed"
"""The code of a sum that could not be checked (severity unassessed, 未校验)."""


def unassessed(ctx: RuleContext, check: LinearCheck, bad: list[str]) -> Finding:
    """A finding saying that ``check`` was not made because ``bad`` (its parts) are not usable numbers."""
    rule = check.rule
    shown = [ctx.cell(k) for k in bad]
    labels = shown[0].label + (msg("rules.unassessed.more", "zh", count=len(shown), others=len(shown) - 1)
                               if len(shown) > 1 else "")
    labels_en = shown[0].label + (msg("rules.unassessed.more", "en", count=len(shown), others=len(shown) - 1)
                                  if len(shown) > 1 else "")
    target = check_target(check)
    fields = {"rule": rule.title.zh, "target": target, "cells": labels}
    message = Text(msg("rules.unassessed.message", "zh", **fields),
                   msg("rules.unassessed.message", "en", rule=rule.title.en, target=target, cells=labels_en))
    return Finding(code=UNASSESSED_CODE, rule=rule.id, severity=Severity.UNASSESSED, message=message,
                   hint=Text(msg("rules.unassessed.hint", "zh"), msg("rules.unassessed.hint", "en")),
                   cells=tuple(shown), instance=check.instance, fields=fields, category=rule.category,
                   actual="、".join(str(ctx.data.values[k].raw) for k in bad)[:80])


def check_target(check: LinearCheck) -> str:
    """What a check is about, as the 校验 sheet names it: the row or column it runs along."""
    parts = [check.fields[k] for k in ("group", "r", "c") if check.fields.get(k)]
    if check.rule.type == "declared_total" and check.rule.params.get("along") == "rows":
        parts = [check.fields["c"]]
    elif check.rule.type == "declared_total":
        parts = [p for p in (check.fields.get("r"), check.fields.get("group")) if p]
    return "／".join(dict.fromkeys(parts)) or check.rule.title.zh


@rule_type("linear")
def linear(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """sum(lhs) == / <= sum(rhs) for every expansion of the rule's ``foreach``."""
    return _evaluate(ctx, rule, compiled(ctx.spec).linear(rule, expand_linear))


@rule_type("declared_total")
def declared_total(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Every 总计 the table declares equals the sum of its parts."""
    return _evaluate(ctx, rule, compiled(ctx.spec).linear(rule, expand_declared_total))


RAW_SHOWN = 40
"""Characters of a cell's raw content quoted in a message; longer content is cut with …."""


def _raw_text(raw: object) -> str:
    """A cell's content as a message quotes it: whole floats without .0, at most ``RAW_SHOWN`` characters."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e21:
        return str(int(raw))
    text = str(raw)
    return text if len(text) <= RAW_SHOWN else text[: RAW_SHOWN - 1] + "…"


@rule_type("value_kind")
def value_kind(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Counts are whole numbers ≥ 0, signed counts whole, amounts ≥ 0; text and Excel errors are not numbers."""
    view = table_view(ctx)
    ctx.evaluated += view.kind_judged
    for key in view.bad_kind:
        cv, spec_cell = ctx.data.values[key], ctx.spec.cells[key]
        zh, en = KIND_NAMES[spec_cell.value]
        raw = _raw_text(cv.raw)
        yield ctx.finding(
            rule, cells=[ctx.cell(key)], instance=key, expected=zh, actual=raw,
            cell=spec_cell.label, kind=zh, kind_en=en, raw=raw,
        )


@rule_type("blank_cells")
def blank_cells(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Blank, placeholder ("/") and missing cells are reported: a blank is not a zero.

    A cell missing from an imported report is not reported here: the import names what its source lacks,
    table by table (rule type ``import_notes``), instead of one finding per cell.
    """
    view = table_view(ctx)
    imported = ctx.data.read_mode == "import"
    ctx.evaluated += view.in_format if imported else len(ctx.spec.cells)
    keys = view.blanks if imported or not view.missing else sorted(
        [*view.blanks, *view.missing], key=compiled(ctx.spec).order.__getitem__)
    for key in keys:
        cv, spec_cell = ctx.data.values.get(key), ctx.spec.cells[key]
        if cv is None:
            note = "（未找到该栏）"
            yield ctx.finding(rule, cells=[CellRef(key, spec_cell.label)], instance=key,
                              expected=0, actual=None, cell=spec_cell.label, raw_note=note)
        elif cv.status is ValueStatus.BLANK:
            yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=0, actual=None,
                              cell=spec_cell.label, raw_note="")
        else:
            yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=0, actual=_raw_text(cv.raw),
                              cell=spec_cell.label, raw_note=f"（填的是“{_raw_text(cv.raw)}”）")


@rule_type("normalised_values")
def normalised_values(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Values that were readable only after normalisation ("3件", full-width digits) are noted as info."""
    for key in table_view(ctx).normalised:
        cv = ctx.data.values[key]
        ctx.evaluated += 1
        yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=cv.value,
                          actual=_raw_text(cv.raw), cell=ctx.spec.cells[key].label, raw=_raw_text(cv.raw),
                          value=cv.value, how=cv.note or "文本转为数字")


@rule_type("value_range")
def value_range(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """A number no count or amount can be (a pasted ID or phone number): its own finding, left out of every sum."""
    view = table_view(ctx)
    ctx.evaluated += view.in_format
    over = set(view.out_of_range)
    for key in view.out_of_range:
        if over.intersection(ctx.spec.cells[key].sum_of):
            continue  # a total over an out-of-range part: the part is the finding
        cv = ctx.data.values[key]
        raw = _raw_text(cv.raw)
        yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=f"≤ {MAX_MAGNITUDE}", actual=raw,
                          cell=ctx.spec.cells[key].label, raw=raw, limit=f"{MAX_MAGNITUDE:,}")


@rule_type("text_in_sums")
def text_in_sums(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """A number typed as text in a cell the workbook's formulas sum: the sheet's totals leave it out, so the
    text cell is the error (the totals, which show what SUM computed, are not blamed)."""
    view = table_view(ctx)
    ctx.evaluated += view.in_format
    for key in view.left_out:
        cv = ctx.data.values[key]
        raw = _raw_text(cv.raw)
        yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=cv.value, actual=raw,
                          cell=ctx.spec.cells[key].label, raw=raw, value=cv.value)


@rule_type("amount_magnitude")
def amount_magnitude(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """An amount that looks like it was written in the wrong unit (≥ ``at_least``, or noted as 元)."""
    key = str(rule.params["cell"])
    cv = ctx.data.values.get(key)
    if cv is None or cv.status not in USABLE or cv.value is None:
        return
    ctx.evaluated += 1
    if cv.value >= float(rule.params["at_least"]) or "元" in cv.note.replace("万元", ""):
        yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=None, actual=cv.value, value=cv.value)


@rule_type("labels_exact")
def labels_exact(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Labels found in a hand-made workbook or imported report that differ from the official text."""
    for seen in ctx.data.labels:
        ctx.evaluated += 1
        yield ctx.finding(
            rule,
            cells=[CellRef("", seen.official, seen.location)],
            instance=seen.official,
            expected=seen.official,
            actual=seen.found,
            found=seen.found,
            official=seen.official,
        )
