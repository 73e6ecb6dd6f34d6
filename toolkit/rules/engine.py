"""The rule engine: run every rule a format declares over a report's data and collect the findings."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from toolkit.data import ReportData
from toolkit.rules import (  # noqa: F401  (importing registers the rule types)
    crossyear,
    document,
    placeholders,
    review,
    tables,
)
from toolkit.rules import explained as _explained
from toolkit.rules.findings import CellRef, CheckResult, Finding
from toolkit.rules.registry import RuleContext, implementation
from toolkit.spec.load import load_spec
from toolkit.spec.models import ReportSpec, Severity

Explanations = Mapping[str, tuple[str, CellRef]]
"""Rule id → a unit's 说明 for that rule's warnings and where it is written."""


def check_data(
    data: ReportData,
    spec: ReportSpec | None = None,
    *,
    skip: Collection[str] = (),
    previous: ReportData | None = None,
    explanations: Explanations | Callable[[], Explanations] | None = None,
) -> CheckResult:
    """Check ``data`` against its format: every rule declared in the format file, except those in ``skip``.

    ``skip`` holds rule ids or finding codes to leave out. ``previous`` is last year's report of the same
    body (either format); without it the cross-year rules do not run. ``explanations`` (rule id → the unit's
    说明 and where it is) accepts that rule's warnings when substantive (:mod:`toolkit.rules.explained`); it may be
    a function returning them, called only when the other rules found a warning (a 说明 matters for nothing
    else), so that a file without warnings never reads its 说明.
    Findings come errors first, then warnings, then infos; within a severity in rule order and table order.
    Never raises for bad data: problems are findings.
    """
    spec = spec or load_spec(data.format_id)
    ctx = RuleContext(spec, data, previous=previous)
    findings: list[Finding] = []
    ordered = sorted(spec.rules, key=lambda r: r.type == "explanation_quality")  # 说明 are judged last
    texts: dict[str, tuple[str, CellRef]] | None = None
    for rule in ordered:
        if rule.id in skip or rule.code in skip:
            continue
        if rule.type == "explanation_quality":
            ctx.extra["warned_rules"] = {f.rule for f in findings if f.severity is Severity.WARNING}
            if texts is None:
                texts = ctx.extra["explanations"] = _explanations(explanations, findings)
        findings.extend(implementation(rule.type)(ctx, rule))
    if texts is None:
        texts = _explanations(explanations, findings)
    if texts:
        findings = _explained.accept(findings, spec, texts)
    findings.sort(key=lambda f: -f.severity.rank)
    return CheckResult(
        source=data.source,
        format_id=spec.id,
        organ=data.organ,
        year=data.year,
        findings=findings,
        rules_checked=ctx.evaluated,
    )


def _explanations(given: Explanations | Callable[[], Explanations] | None,
                  findings: list[Finding]) -> dict[str, tuple[str, CellRef]]:
    """The 说明 once every rule but ``explanation_quality`` has run; given as a function, it is called only when
    there is a warning for a 说明 to explain (a file without warnings never reads them)."""
    if callable(given):
        return dict(given()) if any(f.severity is Severity.WARNING for f in findings) else {}
    return dict(given or {})
