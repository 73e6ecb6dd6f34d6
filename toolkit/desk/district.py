"""A generated district for demos and tests of the review desk: 60 units over two years, with every kind of
finding the desk deals with, missing, late and duplicate returns, accepted and empty 说明, and a correction.

``python -m toolkit.desk.district DIR`` writes DIR/各单位2025, DIR/各单位2026, DIR/名单.csv (deterministic).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from dataclasses import replace
from pathlib import Path

from toolkit.data import ReportData, TextValue
from toolkit.sample import sample_report
from toolkit.spec.load import load_spec

YEAR = 2026
"""The report year of the current folder (last year's is YEAR - 1)."""

ON_TIME = dt.datetime(YEAR + 1, 1, 20, 10, 0)
LATE = dt.datetime(YEAR + 1, 2, 5, 10, 0)

TOWNS = ("南口", "北岭", "东沙", "西河", "青石", "白塔", "红旗", "黄庄", "柳林", "松山", "杏园", "桃峪", "枣林", "石门",
         "沙河", "高崖", "长峪", "流村", "阳坊", "马池")
STREETS = ("城东", "城西", "城南", "城北", "新华", "解放", "胜利", "和平", "建设", "光明")
DEPARTMENTS = (
    "发展和改革委员会", "教育委员会", "科学技术局", "公安分局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "规划和自然资源分局", "生态环境局",
    "住房和城乡建设委员会", "城市管理委员会", "交通局", "水务局", "农业农村局",
    "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局",
    "审计局", "国有资产监督管理委员会", "市场监督管理局", "统计局", "医疗保障局",
    "园林绿化局", "体育局", "信访办公室", "政务服务管理局", "档案局",
)

TOPICS = ("重大行政决策公开", "财政预决算公开", "行政执法公示", "惠民政策解读", "重点项目建设公开", "公共资源配置公开",
          "民生实事办理", "营商环境优化", "基层政务公开标准化", "政策文件清理", "政务新媒体管理", "依申请公开规范办理",
          "公开属性源头认定", "网站栏目整合", "政府开放日活动")
ACTIONS = ("制定工作要点", "建立三级审核", "开展专题培训", "组织自查整改", "更新公开目录", "设立查阅点", "编制办事指南",
           "召开发布会", "图解解读政策", "规范答复文书", "落实月度通报", "推动数据开放")
RESULTS = (
    "群众满意度提升", "公开时效加快", "申请按期答复", "未发生复议诉讼",
    "检索更加便捷", "内容更加规范", "热点及时回应", "清单全覆盖",
)


def unit_names() -> list[str]:
    """The 60 units on the district's list, as the list writes them."""
    return ([f"{t}镇" for t in TOWNS] + [f"{s}街道" for s in STREETS] + [f"示例区{d}" for d in DEPARTMENTS])


def narrative(rng: random.Random, unit: str, year: int) -> dict[str, str]:
    """A unit's own narrative for ``year``: sentences drawn from the topic, action and result pools."""
    parts = [f"{year}年，{unit}认真落实政府信息公开各项要求。"]
    for _ in range(8):
        parts.append(f"{rng.choice(TOPICS)}方面，{rng.choice(ACTIONS)}{rng.randint(2, 60)}次，"
                     f"发布信息{rng.randint(3, 400)}条，{rng.choice(RESULTS)}。")
    s5 = (f"存在的问题：{rng.choice(TOPICS)}还不够深入。改进措施：{rng.choice(ACTIONS)}，"
          f"力争{rng.choice(RESULTS)}。")
    return {"s1": "".join(parts), "s5": s5, "s6": f"{year}年度未收取信息处理费。无其他需要报告的事项。"}


def _report(unit: str, year: int, seed: int) -> ReportData:
    spec = load_spec("2021")
    rng = random.Random(seed)
    data = sample_report(spec, seed, organ=unit, year=year)
    texts = {k: TextValue(k, v) for k, v in narrative(rng, unit, year).items()}
    return replace(data, texts=texts)


def _carry(previous: ReportData, data: ReportData, rng: random.Random) -> ReportData:
    """This year's figures: last year's give or take a little (no jumps), 上年结转 and 现行有效 carried over."""
    from toolkit.carryover import carried_values
    from toolkit.spec.models import CellKind, ValueKind

    spec = load_spec(data.format_id)
    for key, cell in spec.cells.items():
        if cell.kind is CellKind.INPUT and cell.value is ValueKind.COUNT:
            data = data.with_value(key, max(0, int(previous.number(key)) + rng.randint(-2, 2)))
    for key, value in carried_values(previous, spec).items():
        data = data.with_value(key, value)
    data = _with_totals(data)
    for col in spec.table("s3").columns:
        if col.kind is CellKind.TOTAL:
            continue
        data = balance_column(data, col.id, previous.number(f"s3.carried_forward.{col.id}"))
    for row in ("regulations", "normative_documents"):
        k = f"s2_20_1.{row}."
        repealed = min(data.number(k + "repealed"), previous.number(k + "in_force") + data.number(k + "issued"))
        data = data.with_value(k + "repealed", repealed).with_value(
            k + "in_force", previous.number(k + "in_force") + data.number(k + "issued") - repealed)
        if k + "total_published" in spec.cells:
            data = data.with_value(k + "total_published", max(data.number(k + "total_published"),
                                                              data.number(k + "new_published")))
    return _with_totals(data)


def balance_column(data: ReportData, column: str, forward: float) -> ReportData:
    """Make 一+二 = 三（七）+四 in ``column`` through 本年新收, keeping 结转下年度 at ``forward`` where possible."""
    received = data.number(f"s3.total_processed.{column}") + forward - data.number(f"s3.carried_over.{column}")
    if received < 0:
        forward, received = forward - received, 0
    return data.with_value(f"s3.new_received.{column}", received).with_value(f"s3.carried_forward.{column}", forward)


def _texts(data: ReportData, **sections: str) -> ReportData:
    return replace(data, texts={**data.texts, **{k: TextValue(k, v) for k, v in sections.items()}})


def _write(path: Path, data: ReportData, when: dt.datetime, notes: dict[str, str] | None = None) -> Path:
    from toolkit.template import build_template

    build_template(load_spec(data.format_id), path, data=data)
    if notes:
        from openpyxl import load_workbook

        wb = load_workbook(path)
        ws = wb["说明"]
        for r in range(1, ws.max_row + 1):
            if ws.cell(r, 3).value in notes:
                ws.cell(r, 4).value = notes[ws.cell(r, 3).value]
        wb.save(path)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


SPECIAL = {
    0: "balance", 1: "leftover", 2: "statute", 3: "period", 4: "jump", 5: "zero", 6: "repeat", 7: "twin_a",
    8: "twin_b", 9: "explained", 10: "empty_note", 11: "missing", 12: "missing", 13: "missing", 14: "late",
    15: "late", 16: "late", 17: "duplicate", 20: "suffix", 31: "fullwidth", 30: "balance_and_leftover",
}
"""Unit index → what is special about its return (the rest are clean)."""


def generate(root: Path) -> dict[str, Path]:
    """Write the district under ``root``: 各单位2025/, 各单位2026/, 名单.csv; returns those paths."""
    last_dir, this_dir = root / f"各单位{YEAR - 1}", root / f"各单位{YEAR}"
    last_dir.mkdir(parents=True)
    this_dir.mkdir()
    names = unit_names()
    (root / "名单.csv").write_text("单位名称,类别,联系人\n" + "".join(
        f"{n},{'乡镇' if n.endswith('镇') else '街道' if n.endswith('街道') else '部门'},联系人{i + 1}\n"
        for i, n in enumerate(names)), encoding="utf-8")
    twin_text = ""
    for i, name in enumerate(names):
        kind = SPECIAL.get(i, "clean")
        last = _report(name, YEAR - 1, 1000 + i)
        if kind in ("jump", "zero"):
            delta = 40 - last.number("s3.granted.natural")
            last = last.with_value("s3.granted.natural", 40).with_value(
                "s3.new_received.natural", last.number("s3.new_received.natural") + delta)
            last = _with_totals(last)
        _write(last_dir / f"{i + 1:02d}{name}.xlsx", last, dt.datetime(YEAR, 1, 20, 10))
        if kind == "missing":
            continue
        data = _carry(last, _report(name, YEAR, 2000 + i), random.Random(3000 + i))
        organ = {"suffix": f"{name}人民政府" if name.endswith("镇") else f"{name}办事处",
                 "fullwidth": name.replace("示例区", "示例区\u3000")}.get(kind, name)
        data = replace(data, info={**data.info, "organ": organ})
        notes = None
        if kind in ("balance", "balance_and_leftover"):
            data = data.with_value("s3.new_received.natural", data.number("s3.new_received.natural") + 5)
        if kind in ("leftover", "balance_and_leftover"):
            data = _texts(data, s1=data.text("s1") + "本年度共收到XX件建议，办理情况待补充。")
        if kind == "statute":
            cited = "本机关贯彻《中华人民共和国政府信息公开条例》（国务院令第771号）。"
            data = _texts(data, s1=cited + data.text("s1"))
        if kind == "period":
            period = f"本报告所列数据的统计期限自{YEAR - 1}年1月1日起至{YEAR - 1}年12月31日止。"
            data = _texts(data, s1=data.text("s1") + period)
        if kind in ("jump", "zero"):
            from toolkit.spec.models import CellKind

            for col in load_spec("2021").table("s3").columns:
                if col.kind is CellKind.TOTAL:
                    continue
                if kind == "zero" or col.id == "natural":
                    data = data.with_value(f"s3.granted.{col.id}", 600 if kind == "jump" else 0)
                    data = _with_totals(data)
                    data = balance_column(data, col.id, data.number(f"s3.carried_forward.{col.id}"))
            data = _with_totals(data)
        if kind == "repeat":
            data = _texts(data, s1=last.text("s1"), s5=last.text("s5"))
        if kind == "twin_a":
            twin_text = data.text("s1")
        if kind == "twin_b":
            data = _texts(data, s1=twin_text.replace(names[7], name))  # 柳林镇 copies 黄庄镇
        if kind in ("explained", "empty_note"):
            data = _texts(data, s5="无")
            notes = {"s5_not_empty": "本年度经逐项自查，未发现需要报告的问题，已报主要负责同志审定。"
                     if kind == "explained" else "已核实"}
        when = LATE if kind == "late" else ON_TIME
        _write(this_dir / f"{i + 1:02d}{name}.xlsx", data, when, notes)
        if kind == "duplicate":
            _write(this_dir / f"{i + 1:02d}{name}-修改稿.xlsx", data, when, notes)
    stranger = _report("示例区外来单位", YEAR, 999)
    _write(this_dir / "99示例区外来单位.xlsx", stranger, ON_TIME)
    return {"last": last_dir, "this": this_dir, "list": root / "名单.csv"}


def _with_totals(data: ReportData) -> ReportData:
    """Every 总计 recomputed from its parts (after an input changed)."""
    from toolkit.sample import _fill_totals
    from toolkit.spec.models import CellKind

    spec = load_spec(data.format_id)
    values = {k: data.number(k) for k, c in spec.cells.items() if c.kind is not CellKind.TOTAL}
    _fill_totals(spec, values)
    for key, value in values.items():
        data = data.with_value(key, value)
    return data


def correct(path: Path) -> Path:
    """The unit's correction of a ``balance_and_leftover`` return: the balance fixed, the leftover text kept."""
    from toolkit.api import read

    data = read(path)
    data = data.with_value("s3.new_received.natural", data.number("s3.new_received.natural") - 5)
    return _write(path, _with_totals(data), ON_TIME)


if __name__ == "__main__":
    print(generate(Path(sys.argv[1])))
