"""The scoring export: per unit, the raw counts an office's annual 年报质量 review works from — findings by category
and level, accepted 说明, returns and whether they were fixed, lateness, near-identical narratives. It is the office's
raw material, not an official score: each office weighs these by its own 评估细则.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from toolkit.desk.similar import SimilarPair
from toolkit.desk.state import DeskState, file_hash
from toolkit.desk.units import unit_key
from toolkit.spec.models import CATEGORIES

SCORING_SHEET = "评分素材"
"""Its sheet in 校验汇总.xlsx."""

SCORING_COLUMNS = (
    "序号", "单位", "错误", "警告（未说明）", "已说明",
    *[f"{c}{level}" for c in CATEGORIES for level in ("错误", "警告")],
    "退回次数", "退回后已整改", "退回后未改", "逾期", "与他单位雷同", "文件",
)
"""Columns: counts by category and level between the totals and the desk's own figures."""


def scoring_rows(results: Sequence[Mapping[str, Any]], state: DeskState | None, *, deadline: dt.date,
                 similar: Sequence[SimilarPair] = ()) -> list[list[Any]]:
    """One row per checked unit (unreadable files left out: they are in the 校验汇总 sheet)."""
    rows: list[list[Any]] = []
    twins: dict[str, list[str]] = {}
    for pair in similar:
        twins.setdefault(pair.first, []).append(f"{pair.second}（{pair.ratio:.0%}）")
        twins.setdefault(pair.second, []).append(f"{pair.first}（{pair.ratio:.0%}）")
    for result in results:
        if "findings" not in result or not result.get("file"):
            continue
        path = Path(result["file"])
        organ = str(result.get("organ") or path.stem)
        findings = [f for f in result["findings"] if f["severity"] != "info"]
        counted = [f for f in findings if not f.get("explained")]
        by = {(c, s): 0 for c in CATEGORIES for s in ("error", "warning")}
        for f in counted:
            if (f.get("category"), f["severity"]) in by:
                by[(f["category"], f["severity"])] += 1
        returned, fixed, unfixed = _returns(state, unit_key(organ), path, findings)
        late = any(f["code"] == "published-late" for f in findings) or (
            path.exists() and dt.date.fromtimestamp(path.stat().st_mtime) > deadline)
        rows.append([
            len(rows) + 1, organ, sum(1 for f in counted if f["severity"] == "error"),
            sum(1 for f in counted if f["severity"] == "warning"), sum(1 for f in findings if f.get("explained")),
            *by.values(), returned, fixed, unfixed, "逾期" if late else "", "、".join(twins.get(organ, [])), path.name,
        ])
    return rows


def _returns(state: DeskState | None, unit: str, path: Path, findings: Sequence[Mapping[str, Any]]
             ) -> tuple[int, str, int]:
    """(times returned, 是/否/"" fixed since the last return, findings still there from it)."""
    if state is None:
        return 0, "", 0
    sent_all = state.returns_to(unit)
    sha = file_hash(path) if path.exists() else ""
    answered = [r for r in sent_all if r.submission.sha256 != sha]  # the returns this version answers
    if not answered:
        return len(sent_all), "", 0
    sent = answered[0]
    before = {f["fingerprint"] for f in state.findings_of(sent.submission.id) if f["severity"] != "info"}
    still = sum(1 for f in findings if f["fingerprint"] in before)
    errors = sum(1 for f in findings if f["severity"] == "error" and not f.get("explained"))
    return len(sent_all), "否" if still or errors else "是", still
