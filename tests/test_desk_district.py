"""A generated district of 60 units over two years through the whole desk cycle, pinned by golden files.

collect (roster) → check with returns → the unit corrects → compare → check again → roster and scoring sheet.
Golden files (tests/fixtures/desk/*.json) hold values, compared as data; GK_REGENERATE_GOLDEN=1 rewrites them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.desk.compare import compare_files
from toolkit.desk.district import correct, generate
from toolkit.desk.roster import ROSTER_SHEET
from toolkit.desk.scoring import SCORING_SHEET

GOLDEN = Path(__file__).parent / "fixtures" / "desk"
runner = CliRunner()


def _golden(name: str, value: Any) -> None:
    """``value`` equals the golden file ``name`` (rewritten instead when GK_REGENERATE_GOLDEN=1)."""
    path = GOLDEN / f"{name}.json"
    if os.environ.get("GK_REGENERATE_GOLDEN"):
        path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert value == json.loads(path.read_text(encoding="utf-8")), f"{name} differs from its golden file"


def _sheet(path: Path, title: str) -> list[list[Any]]:
    wb = load_workbook(path, read_only=True)
    try:
        return [["" if v is None else v for v in row] for row in wb[title].iter_rows(values_only=True)]
    finally:
        wb.close()


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The district after one full cycle, with what each step produced."""
    root = tmp_path_factory.mktemp("district")
    paths = generate(root)
    this, last, names = paths["this"], paths["last"], paths["list"]
    back = root / "退回"
    first = runner.invoke(app, ["check", str(this), "--previous", str(last), "--returns", str(back), "-j", "2"])
    returned = sorted(p.name for p in back.iterdir())
    issue_lists = {p.stem: _sheet(p, "问题清单") for p in sorted(back.glob("*问题清单.xlsx"))}
    docx_tables = {p.stem: [[c.text for c in row.cells] for row in Document(str(p)).tables[0].rows]
                   for p in sorted(back.glob("*问题清单.docx"))}
    roster_before = runner.invoke(app, ["roster", str(this), "--from", str(names), "--json"])
    fixed_fully = correct(this / "01南口镇.xlsx")
    fixed_partly = correct(this / "31示例区发展和改革委员会.xlsx")
    comparison = compare_files(None, fixed_partly)
    second = runner.invoke(app, ["check", str(this), "--previous", str(last), "--returns", str(back), "-j", "2"])
    roster_after = runner.invoke(app, ["roster", str(this), "--from", str(names)])
    return {"root": root, "this": this, "back": back, "first": first, "second": second, "returned": returned,
            "issue_lists": issue_lists, "docx": docx_tables, "roster_before": json.loads(roster_before.output),
            "roster_after": roster_after, "comparison": comparison, "fixed_fully": fixed_fully}


@pytest.mark.slow
def test_district_check_exits_1_and_writes_returns_for_the_units_with_problems(district: dict[str, Any]) -> None:
    """The folder check fails (errors), and the returns folder holds exactly the pinned files."""
    assert district["first"].exit_code == 1, district["first"].output
    assert "单位间正文雷同：1 对" in district["first"].output
    _golden("returns_folder", district["returned"])


@pytest.mark.slow
def test_district_issue_lists(district: dict[str, Any]) -> None:
    """Every 问题清单 has the pinned rows; its .docx holds the same table."""
    _golden("issue_lists", district["issue_lists"])
    for stem, rows in district["issue_lists"].items():
        assert district["docx"][stem] == [[str(v) for v in r] for r in rows[1:]]


@pytest.mark.slow
def test_district_roster_before_and_after_corrections(district: dict[str, Any]) -> None:
    """The roster: missing, late, duplicate, stranger, ambiguous-free matches, 退回待改 then 已整改 (pinned)."""
    before = district["roster_before"]
    counts = before["counts"]
    assert counts["未报送"] == 3 and counts["逾期"] == 3 and counts["名单外"] == 1
    after = _sheet(district["this"] / "校验汇总.xlsx", ROSTER_SHEET)
    status = {row[1]: row[4] for row in after[1:]}
    assert status["南口镇"] == "已整改" and status["示例区发展和改革委员会"] == "退回待改"
    _golden("roster", {"before": before["units"], "after": after})
    assert district["roster_after"].exit_code == 0


@pytest.mark.slow
def test_district_compare_of_the_partial_correction(district: dict[str, Any]) -> None:
    """compare finds the returned version itself: the balance 已改, the leftover 未改 (退回后未改), cells changed."""
    comparison = district["comparison"]
    data = comparison.to_dict()
    data["old"], data["new"] = Path(data["old"]).name, Path(data["new"]).name
    assert comparison.counts()["已改"] >= 1 and comparison.counts()["未改"] >= 1
    assert {f["code"] for f in comparison.unfixed} == {"unfixed-after-return"}
    _golden("compare", data)


@pytest.mark.slow
def test_district_scoring_sheet(district: dict[str, Any]) -> None:
    """The 评分素材 sheet after the second round: counts by category and level, 说明, returns, late (pinned)."""
    assert district["second"].exit_code == 1
    rows = _sheet(district["this"] / "校验汇总.xlsx", SCORING_SHEET)
    by_unit = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_unit["南口镇"]["退回后已整改"] == "是" and by_unit["示例区发展和改革委员会"]["退回后未改"] == 2
    assert by_unit["松山镇"]["已说明"] == 1 and by_unit["柳林镇"]["与他单位雷同"].startswith("黄庄镇")
    _golden("scoring", rows)
