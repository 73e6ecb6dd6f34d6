"""The format's rules other than sums, as live formulas for the 校验 sheet.

Each rule type that a spreadsheet can evaluate has a compiler here, keyed by the type name the format file
declares (a registry, as in :mod:`toolkit.rules.registry`): blank cells, value kinds, sections present,
basic information, format and year, 五 not only 无, 六 mentions 信息处理费, fees that look like 元. A compiler
returns one :class:`LiveRule` per thing checked, with the formula, its reference cell (a link) and the value
and verdict the formula has on the data written, so the cached results are true before any recalculation.

Spreadsheet semantics are stricter than the checker's in one place, on purpose: a number typed as text
("3件") is counted as text here (the checker reads it as 3 and notes it), so the clerk sees it while typing.
Functions used exist in Excel 2010+, WPS and LibreOffice alike: COUNTBLANK, COUNTA, COUNT, COUNTIF, LEN,
TRIM, SEARCH, ISERROR, ISNUMBER, AND, OR, NOT.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from toolkit.messages import msg
from toolkit.spec.models import CellKind, RuleSpec, ValueKind
from toolkit.spec.params import registrar
from toolkit.template.plan import Plan, ref
from toolkit.workbook.a1 import a1, quote


@dataclass(frozen=True)
class LiveRule:
    """One row of the 校验 sheet for a rule that is not a sum."""

    rule: RuleSpec
    """The rule it comes from."""
    target: str
    """What it looks at (检查对象)."""
    value: str
    """Formula (without "=") for the figure shown: a count, a length or the cell itself."""
    fails: str
    """Boolean formula, TRUE when the rule fails."""
    cached_value: object
    """What ``value`` computes on the data written."""
    cached_fails: bool
    """What ``fails`` computes on the data written."""
    link: tuple[str, int, int] | None = None
    """The cell to jump to (sheet, row, col)."""
    instance: str = ""
    """The checker's instance of the same finding (a section or field id), "" when the rule has one."""
    per_cell: bool = False
    """True when the figure is a count of cells, each of which the checker reports as one finding (blank
    cells, value kinds): the 校验 sheet's error and warning counts then add the figure, not 1, so that they
    agree with the highlighted copy's 校验结果."""


Compiler = Callable[[Plan, RuleSpec], Iterator[LiveRule]]
_COMPILERS: dict[str, Compiler] = {}


def live(rule_type: str) -> Callable[[Compiler], Compiler]:
    """Register the compiler of ``rule_type``."""

    return registrar(_COMPILERS, rule_type, "live rule type")


def live_rules(plan: Plan) -> list[LiveRule]:
    """Every rule of the format that has a compiler, in rule order."""
    return [row for rule in plan.spec.rules if rule.type in _COMPILERS for row in _COMPILERS[rule.type](plan, rule)]


def has_live_form(rule: RuleSpec) -> bool:
    """Whether the 校验 sheet evaluates ``rule`` itself (sums included)."""
    return rule.type in _COMPILERS or rule.type in ("linear", "declared_total")


@live("blank_cells")
def _blank(plan: Plan, rule: RuleSpec) -> Iterator[LiveRule]:
    refs = plan.input_ranges()
    count = sum(1 for k, c in plan.spec.cells.items() if c.kind is CellKind.INPUT and plan.written(k) == "blank")
    value = "+".join(f"COUNTBLANK({r})" for r in refs)
    yield LiveRule(rule, msg("template.live.all_inputs"), value, f"({value})>0", count, count > 0, plan.first_input(),
                   per_cell=True)


@live("value_kind")
def _kinds(plan: Plan, rule: RuleSpec) -> Iterator[LiveRule]:
    refs = plan.input_ranges()
    unsigned = plan.input_ranges(lambda kind: kind is not ValueKind.SIGNED_COUNT)
    listed = ",".join(refs)
    value = f"COUNTA({listed})-COUNT({listed})" + "".join(f'+COUNTIF({r},"<0")' for r in unsigned)
    bad = 0
    for key, cell in plan.spec.cells.items():
        if cell.kind is not CellKind.INPUT:
            continue
        kind = plan.written(key)
        negative = kind == "number" and cell.value is not ValueKind.SIGNED_COUNT and plan.data.number(key) < 0
        bad += kind == "text" or negative
    yield LiveRule(rule, msg("template.live.kinds"), value, f"({value})>0", bad, bad > 0, plan.first_input(),
                   per_cell=True)


@live("sections_present")
def _sections(plan: Plan, rule: RuleSpec) -> Iterator[LiveRule]:
    for section in plan.spec.text_sections:
        where = plan.text_at[section.id]
        text = plan.data.text(section.id).strip()
        yield LiveRule(rule, section.title, f"LEN(TRIM({ref(where)}))", f"LEN(TRIM({ref(where)}))=0",
                       len(text), not text, where, section.id)


@live("info_fields")
def _info(plan: Plan, rule: RuleSpec) -> Iterator[LiveRule]:
    for info in plan.spec.required_info:
        assert info.filled is not None
        where = plan.info_at[info.id]
        raw = plan.data.info.get(info.id, "").strip()
        yield LiveRule(rule, info.label, f"TRIM({ref(where)})", info.filled.excel_unmet(ref(where)),
                       raw, not info.filled.met(raw), where, info.id)


@live("format_year")
def _format_year(plan: Plan, rule: RuleSpec) -> Iterator[LiveRule]:
    where = plan.info_at["year"]
    cell = ref(where)
    outside = [f"{cell}<{plan.spec.first_year}"] + ([f"{cell}>{plan.spec.last_year}"] if plan.spec.last_year else [])
    raw = plan.data.info.get("year", "").strip()
    year = int(raw) if raw.isdecimal() else None
    bad = year is not None and not plan.spec.applies_to(year)
    yield LiveRule(rule, msg("template.live.year", document=plan.spec.issuing_document), f"TRIM({cell})",
                   f"AND(ISNUMBER({cell}),OR({','.join(outside)}))", raw, bad, where)


@live("text_not_empty")
def _not_trivial(plan: Plan, rule: RuleSpec) -> Iterator[LiveRule]:
    section = str(rule.params["section"])
    where = plan.text_at[section]
    trivial = [str(t) for t in rule.params.get("trivial", ())]
    tests = ",".join(f'TRIM({ref(where)})="{t}"' for t in trivial)
    text = plan.data.text(section).strip()
    yield LiveRule(rule, plan.spec.section(section).title, f"LEN(TRIM({ref(where)}))", f"OR({tests})",
                   len(text), text in trivial, where)


@live("text_mentions")
def _mentions(plan: Plan, rule: RuleSpec) -> Iterator[LiveRule]:
    section = str(rule.params["section"])
    where = plan.text_at[section]
    words = [str(w) for w in rule.params["any_of"]]
    absent = ",".join(f'ISERROR(SEARCH("{w}",{ref(where)}))' for w in words)
    text = plan.data.text(section)
    bad = bool(text.strip()) and not any(w in text for w in words)
    yield LiveRule(rule, plan.spec.section(section).title, f"LEN(TRIM({ref(where)}))",
                   f"AND(LEN(TRIM({ref(where)}))>0,{absent})", len(text.strip()), bad, where)


@live("amount_magnitude")
def _magnitude(plan: Plan, rule: RuleSpec) -> Iterator[LiveRule]:
    key = str(rule.params["cell"])
    where = plan.positions[key]
    at_least = float(rule.params["at_least"])
    value = plan.data.number(key) if plan.written(key) == "number" else 0
    cell = ref(where)
    yield LiveRule(rule, plan.spec.cells[key].label, cell, f"AND(ISNUMBER({cell}),{cell}>={at_least:g})", value,
                   value >= at_least, where)


def link_to(where: tuple[str, int, int]) -> str:
    """An internal hyperlink to a cell (what the 校验 sheet's 检查对象 column links to)."""
    sheet, row, col = where
    return f"internal:{quote(sheet)}!{a1(row, col)}"
