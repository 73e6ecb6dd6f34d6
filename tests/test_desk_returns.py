"""Returns (问题清单 .xlsx/.docx, highlighted copy, the returned file kept) and compare (已改/未改/新增, cells)."""

from __future__ import annotations

import json
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.data import CellValue, ReportData
from toolkit.desk.compare import compare_files
from toolkit.desk.roster import make_roster
from toolkit.desk.state import DeskState, state_path
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template

runner = CliRunner()
SPEC = load_spec("2021")
BALANCE_KEY = "s3.new_received.natural"
NO_FEE = "本年度无其他需要报告的事项。"


def _unit(folder: Path, organ: str, *, balance_off: bool = False, s6: str | None = None,
          s5: str | None = None, s1: str | None = None) -> Path:
    data: ReportData = sample_report(SPEC, len(organ), organ=organ, year=2026)
    if s1 is not None:
        data.texts["s1"] = type(data.texts["s1"])("s1", s1)
    if balance_off:
        data.values[BALANCE_KEY] = CellValue(BALANCE_KEY, data.number(BALANCE_KEY) + 7)
    if s6 is not None:
        data.texts["s6"] = type(data.texts["s6"])("s6", s6)
    if s5 is not None:
        data.texts["s5"] = type(data.texts["s5"])("s5", s5)
    return build_template(SPEC, folder / f"{organ}.xlsx", data=data)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "各单位2026"
    folder.mkdir()
    _unit(folder, "南口镇")
    _unit(folder, "北岭镇", balance_off=True, s6=NO_FEE)
    _unit(folder, "东城街道", s5="无")
    return folder


def test_check_returns_writes_per_unit_copies_and_issue_lists(tmp_path: Path) -> None:
    """Units with errors or warnings get their file, highlighted copy and 问题清单 (.xlsx/.docx); clean ones none."""
    folder = _folder(tmp_path)
    back = tmp_path / "退回"
    result = runner.invoke(app, ["check", str(folder), "--returns", str(back), "-j", "1"])
    assert result.exit_code == 1, result.output
    assert "已为 2 个单位写出退回材料" in result.output
    names = sorted(p.name for p in back.iterdir())
    assert names == sorted(["北岭镇.xlsx", "北岭镇.校验.xlsx", "北岭镇问题清单.xlsx", "北岭镇问题清单.docx",
                            "东城街道.xlsx", "东城街道.校验.xlsx", "东城街道问题清单.xlsx", "东城街道问题清单.docx"])
    sheet = load_workbook(back / "北岭镇问题清单.xlsx")["问题清单"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert "北岭镇" in rows[0][0]
    assert rows[1] == ["序号", "指标", "标准", "问题明细", "整改要求", "整改结果"]
    body = rows[2:]
    assert [r[0] for r in body] == list(range(1, len(body) + 1))
    assert any("自然人" in r[1] and "【表内】" in r[1] and "错误" in r[2] for r in body)
    assert any("处理费" in (r[4] or "") + (r[3] or "") and "警告" in r[2] for r in body)
    assert all(r[5] is None for r in body)
    doc = Document(str(back / "北岭镇问题清单.docx"))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "指标", "标准", "问题明细", "整改要求", "整改结果"]
    assert len(table.rows) == len(body) + 1
    assert [c.text for c in table.rows[1].cells][:4] == [str(body[0][0]), body[0][1], body[0][2], body[0][3]]
    warn = [[c.value for c in r] for r in load_workbook(back / "东城街道问题清单.xlsx")["问题清单"].iter_rows()][2:]
    assert len(warn) == 1 and "说明" in warn[0][4]
    with DeskState(state_path(folder)) as state:
        assert set(state.units()) == {"南口镇", "北岭镇", "东城街道"}
        sent = state.last_return("北岭镇")
        assert sent is not None and Path(sent.copy) == back / "北岭镇.xlsx"
        assert state.last_return("南口镇") is None
    again = runner.invoke(app, ["check", str(folder), "--returns", str(back), "-j", "1"])
    assert again.exit_code == 1 and len(list(back.iterdir())) == 8  # the same versions: nothing new


def test_compare_marks_fixed_unfixed_new_and_changed_cells(tmp_path: Path) -> None:
    """A correction fixing the balance but not the contact: 已改, 未改 (and 退回后未改), 新增, cells old→new."""
    folder = _folder(tmp_path)
    back = tmp_path / "退回"
    runner.invoke(app, ["check", str(folder), "--returns", str(back), "-j", "1"])
    _unit(folder, "北岭镇", s6=NO_FEE, s5="无")  # balance fixed, 六 still silent on fees, 五 now only 无
    comparison = compare_files(None, folder / "北岭镇.xlsx")
    assert comparison.old == back / "北岭镇.xlsx"
    status = {f["rule"]: s for s, f in comparison.items}
    assert status["s3_balance"] == "已改" and status["s6_fee_mentioned"] == "未改" and status["s5_not_empty"] == "新增"
    assert [f["code"] for f in comparison.unfixed] == ["unfixed-after-return"]
    assert comparison.unfixed[0]["message"].startswith("退回后未改：")
    changed = {c.key: (c.old, c.new) for c in comparison.changes}
    assert BALANCE_KEY in changed and changed["text.s5"][1] == "无"
    assert comparison.exit_code == 0  # no error left: the warnings are for the unit to fix or explain
    shown = runner.invoke(app, ["compare", str(back / "北岭镇.xlsx"), str(folder / "北岭镇.xlsx"), "--json"])
    assert json.loads(shown.output)["counts"] == comparison.counts()
    plain = runner.invoke(app, ["compare", str(folder / "北岭镇.xlsx")])
    assert plain.exit_code == 0 and "已改 2 项" in plain.output and "未改 1 项" in plain.output
    lonely = runner.invoke(app, ["compare", str(folder / "南口镇.xlsx")])
    assert lonely.exit_code == 2 and "没有退回过" in lonely.output


def test_roster_knows_who_was_returned_and_who_fixed_it(tmp_path: Path) -> None:
    """After a return the roster says 退回待改; a clean checked correction makes it 已整改."""
    folder = _folder(tmp_path)
    back = tmp_path / "退回"
    runner.invoke(app, ["check", str(folder), "--returns", str(back), "-j", "1"])
    names = tmp_path / "名单.csv"
    names.write_text("单位名称\n南口镇\n北岭镇\n东城街道\n", encoding="utf-8")
    assert {e.name: e.status for e in make_roster(folder, names).entries} == {
        "南口镇": "已报送", "北岭镇": "退回待改", "东城街道": "退回待改"}
    _unit(folder, "北岭镇")
    assert {e.name: e.note for e in make_roster(folder, names).entries}["北岭镇"] == "已重新报送，尚未校验"
    runner.invoke(app, ["check", str(folder), "--returns", str(back), "-j", "1"])
    assert {e.name: e.status for e in make_roster(folder, names).entries}["北岭镇"] == "已整改"


SHARED = ("本机关坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开，围绕重点领域信息公开持续"
          "发力，及时回应社会关切，不断提升政务公开标准化规范化水平。")
OWN = ("全年共召开新闻发布会六场，发布政策解读材料二十一篇，在门户网站开设专题栏目两个，答复网民留言四百余条，群众"
       "满意度较上年明显提高。",
       "今年还重点做好了乡村振兴、养老服务、社会救助等民生领域的信息发布，组织开展政府开放日活动三次，邀请群众代表"
       "走进机关了解工作。")


def test_the_rules_file_sets_from_what_share_two_units_are_shown_as_similar(tmp_path: Path) -> None:
    """Two units whose narratives share about half their text: not 单位间雷同 at the default 80 %, listed (with the
    share) once the office's rules file sets 单位间雷同 at 0.4; a share outside (0, 1] is a Chinese error."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    for organ, own, s5 in (("甲镇", OWN[0], "一是台账不够完善。二是解读形式单一。下一步将逐项整改。"),
                           ("乙镇", OWN[1], "主要问题是栏目更新不及时，下一步将建立月度检查制度。")):
        _unit(folder, organ, s1=SHARED + own, s5=s5, s6=NO_FEE + organ)

    def similar_rows(*extra: str) -> list[list[object]]:
        result = runner.invoke(app, ["check", str(folder), "--returns", str(tmp_path / "退回"), "-j", "1", *extra])
        assert result.exit_code in (0, 1), result.output  # warnings only, or errors: a normal run
        sheet = load_workbook(folder / "校验汇总.xlsx")["单位间雷同"]
        return [[c.value for c in r] for r in sheet.iter_rows()][1:]

    assert similar_rows() == []
    rules = tmp_path / "规则.yaml"
    rules.write_text("阈值: {单位间雷同: {at_least: 0.4}}\n", encoding="utf-8")
    rows = similar_rows("--rules", str(rules))
    assert [sorted(map(str, r[1:3])) for r in rows] == [["乙镇", "甲镇"]]
    assert 40 <= int(str(rows[0][3]).rstrip("%")) < 80 and SHARED[:20] in str(rows[0][4])
    rules.write_text("阈值: {单位间雷同: {at_least: 60}}\n", encoding="utf-8")
    bad = runner.invoke(app, ["check", str(folder), "--rules", str(rules), "-j", "1"])
    assert bad.exit_code == 2 and "单位间雷同" in bad.output and "不超过 1" in bad.output
