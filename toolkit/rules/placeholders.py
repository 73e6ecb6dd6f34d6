"""Placeholders in the narrative: ``{申请.新收.总计}`` (a name the format declares under ``placeholders:``) or
``{s3.new_received.total}`` (a cell key) stand for a figure that the report fills in from the tables.

Only braces around something that looks like a name — no whitespace, at most 40 characters — are placeholders;
other braces are plain text. An unknown placeholder is an error finding, never a silent blank.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.lazy import pattern
from toolkit.rules.findings import CellRef, Finding
from toolkit.rules.registry import RuleContext, rule_type
from toolkit.spec.models import ReportSpec, RuleSpec

PLACEHOLDER = pattern(r"\{([^{}\s]{1,40})\}")
"""A placeholder: ``{name}`` where the name has no whitespace or braces and at most 40 characters."""


def resolve(spec: ReportSpec, name: str) -> str | None:
    """The key a placeholder name stands for: a declared name's key, a cell key itself, or None when unknown."""
    if name in spec.placeholders:
        return spec.placeholders[name]
    if name in spec.cells:
        return name
    return None


def unknown_placeholders(spec: ReportSpec, text: str) -> Iterator[re.Match[str]]:
    """The placeholders in ``text`` that name neither a declared placeholder nor a cell, in order."""
    for match in PLACEHOLDER.finditer(text):
        if resolve(spec, match.group(1)) is None:
            yield match


@rule_type("placeholders")
def placeholders(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Every placeholder in the narrative sections (``sections``, default all) is a known name or a cell key."""
    sections = [str(s) for s in rule.params.get("sections", ())] or [s.id for s in ctx.spec.text_sections]
    for section_id in sections:
        tv = ctx.data.texts.get(section_id)
        if tv is None or not tv.text:
            continue
        ctx.evaluated += 1
        title = ctx.spec.section(section_id).title
        ref = CellRef(f"text.{section_id}", title, tv.location)
        for match in unknown_placeholders(ctx.spec, tv.text):
            yield ctx.finding(rule, cells=[ref], instance=f"{section_id}:{match.group(1)}:{match.start()}",
                              expected=None, actual=match.group(0), section=title, name=match.group(1))
