"""Returns: for every unit with errors or unexplained warnings, what the office sends back — the unit's own file
as returned (kept for ``compare``), its highlighted copy, and a 问题清单 (.xlsx and .docx) in the shape offices use:
序号 | 指标 | 标准 | 问题明细 | 整改要求 | 整改结果 (blank, for the unit). Each is named by unit.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.desk.sheets import fill_sheet, printable
from toolkit.desk.similar import DEFAULT_AT_LEAST, SimilarPair, similar_units
from toolkit.desk.state import DeskState, file_hash, open_state
from toolkit.desk.units import unit_key
from toolkit.fileio import write_atomic
from toolkit.messages import msg

ISSUE_COLUMNS = ("序号", "指标", "标准", "问题明细", "整改要求", "整改结果")
"""The 问题清单's columns."""

LEVELS = {"error": "错误（必须修改）", "warning": "警告（修改或书面说明）", "info": "提示"}


def safe_name(organ: str, fallback: str) -> str:
    """A file name from a unit's name: only letters, digits, CJK and ()（）-_, at most 60 characters."""
    name = "".join(ch for ch in printable(organ) if ch.isalnum() or ch in "()（）-_")[:60]
    return name or re.sub(r"[^\w()（）-]", "", fallback)[:60] or "单位"


def needs_return(result: Mapping[str, Any]) -> bool:
    """Errors, or warnings without an accepted 说明."""
    return any(f["severity"] == "error" or (f["severity"] == "warning" and not f.get("explained"))
               for f in result.get("findings", ()))


def issue_rows(result: Mapping[str, Any]) -> list[list[Any]]:
    """The 问题清单 rows of a check result: each error and unexplained warning."""
    from toolkit.desk.rulesfile import known_rules

    rules = known_rules()
    rows: list[list[Any]] = []
    for f in result.get("findings", ()):
        if f["severity"] == "info" or f.get("explained"):
            continue
        labels = [c["label"] for c in f.get("cells", ()) if c.get("label")]
        where = [f"{c['sheet']}!{c['cell']}" for c in f.get("cells", ()) if c.get("sheet") and c.get("cell")]
        rule = rules.get(f["rule"])
        standard = f"{rule.title.zh if rule else f['rule']}（{LEVELS[f['severity']]}）"
        detail = f["message"] + (f"（位置：{'、'.join(where[:6])}）" if where else "")
        if f["severity"] == "error":
            demand = f.get("hint") or msg("desk.returns.fix")
        else:
            demand = (f.get("hint") or msg("desk.returns.fix")) + msg("desk.returns.or_explain")
        indicator = "；".join(dict.fromkeys(labels[:3])) or (rule.title.zh if rule else f["rule"])
        if f.get("category"):
            indicator = f"【{f['category']}】{indicator}"
        rows.append([len(rows) + 1, indicator, standard, detail, demand, ""])
    return rows


def write_issue_xlsx(target: Path, unit: str, rows: Sequence[Sequence[Any]]) -> Path:
    """The 问题清单 as a workbook (title row, the table, 整改结果 left blank)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    fill_sheet(ws, ISSUE_COLUMNS, rows, (6, 30, 30, 60, 40, 24))
    ws.insert_rows(1)
    ws["A1"] = printable(msg("desk.returns.title", unit=unit))
    ws["A1"].data_type = "s"
    ws["A1"].font = Font(bold=True, size=14)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:F{len(rows) + 2}"
    return write_atomic(target, wb.save)


def write_issue_docx(target: Path, unit: str, rows: Sequence[Sequence[Any]]) -> Path:
    """The 问题清单 as a Word document (a landscape table the unit fills in)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_heading(printable(msg("desk.returns.title", unit=unit)), level=1)
    table = doc.add_table(rows=1, cols=len(ISSUE_COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, ISSUE_COLUMNS, strict=True):
        cell.text = name
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = printable(value)
    doc.add_paragraph(msg("desk.returns.footer"))
    return write_atomic(target, lambda tmp: doc.save(str(tmp)))


@dataclass
class ReturnSent:
    """What was written for one unit."""

    unit: str
    original: Path
    copy: Path
    """The unit's file as returned (``compare`` reads it later)."""
    issues_xlsx: Path
    issues_docx: Path
    annotated: Path | None = None
    issues: int = 0


@dataclass
class ReturnsOutcome:
    """Every return written into the returns folder, the near-identical narratives, the scoring rows."""

    folder: Path
    sent: list[ReturnSent] = field(default_factory=list)
    similar: list[SimilarPair] = field(default_factory=list)
    scoring: list[list[Any]] = field(default_factory=list)

    def rows(self) -> list[list[Any]]:
        """序号, 单位, 问题数, 问题清单 for the terminal."""
        return [[i, r.unit, r.issues, r.issues_xlsx.name] for i, r in enumerate(self.sent, start=1)]


def _free(target: Path, content: Path | None = None) -> Path:
    """``target``, or ``target (2)`` … when a different file already has that name (nothing is overwritten)."""
    candidate, n = target, 1
    while candidate.exists():
        if content is not None and file_hash(candidate) == file_hash(content):
            return candidate
        n += 1
        candidate = target.with_name(f"{target.stem}({n}){target.suffix}")
    return candidate


def _copy_atomic(source: Path, target: Path) -> None:
    write_atomic(target, lambda tmp: shutil.copyfile(source, tmp))


def remember(state: DeskState, results: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Record every checked file in the state (one transaction each); unit key → submission id."""
    ids: dict[str, int] = {}
    for result in results:
        if not result.get("file") or "findings" not in result:
            continue
        organ = str(result.get("organ") or Path(result["file"]).stem)
        explained = {f["fingerprint"]: (str(f.get("explanation") or ""), True) for f in result["findings"]
                     if f.get("explained")}
        ids[unit_key(organ)] = state.record_submission(unit_key(organ), organ, Path(result["file"]),
                                                       result["findings"], explanations=explained)
    return ids


def narratives(results: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Unit → its narrative sections joined, for the readable files among ``results``."""
    from toolkit.api import read
    from toolkit.errors import ToolkitError

    found: dict[str, str] = {}
    for result in results:
        if "findings" not in result or not result.get("file"):
            continue
        try:
            data = read(Path(result["file"]))
        except ToolkitError:
            continue
        found[str(result.get("organ") or Path(result["file"]).stem)] = "\n".join(t.text for t in data.texts.values())
    return found


def make_returns(folder: Path, results: Sequence[Mapping[str, Any]], target: Path, *,
                 summary: Path | None = None, similar_at_least: float = DEFAULT_AT_LEAST) -> ReturnsOutcome:
    """Write the returns for ``results`` (``CheckResult.to_dict`` forms of ``folder``'s files) into ``target``,
    record the check and the returns in the folder's state file, and — with ``summary`` — write the 单位间雷同 and
    评分素材 sheets into it."""
    from toolkit.desk.roster import default_deadline
    from toolkit.desk.scoring import SCORING_COLUMNS, SCORING_SHEET, scoring_rows
    from toolkit.desk.sheets import put_sheet

    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    outcome = ReturnsOutcome(target)
    state = open_state(folder)
    assert state is not None
    with state:
        ids = remember(state, results)
        for result in results:
            if "findings" not in result or not needs_return(result):
                continue
            original = Path(result["file"])
            organ = str(result.get("organ") or original.stem)
            name = safe_name(organ, original.stem)
            rows = issue_rows(result)
            copy = _free(target / f"{name}{original.suffix.lower()}", original)
            again = copy.exists()  # this very version was returned before: its outputs are rewritten
            if not again:
                shutil.copy2(original, copy)
            stem = copy.stem
            annotated = None
            if result.get("annotated") and Path(result["annotated"]).exists():
                annotated = target / f"{stem}.校验.xlsx"
                _copy_atomic(Path(result["annotated"]), annotated)
            xlsx = write_issue_xlsx(target / f"{stem}问题清单.xlsx", organ, rows)
            docx = write_issue_docx(target / f"{stem}问题清单.docx", organ, rows)
            last = state.last_return(unit_key(organ))
            if not (again and last is not None and last.submission.id == ids[unit_key(organ)]):
                state.record_return(unit_key(organ), ids[unit_key(organ)], copy)
            outcome.sent.append(ReturnSent(organ, original, copy, xlsx, docx, annotated, len(rows)))
        outcome.similar = similar_units(narratives(results), at_least=similar_at_least)
        outcome.scoring = scoring_rows(results, state, deadline=default_deadline(Path(folder)),
                                       similar=outcome.similar)
    if summary is not None:
        put_sheet(summary, SIMILAR_SHEET, SIMILAR_COLUMNS,
                  [[i, p.first, p.second, f"{p.ratio:.0%}", p.passage[:200]] for i, p in
                   enumerate(outcome.similar, start=1)], (6, 24, 24, 8, 80))
        put_sheet(summary, SCORING_SHEET, SCORING_COLUMNS, outcome.scoring)
    return outcome


SIMILAR_SHEET = "单位间雷同"
"""The sheet of near-identical narratives in 校验汇总.xlsx."""

SIMILAR_COLUMNS = ("序号", "单位", "相似单位", "重复率", "最长的相同段落")
