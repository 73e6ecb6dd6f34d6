"""What the pages show of a library result: the findings table grouped by rule, the verdict, the folder
summary rows. Presentation only: every figure comes from the result as the library returned it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from toolkit.messages import msg
from toolkit.spec.models import Severity

if TYPE_CHECKING:
    from toolkit.batch import UnitRow
    from toolkit.rules.findings import CheckResult, Finding

MAX_CELLS_SHOWN = 6
"""Cells listed in the 位置 column of one finding; more are counted (all are marked in the copy)."""

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.UNASSESSED: 2, Severity.INFO: 3}


@dataclass
class FindingRow:
    """One line of the findings table."""

    severity: str
    level: str
    where: list[str]
    more: int
    """All cells of the finding when more than shown (0 when all are shown)."""
    message: str
    expected: str
    actual: str
    hint: str


@dataclass
class FindingGroup:
    """The findings of one rule (category), under its title."""

    severity: str
    level: str
    title: str
    code: str
    rows: list[FindingRow] = field(default_factory=list)


@dataclass
class CheckView:
    """A checked workbook as the page shows it."""

    name: str
    organ: str
    year: str
    format_id: str
    errors: int
    warnings: int
    infos: int
    verdict: str
    verdict_class: str
    groups: list[FindingGroup]


def verdict(result: CheckResult, lang: str) -> tuple[str, str]:
    """可以上报 / 有错误须修改 / 有警告须说明, with the CSS class of its colour."""
    if result.errors:
        return msg("web.verdict.errors", lang), "error"
    if result.warnings:
        return msg("web.verdict.warnings", lang), "warning"
    return msg("web.verdict.ok", lang), "ok"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _row(finding: Finding, lang: str) -> FindingRow:
    located = [f"{c.location.sheet}!{c.location.cell}" for c in finding.cells if c.location is not None]
    if not located and finding.cells and finding.cells[0].label:
        located = [finding.cells[0].label]
    level = msg(f"annotate.severity.{finding.severity.value}", lang)
    return FindingRow(
        finding.severity.value, level, located[:MAX_CELLS_SHOWN], len(located) if len(located) > MAX_CELLS_SHOWN else 0,
        finding.message.get(lang), _text(finding.expected), _text(finding.actual),
        finding.hint.get(lang) if finding.hint else "",
    )


def check_view(result: CheckResult, name: str, lang: str) -> CheckView:
    """The findings grouped by rule, errors first (then warnings, then notes), rules in the order found."""
    from toolkit.spec.load import load_spec

    try:
        titles = {r.code: r.title.get(lang) for r in load_spec(result.format_id).rules if r.code}
    except Exception:  # an unknown format id: fall back to the codes
        titles = {}
    titles.setdefault("sum-not-assessed", msg("rules.unassessed.title", lang))
    groups: dict[tuple[int, str], FindingGroup] = {}
    for finding in result.findings:
        key = (_RANK[finding.severity], finding.code)
        if key not in groups:
            groups[key] = FindingGroup(finding.severity.value, msg(f"annotate.severity.{finding.severity.value}",
                                                                  lang), titles.get(finding.code, finding.code),
                                       finding.code)
        groups[key].rows.append(_row(finding, lang))
    ordered = [groups[k] for k in sorted(groups, key=lambda k: k[0])]  # stable: rules keep the order found
    text, css = verdict(result, lang)
    return CheckView(name, result.organ or msg("present.unknown_organ", lang), _text(result.year), result.format_id,
                     result.errors, result.warnings, result.count(Severity.INFO), text, css, ordered)


@dataclass
class UnitView:
    """One line of the folder summary on the page."""

    number: int
    name: str
    organ: str
    year: str
    format_id: str
    errors: int
    warnings: int
    status: str
    status_class: str
    problem: str
    copy_slot: str = ""


_STATUS_CLASS = {"通过": "ok", "有警告": "warning", "有错误": "error", "无法读取": "error"}


def unit_view(number: int, row: UnitRow, name: str, problem: str) -> UnitView:
    """A folder-summary row (the status words are the summary workbook's own)."""
    return UnitView(number, name, row.organ or "—", _text(row.year), row.format_id, row.errors, row.warnings,
                    row.status, _STATUS_CLASS.get(row.status, "error"), problem)
