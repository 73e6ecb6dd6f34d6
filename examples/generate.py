"""Make the example workbooks and their expected check results (``python -m toolkit.dev regenerate examples``).

* 南口镇2020年报.xlsx — the seed: 南口镇2020年报.txt (the published report as plain text) imported into the 2019-format
  workbook (its numbers and narrative as published; it lacks 六, so its check has one error).
* 示例区民政局2026年报.xlsx — a clean 2021-format workbook (generated consistent numbers, narrative using placeholders).
* 示例区民政局2026年报-有错.xlsx — the same with the mistakes clerks make: a column that does not balance, a total
  typed over, "3件" typed into a count, a blank cell, 五 that only says 无.

Each ``<name>.expected.json`` lists the finding codes ``toolkit check`` must report (tests/test_examples.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.data import CellValue, ReportData, TextValue, ValueStatus
from toolkit.importer import import_report
from toolkit.rules.engine import check_data
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template

HERE = Path(__file__).resolve().parent
SEED = HERE / "南口镇2020年报.txt"

STREET_TEXTS = {
    "s1": "{年度}年，示例区民政局认真贯彻落实《中华人民共和国政府信息公开条例》，围绕全区民政中心工作，"
          "扎实做好主动公开、依申请公开、政府信息管理、平台建设和监督保障等各项工作。\n"
          "（一）主动公开。全年通过局门户网站政务公开专栏主动公开各类政府信息，及时发布行政规范性文件和行政处罚决定。\n"
          "（二）依申请公开。{年度}年共收到政府信息公开申请{申请.新收.总计}件，上年结转{申请.上年结转.总计}件；"
          "办理结果总计{申请.办理结果.总计}件，其中予以公开{申请.予以公开.总计}件，结转下年度继续办理"
          "{申请.结转下年度.总计}件。\n"
          "（三）政府信息管理。严格执行公开前保密审查制度，动态更新政府信息公开目录。\n"
          "（四）平台建设。持续优化政务公开专栏栏目设置，提升信息检索便利度。\n"
          "（五）监督保障。将政务公开工作纳入年度绩效考核，定期开展自查。",
    "s5": "存在的主要问题：一是部分栏目信息更新不够及时；二是政策解读形式较为单一。\n"
          "改进情况：建立信息发布定期提醒机制，增加图解、视频等解读形式，提升公开质量。",
    "s6": "本年度未收取信息处理费。无其他需要报告的事项。",
}


def nankou() -> ReportData:
    """The seed report as imported (2019 format)."""
    return import_report(SEED).data


def street() -> ReportData:
    """A clean 2021-format report of 示例区民政局 for 2026."""
    data = sample_report(load_spec("2021"), 2026, organ="示例区民政局", year=2026)
    data.info.update(contact="李明", phone="010-66668888", date="2027年1月20日")
    data.texts = {k: TextValue(k, v) for k, v in STREET_TEXTS.items()}
    return data


def street_with_mistakes() -> ReportData:
    """The street's report with typical mistakes (see the module docstring)."""
    data = street()
    data = data.with_value("s3.granted.natural", data.number("s3.granted.natural") + 2)
    data = data.with_value("s3.new_received.total", data.number("s3.new_received.total") + 1)
    data = data.with_value("s4.cases.review_other", None, ValueStatus.BLANK)
    data.values["s3.np_repeat.commercial"] = CellValue("s3.np_repeat.commercial", None, "3件", ValueStatus.INVALID)
    data.texts["s5"] = TextValue("s5", "无")
    return data


EXAMPLES = {
    "南口镇2020年报": nankou,
    "示例区民政局2026年报": street,
    "示例区民政局2026年报-有错": street_with_mistakes,
}
"""Example file stem → how its data is made."""


def expected_codes(data: ReportData) -> dict[str, list[str]]:
    """Finding codes by severity, as ``toolkit check`` reports them for the written workbook."""
    result = check_data(data)
    codes: dict[str, list[str]] = {"error": [], "warning": [], "info": []}
    for finding in result.findings:
        codes[finding.severity.value].append(finding.code)
    return {k: sorted(set(v)) for k, v in codes.items()}


def generate(folder: Path = HERE) -> list[Path]:
    """Write every example workbook and its expected result into ``folder``; returns the workbooks."""
    from toolkit.workbook import read_workbook

    written = []
    for stem, make in EXAMPLES.items():
        data = make()
        path = build_template(load_spec(data.format_id), folder / f"{stem}.xlsx", data=data)
        expected = expected_codes(read_workbook(path))
        (folder / f"{stem}.expected.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
