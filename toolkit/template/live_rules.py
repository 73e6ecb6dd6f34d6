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
from typing import TYPE_CHECKING

from toolkit.messages import msg
from toolkit.ooxml import a1
from toolkit.spec.models import CellKind, RuleSpec, ValueKind
from toolkit.template.style import absolute, quote, rectangles

if TYPE_CHECKING:
    from toolkit.template.builder import Builder


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


Compiler = Callable[["Builder", RuleSpec], Iterator[LiveRule]]
_COMPILERS: dict[str, Compiler] = {}


def live(rule_type: str) -> Callable[[Compiler], Compiler]:
    """Register the compiler of ``rule_type``."""

    def register(fn: Compiler) -> Compiler:
        _COMPILERS[rule_type] = fn
        return fn

    return register


def live_rules(b: Builder) -> list[LiveRule]:
    """Every rule of the format that has a compiler, in rule order."""
    return [row for rule in b.spec.rules if rule.type in _COMPILERS for row in _COMPILERS[rule.type](b, rule)]


def has_live_form(rule: RuleSpec) -> bool:
    """Whether the 校验 sheet evaluates ``rule`` itself (sums included)."""
    return rule.type in _COMPILERS or rule.type in ("linear", "declared_total")


def _ref(where: tuple[str, int, int]) -> str:
    sheet, row, col = where
    return f"{quote(sheet)}!{absolute(row, col)}"


def _input_ranges(b: Builder, keep: Callable[[ValueKind], bool] = lambda _: True) -> list[str]:
    """The input cells of every table sheet as few rectangular references, e.g. '三 依申请公开'!$D$6:$I$28."""
    refs = []
    for layout in b.layouts.values():
        cells = [rc for key, rc in layout.cells.items()
                 if b.spec.cells[key].kind is CellKind.INPUT and keep(b.spec.cells[key].value)]
        for top, left, bottom, right in rectangles(cells):
            corner = absolute(top, left) if (top, left) == (bottom, right) else \
                f"{absolute(top, left)}:{absolute(bottom, right)}"
            refs.append(f"{quote(layout.name)}!{corner}")
    return refs


def _first_input(b: Builder) -> tuple[str, int, int]:
    return next(b.positions[k] for k, c in b.spec.cells.items() if c.kind is CellKind.INPUT)


@live("blank_cells")
def _blank(b: Builder, rule: RuleSpec) -> Iterator[LiveRule]:
    refs = _input_ranges(b)
    count = sum(1 for k, c in b.spec.cells.items() if c.kind is CellKind.INPUT and b.written(k) == "blank")
    value = "+".join(f"COUNTBLANK({r})" for r in refs)
    yield LiveRule(rule, msg("template.live.all_inputs"), value, f"({value})>0", count, count > 0, _first_input(b),
                   per_cell=True)


@live("value_kind")
def _kinds(b: Builder, rule: RuleSpec) -> Iterator[LiveRule]:
    refs = _input_ranges(b)
    unsigned = _input_ranges(b, lambda kind: kind is not ValueKind.SIGNED_COUNT)
    listed = ",".join(refs)
    value = f"COUNTA({listed})-COUNT({listed})" + "".join(f'+COUNTIF({r},"<0")' for r in unsigned)
    bad = 0
    for key, cell in b.spec.cells.items():
        if cell.kind is not CellKind.INPUT:
            continue
        kind = b.written(key)
        negative = kind == "number" and cell.value is not ValueKind.SIGNED_COUNT and b.data.number(key) < 0
        bad += kind == "text" or negative
    yield LiveRule(rule, msg("template.live.kinds"), value, f"({value})>0", bad, bad > 0, _first_input(b),
                   per_cell=True)


@live("sections_present")
def _sections(b: Builder, rule: RuleSpec) -> Iterator[LiveRule]:
    for section in b.spec.text_sections:
        where = b.text_at[section.id]
        text = b.data.text(section.id).strip()
        yield LiveRule(rule, section.title, f"LEN(TRIM({_ref(where)}))", f"LEN(TRIM({_ref(where)}))=0",
                       len(text), not text, where, section.id)


@live("info_fields")
def _info(b: Builder, rule: RuleSpec) -> Iterator[LiveRule]:
    for info in b.spec.info_fields:
        if not info.required or info.kind == "format":
            continue
        where = b.info_at[info.id]
        raw = b.data.info.get(info.id, "").strip()
        if info.kind == "year":
            fails, bad = f"NOT(ISNUMBER({_ref(where)}))", not raw.isdigit()
        else:
            fails, bad = f"LEN(TRIM({_ref(where)}))=0", not raw
        yield LiveRule(rule, info.label, f"TRIM({_ref(where)})", fails, raw, bad, where, info.id)


@live("format_year")
def _format_year(b: Builder, rule: RuleSpec) -> Iterator[LiveRule]:
    where = b.info_at["year"]
    ref = _ref(where)
    outside = [f"{ref}<{b.spec.first_year}"] + ([f"{ref}>{b.spec.last_year}"] if b.spec.last_year else [])
    raw = b.data.info.get("year", "").strip()
    year = int(raw) if raw.isdigit() else None
    bad = year is not None and not b.spec.applies_to(year)
    yield LiveRule(rule, msg("template.live.year", document=b.spec.issuing_document), f"TRIM({ref})",
                   f"AND(ISNUMBER({ref}),OR({','.join(outside)}))", raw, bad, where)


@live("text_not_empty")
def _not_trivial(b: Builder, rule: RuleSpec) -> Iterator[LiveRule]:
    section = str(rule.params["section"])
    where = b.text_at[section]
    trivial = [str(t) for t in rule.params.get("trivial", ())]
    tests = ",".join(f'TRIM({_ref(where)})="{t}"' for t in trivial)
    text = b.data.text(section).strip()
    yield LiveRule(rule, b.spec.section(section).title, f"LEN(TRIM({_ref(where)}))", f"OR({tests})",
                   len(text), text in trivial, where)


@live("text_mentions")
def _mentions(b: Builder, rule: RuleSpec) -> Iterator[LiveRule]:
    section = str(rule.params["section"])
    where = b.text_at[section]
    words = [str(w) for w in rule.params["any_of"]]
    absent = ",".join(f'ISERROR(SEARCH("{w}",{_ref(where)}))' for w in words)
    text = b.data.text(section)
    bad = bool(text.strip()) and not any(w in text for w in words)
    yield LiveRule(rule, b.spec.section(section).title, f"LEN(TRIM({_ref(where)}))",
                   f"AND(LEN(TRIM({_ref(where)}))>0,{absent})", len(text.strip()), bad, where)


@live("amount_magnitude")
def _magnitude(b: Builder, rule: RuleSpec) -> Iterator[LiveRule]:
    key = str(rule.params["cell"])
    where = b.positions[key]
    at_least = float(rule.params["at_least"])
    value = b.data.number(key) if b.written(key) == "number" else 0
    ref = _ref(where)
    yield LiveRule(rule, b.spec.cells[key].label, ref, f"AND(ISNUMBER({ref}),{ref}>={at_least:g})", value,
                   value >= at_least, where)


def link_to(where: tuple[str, int, int]) -> str:
    """An internal hyperlink to a cell (what the 校验 sheet's 检查对象 column links to)."""
    sheet, row, col = where
    return f"internal:{quote(sheet)}!{a1(row, col)}"
