"""The roster: expected units against a folder of returns; names folded; ambiguity shown; a sheet and a table."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.desk.roster import ROSTER_SHEET, make_roster
from toolkit.desk.units import unit_key
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template

runner = CliRunner()


def _return(folder: Path, organ: str, name: str, when: dt.datetime | None = None) -> Path:
    spec = load_spec("2021")
    path = build_template(spec, folder / name, data=sample_report(spec, len(name), organ=organ, year=2026))
    if when is not None:
        os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def _district(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "各单位2026"
    folder.mkdir()
    on_time, late = dt.datetime(2027, 1, 20, 9), dt.datetime(2027, 2, 3, 9)
    _return(folder, "南口镇人民政府", "南口镇.xlsx", on_time)
    _return(folder, "东城街道办事处", "东城.xlsx", late)
    _return(folder, "ＸＸ区民政局", "民政1.xlsx", on_time)
    _return(folder, "XX区民政局", "民政2.xlsx", on_time)
    _return(folder, "西山县交通局", "交通.xlsx", on_time)
    _return(folder, "卫生", "卫生.xlsx", on_time)
    (folder / "坏文件.xlsx").write_bytes(b"not a workbook")
    unit_list = tmp_path / "名单.csv"
    unit_list.write_text("单位名称,类别,联系人,报送日期\n南口镇,乡镇,张三,\n东城街道,街道,李四,\nXX区民政局,部门,王五,\n"
                         "北岭镇人民政府,乡镇,赵六,\nXX区卫生健康委,部门,,\nXX区卫生监督所,部门,,\n"
                         "XX区财政局,部门,,2027-02-10\n", encoding="utf-8")
    return folder, unit_list


def test_unit_names_fold_suffixes_and_width() -> None:
    """人民政府/街道办事处 suffixes and full-width letters do not tell units apart."""
    assert unit_key("南口镇人民政府") == unit_key("南口镇")
    assert unit_key("东城街道办事处") == unit_key("东城街道") == unit_key("东城 街道办")
    assert unit_key("ＸＸ区民政局") == unit_key("XX区民政局")
    assert unit_key("北京市人民政府办公室") != unit_key("北京市")


def test_roster_statuses_late_duplicates_extras_and_ambiguity(tmp_path: Path) -> None:
    """Each listed unit gets its status; lateness by file time; a second file, a stranger and an ambiguous name."""
    folder, unit_list = _district(tmp_path)
    roster = make_roster(folder, unit_list)
    by_name = {e.name: e for e in roster.entries}
    assert roster.deadline == dt.date(2027, 1, 31)
    assert by_name["南口镇"].status == "已报送" and not by_name["南口镇"].late
    assert by_name["东城街道"].status == "已报送" and by_name["东城街道"].late
    assert len(by_name["XX区民政局"].files) == 2 and "2 个文件" in by_name["XX区民政局"].note
    assert by_name["北岭镇人民政府"].status == "未报送"
    assert by_name["XX区财政局"].status == "未报送"
    assert by_name["西山县交通局"].status == "名单外"
    assert by_name["卫生"].status == "无法对应"
    assert "XX区卫生健康委" in by_name["卫生"].note and "XX区卫生监督所" in by_name["卫生"].note
    assert by_name["坏文件"].status == "名单外"
    sheet = load_workbook(folder / "校验汇总.xlsx")[ROSTER_SHEET]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:5] == ["序号", "单位名称", "类别", "联系人", "状态"]
    assert rows[1][1:5] == ["南口镇", "乡镇", "张三", "已报送"]


def test_roster_list_date_column_decides_lateness(tmp_path: Path) -> None:
    """A 报送日期 in the list counts instead of the file's time."""
    folder, unit_list = _district(tmp_path)
    unit_list.write_text("单位名称,报送日期\n南口镇,2027年2月1日\n", encoding="utf-8")
    roster = make_roster(folder, unit_list)
    assert roster.entries[0].late and roster.entries[0].submitted == dt.date(2027, 2, 1)


def test_roster_from_last_years_folder_and_xlsx_list(tmp_path: Path) -> None:
    """Last year's folder, or an .xlsx list, gives the expected units."""
    folder, _ = _district(tmp_path)
    last = tmp_path / "各单位2025"
    last.mkdir()
    _return(last, "南口镇", "a.xlsx")
    _return(last, "北岭镇", "b.xlsx")
    roster = make_roster(folder, last)
    assert [e.status for e in roster.entries if e.name in ("南口镇", "北岭镇")] == ["已报送", "未报送"]
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["序号", "单位名称"])
    wb.active.append([1, "=HYPERLINK(\"x\")南口镇"])
    wb.active.append([2, "南口镇人民政府"])
    wb.save(tmp_path / "名单.xlsx")
    roster = make_roster(folder, tmp_path / "名单.xlsx")
    assert any(e.name == "南口镇人民政府" and e.status == "已报送" for e in roster.entries)
    cell = load_workbook(folder / "校验汇总.xlsx")[ROSTER_SHEET]["B2"]
    assert cell.data_type == "s"


def test_cli_roster_table_and_json(tmp_path: Path) -> None:
    """`toolkit roster` prints the counts line and the table; --json is the library's result; bad list exits 2."""
    folder, unit_list = _district(tmp_path)
    shown = runner.invoke(app, ["roster", str(folder), "--from", str(unit_list)])
    assert shown.exit_code == 0, shown.output
    assert "未报送 4 个" in shown.output and "逾期 1 个" in shown.output and "北岭" in shown.output
    as_json = runner.invoke(app, ["roster", str(folder), "--from", str(unit_list), "--json"])
    data = json.loads(as_json.output)
    assert data["counts"]["未报送"] == 4 and data["deadline"] == "2027-01-31"
    bad = tmp_path / "坏名单.csv"
    bad.write_text("名字\n甲\n", encoding="utf-8")
    failed = runner.invoke(app, ["roster", str(folder), "--from", str(bad)])
    assert failed.exit_code == 2 and "单位名称" in failed.output
