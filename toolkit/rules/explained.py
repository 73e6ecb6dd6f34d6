"""The 说明 a unit writes for a warning (the workbook's 说明 sheet) must say something: ``explanation_quality``.

The texts are read beside the workbook's data (``toolkit.desk.explanations``) and reach the rules through
``RuleContext.extra["explanations"]`` (rule id → text). A 说明 counts only when it is at least ``min_chars``
characters of words and is not one of the ``placeholders`` (无, 已核实 …); a placeholder 说明 written against a warning
is this rule's finding, and that warning stays counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from toolkit.labels import words
from toolkit.rules.findings import CellRef, Finding
from toolkit.rules.registry import RuleContext, rule_type
from toolkit.spec.models import ReportSpec, RuleSpec

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

DEFAULT_PLACEHOLDERS = ("无", "已核实", "核实无误", "确认无误", "无误", "正常", "同上", "见附件", "略", "待补充")
"""说明 texts that explain nothing (used when the rule lists none)."""


def substantive(text: str, rule: RuleSpec | None) -> bool:
    """Whether a 说明 explains something: long enough in words and not a placeholder."""
    params: Mapping[str, Any] = rule.params if rule is not None else {}
    placeholders = {words(str(p)) for p in params.get("placeholders", DEFAULT_PLACEHOLDERS) or ()}
    minimum = float(params.get("min_chars", 6))
    folded = words(text)
    return bool(folded) and folded not in placeholders and len(folded) >= minimum


@rule_type("explanation_quality")
def explanation_quality(ctx: RuleContext, rule: RuleSpec) -> Iterator[Finding]:
    """Each 说明 written against a warning the report has is substantive (see :func:`substantive`)."""
    texts: Mapping[str, tuple[str, CellRef]] = ctx.extra.get("explanations", {})
    warned: set[str] = ctx.extra.get("warned_rules", set())
    for rule_id, (text, ref) in texts.items():
        if rule_id not in warned or not text.strip():
            continue
        ctx.evaluated += 1
        if not substantive(text, rule):
            yield ctx.finding(rule, cells=[ref], instance=rule_id, actual=text.strip(), text=text.strip(),
                              rule_title=ref.label)


def accept(findings: list[Finding], spec: ReportSpec, explanations: Mapping[str, tuple[str, CellRef]]) -> list[Finding]:
    """Warnings whose rule has a substantive 说明 become 已说明 (with the text); everything else as it was."""
    from toolkit.messages import msg
    from toolkit.record import replace
    from toolkit.spec.models import Severity, Text

    quality = next((r for r in spec.rules if r.type == "explanation_quality"), None)
    out = []
    for f in findings:
        text = explanations.get(f.rule, ("", None))[0].strip()
        if f.severity is Severity.WARNING and text and substantive(text, quality):
            message = Text(msg("desk.explained", "zh", message=f.message.zh, text=text),
                           msg("desk.explained", "en", message=f.message.en, text=text))
            f = replace(f, explanation=text, message=message)
        out.append(f)
    return out
