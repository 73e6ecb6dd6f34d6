"""Merging units into one summary (``toolkit merge``): every cell is the sum over the units.

Refuses, with the list, when units disagree on year or format, or when a unit has error-level findings
(unless forced). The merged data is in the same format, so it checks and renders like any report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.data import CellValue, Number, ReportData, TextValue, ValueStatus
from toolkit.rules.engine import check_data
from toolkit.rules.findings import CheckResult
from toolkit.spec.models import ReportSpec

CONTRIBUTION_SHEET = "各单位明细"
"""Title of the merged workbook's sheet listing each unit's figures."""


@dataclass
class MergeOutcome:
    """The merged report, each unit's part, and why the merge was refused (if it was)."""

    data: ReportData | None
    """The summed report (None when refused)."""
    units: list[ReportData] = field(default_factory=list)
    """The units, in input order."""
    problems: list[str] = field(default_factory=list)
    """Chinese lines naming each unit that blocks the merge and why."""
    checks: list[CheckResult] = field(default_factory=list)
    """Each unit's check."""
    path: Path | None = None
    """The merged workbook, once written (:func:`write_merged`)."""

    @property
    def refused(self) -> bool:
        """True when the merge was refused."""
        return self.data is None

    @property
    def forced_errors(self) -> int:
        """Error-level findings of the units merged despite them (``force``)."""
        return sum(r.errors for r in self.checks) if self.data is not None else 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (``merge --json``)."""
        data = self.data
        checks: list[CheckResult | None] = [*self.checks, *[None] * (len(self.units) - len(self.checks))]
        return {
            "output": str(self.path) if self.path else None,
            "refused": self.refused,
            "problems": list(self.problems),
            "organ": data.organ if data else None,
            "year": data.year if data else None,
            "format": data.format_id if data else None,
            "units": [{"file": str(u.source) if u.source else None, "organ": u.organ, "year": u.year,
                       "format": u.format_id, "errors": r.errors if r else None,
                       "warnings": r.warnings if r else None} for u, r in zip(self.units, checks, strict=True)],
            "values": {k: v.value for k, v in data.values.items()} if data else {},
        }


def _unit_name(data: ReportData) -> str:
    return data.organ or (data.source.name if data.source else "（未命名单位）")


def merge_reports(units: list[ReportData], *, organ: str = "", force: bool = False) -> MergeOutcome:
    """Sum ``units`` cell by cell into one report named ``organ`` (default: first unit's name + 等N个单位汇总).

    Blank cells count as 0; a value that is not a number is left out of the sum (and the unit's check
    reports it). Each narrative section gathers the units' texts, each paragraph marked 【单位】, as the
    draft from which the summary's own text is written.
    """
    outcome = MergeOutcome(data=None, units=list(units))
    if not units:
        outcome.problems.append("没有可汇总的单位")
        return outcome
    formats = {u.format_id for u in units}
    years = {u.year for u in units}
    if len(formats) > 1 or len(years) > 1:
        for u in units:
            outcome.problems.append(f"{_unit_name(u)}：{u.year or '年度未填'}年度，{u.format_id}格式")
        outcome.problems.insert(0, "各单位的报告年度或格式不一致，不能汇总：")
        return outcome
    outcome.checks = [check_data(u) for u in units]
    failing = [(u, r) for u, r in zip(units, outcome.checks, strict=True) if r.errors]
    if failing and not force:
        outcome.problems.append("以下单位的年报表有错误，请先改正（或加 --force 强制汇总）：")
        outcome.problems += [f"{_unit_name(u)}：错误 {r.errors} 项" for u, r in failing]
        return outcome
    fid = units[0].format_id
    totals: dict[str, Number] = {}
    for unit in units:
        for key, cv in unit.values.items():
            if cv.usable or cv.status in (ValueStatus.BLANK, ValueStatus.PLACEHOLDER):
                totals[key] = totals.get(key, 0) + cv.as_number
    for key, value in totals.items():
        if isinstance(value, float):
            totals[key] = round(value, 6)
    name = organ or f"{_unit_name(units[0])}等{len(units)}个单位汇总"
    year = units[0].year
    outcome.data = ReportData(
        format_id=fid,
        info={"organ": name, "year": str(year) if year else "", "format": fid},
        values={k: CellValue(k, v, v) for k, v in totals.items()},
        texts=_gathered_texts(units),
    )
    return outcome


def _gathered_texts(units: list[ReportData]) -> dict[str, TextValue]:
    sections = {s for u in units for s in u.texts}
    texts = {}
    for section in sorted(sections):
        lines = [f"【{_unit_name(u)}】{line.strip()}" for u in units for line in u.text(section).splitlines()
                 if line.strip()]
        texts[section] = TextValue(section, "\n".join(lines))
    return texts


def contribution_rows(outcome: MergeOutcome, labels: dict[str, str]) -> list[list[object]]:
    """The 各单位明细 sheet: one row per cell (its label), one column per unit, then the sum."""
    assert outcome.data is not None
    header: list[object] = ["栏目", *(_unit_name(u) for u in outcome.units), "合计"]
    rows: list[list[object]] = [header]
    for key, label in labels.items():
        row: list[object] = [label]
        for unit in outcome.units:
            cv = unit.values.get(key)
            row.append(cv.value if cv is not None else None)
        row.append(outcome.data.values[key].value if key in outcome.data.values else None)
        rows.append(row)
    return rows


def cell_labels(spec: ReportSpec) -> dict[str, str]:
    """Cell key → its label with table and row (二 第二十条第（一）项 规章／本年制发件数), in table order."""
    return {key: cell.label for key, cell in spec.cells.items()}


def write_merged(spec: ReportSpec, outcome: MergeOutcome, target: Path) -> Path:
    """Write the merged report as the standard workbook plus the 各单位明细 sheet; sets and returns ``path``."""
    from toolkit.template import build_template

    assert outcome.data is not None
    rows = contribution_rows(outcome, cell_labels(spec))
    outcome.path = build_template(spec, Path(target), data=outcome.data, extra_sheets=[(CONTRIBUTION_SHEET, rows)])
    return outcome.path


def is_merge_output(path: Path) -> bool:
    """True for a workbook written by :func:`write_merged` (it has the 各单位明细 sheet): not a unit."""
    from toolkit.errors import ToolkitError
    from toolkit.ooxml import parse_workbook
    from toolkit.xlsxsafe import open_package

    try:
        return parse_workbook(open_package(Path(path))).sheet(CONTRIBUTION_SHEET) is not None
    except ToolkitError:
        return False
