"""Rules on the report as a document: basic information, format vs year, sections, narrative text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.data import USABLE
from toolkit.errors import UnknownFormatError
from toolkit.lazy import compiled as compiled_pattern
from toolkit.record import replace
from toolkit.rules.findings import CellRef, Finding
from toolkit.rules.registry import RuleContext, rule_type
from toolkit.rules.tableview import compiled
from toolkit.spec.load import format_for_year
from toolkit.spec.models import RuleSpec, Severity

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _info_ref(ctx: RuleContext, field_id: str) -> CellRef:
    label = next((f.label for f in ctx.spec.info_fields if f.id == field_id), field_id)
    return CellRef(f"info.{field_id}", label, ctx.data.info_locations.get(field_id))


def _text_ref(ctx: RuleContext, section_id: str) -> CellRef:
    tv = ctx.data.texts.get(section_id)
    return CellRef(f"text.{section_id}", ctx.spec.section(section_id).title, tv.location if tv else None)


@rule_type("guidance")
def guidance(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Guidance is shown in the template's 填写说明, never reported as a finding."""
    return iter(())


@rule_type("info_fields")
def info_fields(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Required 基本信息 fields are present; the year is a four-digit year."""
    for field in ctx.spec.required_info:
        assert field.filled is not None
        ctx.evaluated += 1
        raw = ctx.data.info.get(field.id, "").strip()
        if not field.filled.met(raw):
            yield ctx.finding(rule, cells=[_info_ref(ctx, field.id)], instance=field.id,
                              expected=field.label, actual=raw, field=field.label, raw=raw)


@rule_type("format_year")
def format_year(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Reports on 2019–2020 use the 2019 format, reports on 2021 onward the 2021 format."""
    year = ctx.data.year
    if year is None:
        return
    ctx.evaluated += 1
    try:
        expected = format_for_year(year)
    except UnknownFormatError:
        expected = "（无适用格式）"
    if expected != ctx.spec.id:
        finding = ctx.finding(
            rule,
            cells=[_info_ref(ctx, "year"), _info_ref(ctx, "format")],
            expected=expected,
            actual=ctx.spec.id,
            year=year,
            expected_format=expected,
            actual_format=ctx.spec.id,
        )
        level = rule.params.get("import_severity") if ctx.data.read_mode == "import" else None
        yield replace(finding, severity=Severity(str(level))) if level else finding


@rule_type("text_length")
def text_length(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """基本信息 fields (``which: info``) or narrative sections (``which: sections``) within their ``max_length``."""
    if rule.params.get("which") == "info":
        items = [(f"info.{f.id}", f.label, f.max_length, ctx.data.info.get(f.id, ""), ctx.data.info_locations.get(f.id))
                 for f in ctx.spec.info_fields if f.max_length is not None]
    else:
        items = []
        for section in ctx.spec.text_sections:
            tv = ctx.data.texts.get(section.id)
            if section.max_length is not None and tv is not None:
                items.append((f"text.{section.id}", section.title, section.max_length, tv.text, tv.location))
    for key, label, limit, text, location in items:
        ctx.evaluated += 1
        if limit is not None and len(text) > limit:
            yield ctx.finding(rule, cells=[CellRef(key, label, location)], instance=key.split(".", 1)[1],
                              expected=f"≤ {limit}", actual=len(text), field=label, length=len(text), limit=limit)


@rule_type("sections_present")
def sections_present(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """All six sections are there: narrative sections are not blank, table sections hold their tables."""
    for section in ctx.spec.sections:
        ctx.evaluated += 1
        if section.kind == "text":
            tv = ctx.data.texts.get(section.id)
            missing = tv is None or not tv.present or not tv.text.strip()
            cells = [_text_ref(ctx, section.id)]
        else:
            values = ctx.data.values
            missing = not any(k in values for k in compiled(ctx.spec).section_cells[section.id])
            cells = [CellRef(section.id, section.title)]
        if missing:
            yield ctx.finding(rule, cells=cells, instance=section.id, expected=section.title, actual=None,
                              section=section.title)


@rule_type("text_not_empty")
def text_not_empty(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """A narrative section says more than 无 (a blank section is ``sections_present``'s business)."""
    section_id = str(rule.params["section"])
    text = ctx.data.text(section_id).strip()
    if not text:
        return
    ctx.evaluated += 1
    trivial = {str(t) for t in rule.params.get("trivial", ())}
    if text in trivial:
        yield ctx.finding(rule, cells=[_text_ref(ctx, section_id)], instance=section_id, actual=text, text=text)


@rule_type("text_mentions")
def text_mentions(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """A narrative section mentions at least one of ``any_of`` (e.g. 六 and 信息处理费)."""
    section_id = str(rule.params["section"])
    text = ctx.data.text(section_id)
    if not text.strip():
        return
    ctx.evaluated += 1
    words = [str(w) for w in rule.params["any_of"]]
    if not any(w in text for w in words):
        yield ctx.finding(rule, cells=[_text_ref(ctx, section_id)], instance=section_id,
                          expected="、".join(words), actual=None)


@rule_type("narrative_numbers")
def narrative_numbers(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Numbers the narrative quotes for key totals equal the table cells.

    A pattern's number is its group ``n`` (else its first group); a pattern with a group ``year`` matches only
    where that year is the report's own ("2026年共收到…申请500件" in the 2026 report, not "2025年…" beside it).
    """
    sections = [str(s) for s in rule.params.get("sections", ())]
    texts = {s: ctx.data.text(s) for s in sections}
    texts = {s: t.translate(_FULLWIDTH_DIGITS) for s, t in texts.items() if t}
    for key, regex in compiled(ctx.spec).derived("narrative_numbers", rule, _number_patterns):
        cv = ctx.data.values.get(key)
        if cv is None or cv.status not in USABLE or cv.value is None:
            continue
        for section_id, text in texts.items():
            for match in regex.finditer(text):
                said_year = match.groupdict().get("year")
                if said_year and int(said_year) != ctx.data.year:  # another year's figure (上年 compared)
                    continue
                ctx.evaluated += 1
                quoted = int(match.group("n") if "n" in regex.groupindex else match.group(1))
                if quoted != cv.value:
                    yield ctx.finding(
                        rule,
                        cells=[_text_ref(ctx, section_id), ctx.cell(key)],
                        instance=f"{section_id}:{key}:{match.start()}",
                        expected=cv.value,
                        actual=quoted,
                        section=ctx.spec.section(section_id).title,
                        quote=match.group(0),
                        cell=ctx.spec.cells[key].label,
                    )


def _number_patterns(rule: RuleSpec) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """A narrative_numbers rule's (cell, compiled regex) pairs."""
    return tuple((str(p["cell"]), compiled_pattern(str(p["regex"]))) for p in rule.params["patterns"])


@rule_type("import_notes")
def import_notes(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """An imported report's notes become findings: what the source lacks (``which: missing``) or what it holds
    but could not be placed with certainty (``which: uncertain``). Workbooks have none."""
    notes = ctx.data.missing if rule.params["which"] == "missing" else ctx.data.uncertain
    for number, note in enumerate(notes, start=1):
        ctx.evaluated += 1
        yield ctx.finding(rule, instance=str(number), actual=note, note=note)
