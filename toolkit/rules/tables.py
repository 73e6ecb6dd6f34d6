"""Rules on the table cells: sums, value kinds, blanks, normalised values, magnitudes, labels."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from toolkit.data import USABLE, ValueStatus
from toolkit.rules.findings import CellRef, Finding
from toolkit.rules.linear import LinearCheck, expand_declared_total, expand_linear
from toolkit.rules.registry import RuleContext, rule_type
from toolkit.spec.models import ReportSpec, RuleSpec, ValueKind
from toolkit.values import MAX_MAGNITUDE, exact_sum

KIND_NAMES = {
    ValueKind.COUNT: ("非负整数", "a whole number ≥ 0"),
    ValueKind.SIGNED_COUNT: ("整数（减少填负数）", "a whole number"),
    ValueKind.AMOUNT: ("不小于0的数字", "a number ≥ 0"),
}


def _evaluate(ctx: RuleContext, rule: RuleSpec, checks: Iterator[LinearCheck]) -> Iterator[Finding]:
    """Evaluate expanded linear checks; a check with a missing or unusable cell is not assessable (skipped)."""
    for check in checks:
        values = [ctx.data.values.get(k) for k in check.cells]
        if any(v is None or not (v.usable or v.status in (ValueStatus.BLANK, ValueStatus.PLACEHOLDER))
               for v in values):
            continue
        ctx.evaluated += 1
        left, right = check.sums(ctx.value)
        if check.holds(left, right):
            continue
        blanks = [ctx.cell(v.key).label for v in values if v is not None and v.value is None]
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


_EXPANDED: dict[tuple[int, int], tuple[ReportSpec, RuleSpec, tuple[LinearCheck, ...]]] = {}
"""(id(spec), id(rule)) → the rule's expanded checks; the entry holds spec and rule, so the ids stay theirs."""


def _expanded(spec: ReportSpec, rule: RuleSpec,
              expand: Callable[[ReportSpec, RuleSpec], Iterator[LinearCheck]]) -> Iterator[LinearCheck]:
    """The rule's checks, expanded once per process (a folder run checks thousands of workbooks)."""
    key = (id(spec), id(rule))
    hit = _EXPANDED.get(key)
    if hit is None or hit[0] is not spec or hit[1] is not rule:
        if len(_EXPANDED) > 256:  # specs built on the fly (tests): keep the cache small
            _EXPANDED.clear()
        hit = _EXPANDED[key] = (spec, rule, tuple(expand(spec, rule)))
    return iter(hit[2])


@rule_type("linear")
def linear(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """sum(lhs) == / <= sum(rhs) for every expansion of the rule's ``foreach``."""
    return _evaluate(ctx, rule, _expanded(ctx.spec, rule, expand_linear))


@rule_type("declared_total")
def declared_total(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Every 总计 the table declares equals the sum of its parts."""
    return _evaluate(ctx, rule, _expanded(ctx.spec, rule, expand_declared_total))


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
    for key, spec_cell in ctx.spec.cells.items():
        cv = ctx.data.values.get(key)
        if cv is None or cv.status in (ValueStatus.BLANK, ValueStatus.PLACEHOLDER, ValueStatus.OUT_OF_RANGE):
            continue  # out of range: its own finding (value_range)
        ctx.evaluated += 1
        value = cv.value
        bad = cv.status in (ValueStatus.INVALID, ValueStatus.EXCEL_ERROR) or value is None
        if not bad and value is not None:
            whole = float(value).is_integer()
            if spec_cell.value is ValueKind.COUNT:
                bad = value < 0 or not whole
            elif spec_cell.value is ValueKind.SIGNED_COUNT:
                bad = not whole
            else:
                bad = value < 0
        if bad:
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
    imported = ctx.data.read_mode == "import"
    for key, spec_cell in ctx.spec.cells.items():
        cv = ctx.data.values.get(key)
        if cv is None and imported:
            continue
        ctx.evaluated += 1
        if cv is None:
            note = "（未找到该栏）"
            yield ctx.finding(rule, cells=[CellRef(key, spec_cell.label)], instance=key,
                              expected=0, actual=None, cell=spec_cell.label, raw_note=note)
        elif cv.status is ValueStatus.BLANK:
            yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=0, actual=None,
                              cell=spec_cell.label, raw_note="")
        elif cv.status is ValueStatus.PLACEHOLDER:
            yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=0, actual=_raw_text(cv.raw),
                              cell=spec_cell.label, raw_note=f"（填的是“{_raw_text(cv.raw)}”）")


@rule_type("normalised_values")
def normalised_values(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Values that were readable only after normalisation ("3件", full-width digits) are noted as info."""
    for key, cv in ctx.data.values.items():
        if cv.status is ValueStatus.NORMALISED and key in ctx.spec.cells and not cv.left_out_of_sums:
            ctx.evaluated += 1
            yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=cv.value,
                              actual=_raw_text(cv.raw), cell=ctx.spec.cells[key].label, raw=_raw_text(cv.raw),
                              value=cv.value, how=cv.note or "文本转为数字")


@rule_type("value_range")
def value_range(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """A number no count or amount can be (a pasted ID or phone number): its own finding, left out of every sum."""
    for key, cv in ctx.data.values.items():
        if key not in ctx.spec.cells:
            continue
        ctx.evaluated += 1
        parts = [ctx.data.values.get(part) for part in ctx.spec.cells[key].sum_of]
        if any(p is not None and p.status is ValueStatus.OUT_OF_RANGE for p in parts):
            continue  # a total over an out-of-range part: the part is the finding
        if cv.status is ValueStatus.OUT_OF_RANGE:
            raw = _raw_text(cv.raw)
            yield ctx.finding(rule, cells=[ctx.cell(key)], instance=key, expected=f"≤ {MAX_MAGNITUDE}", actual=raw,
                              cell=ctx.spec.cells[key].label, raw=raw, limit=f"{MAX_MAGNITUDE:,}")


@rule_type("text_in_sums")
def text_in_sums(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """A number typed as text in a cell the workbook's formulas sum: the sheet's totals leave it out, so the
    text cell is the error (the totals, which show what SUM computed, are not blamed)."""
    for key, cv in ctx.data.values.items():
        if key not in ctx.spec.cells:
            continue
        ctx.evaluated += 1
        if cv.left_out_of_sums:
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
