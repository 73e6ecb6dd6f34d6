"""Importing published reports (.txt): the seed (examples/南口镇2020年报.txt) and what cannot be imported.

The archived real reports of the corpus are imported in tests/corpus/test_import_corpus.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SEED

from toolkit.data import ValueStatus
from toolkit.errors import ToolkitError, UnknownFormatError
from toolkit.importer import import_report
from toolkit.spec import load_spec

CUT, ABSENT = "（原文截断）", "（原文中未找到）"

SEED_S1 = [
    "2020年，南口镇信息公开工作在党委、政府的正确领导下，坚持以《中华人民共和国政府信息公开条例》以及相关文件精神为依据，"
    "严格按照区政府统一部署，加强组织领导，健全工作机制，规范公开形式，深化公开内容，全面推进南口镇政府信息公开工作的发展。",
    "（一）健全组织机构，加强组织领导。根据市、区关于政府信息公开工作精神，高度重视，结合实际研究部署本镇政府信息公开工作，"
    "进一步健全组织机构，加强组织领导。同时，由专人专职做好政府信息公开材料的收集工作，并按照相关规定，对政府信息公开材料进行"
    "审核、监督，及时传送至网络公开，确保了政府信息公开工作的深入推进。",
    "（二）完善制度建设，确保公开质量和效率。根据市、区实施政府信息公开的总体要求，明确政府信息公开办理的流程和时限，明确了主动公开、"
    "依申请公开和不宜公开的内容界定，明确政府信息公开内容的审批制度，未经审批的内容，不得在互联网站上发布。结合今年我镇实际，"
    "充分发挥新闻媒体作用，主动公开了精准扶贫、精准脱贫，体育赛事，文化旅游产业发展、优惠政策等相关信息，切实保障了群众的知情权，"
    "提高了政府的公信力。",
    "（三）强化监督管理，确保各项措施落到实处。根据有关规定及时监督、检查信息公开工作的开展情况，公开的内容是否真实、全面，"
    "公开是否及时，群众反映的问题是否得到了及时解决。同时，强化公开事项的事前检查、事后复查，使信息公开各项工作得到有效落实。",
]
SEED_S5 = [
    "2020，我镇在信息公开工作中，进一步强化了组织管理水平，完善了工作制度建设，更好地实现了广大群众对政府信息的需求。"
    "同时不能忽视在工作中仍存在的一些问题，主要表现在信息发布还存在一定的滞后性，时效性、丰富性有待进一步加强。",
    "为进一步做好政府信息公开工作，把政府信息公开工作进一步制度化和规范化，切实发挥政府信息对人民群众生产、生活和经济社会活动的"
    "服务作用，我镇将着力从以下三个方面加强工作：",
    "一是进一步及时、规范做好公文类政府信息公开工作，着力加强信息的透明度和时效性。",
    "二是在前期信息公开工作的基础上，对信息公开的内容、数量、质量和时间制定出明确要求，专人专职进行政府信息公开内容审查、"
    "更新维护和监督检查等工作。",
    "三是落实好政府信息公开各项保障措施，进一步加强政府信息公开的监督、检查及考核工作，确保政府信息公开工作深入、持续、高效地开展。",
]


def _seed_numbers() -> dict[str, int]:
    """The seed's numbers, read from the text: every cell 0 except 政府集中采购 (17 items, 438754)."""
    numbers = dict.fromkeys(load_spec("2019").cells, 0)
    numbers["s2_20_9.central_procurement.items"] = 17
    numbers["s2_20_9.central_procurement.amount"] = 438754
    return numbers


def test_seed_imports_to_exactly_its_numbers() -> None:
    """The seed (2019 format) yields every one of its 198 cells, 17 and 438754 included, each with its line."""
    result = import_report(SEED)
    assert (result.format_id, result.year, result.organ) == ("2019", 2020, "南口镇")
    assert {k: v.value for k, v in result.data.values.items()} == _seed_numbers()
    assert all(v.status is ValueStatus.OK for v in result.data.values.values())
    amount = result.data.values["s2_20_9.central_procurement.amount"]
    assert amount.location is not None and str(amount.location) == "南口镇2020年报.txt!L84"
    assert "L84" in result.provenance["s2_20_9.central_procurement.amount"]
    assert result.data.read_mode == "import" and result.data.info["format"] == "2019"
    assert result.uncertain == []


def test_seed_label_variant_is_accepted_and_noted() -> None:
    """对外公开总数 (the seed's wording) is read as 对外公开总数量 and recorded as a label difference."""
    labels = import_report(SEED).data.labels
    assert [(s.official, s.found, str(s.location)) for s in labels] == [
        ("对外公开总数量", "对外公开总数", "南口镇2020年报.txt!L18")
    ]


def test_seed_narrative_imports_exactly_and_six_is_absent() -> None:
    """一 and 五 are imported paragraph for paragraph; the missing 六 is absent and named as missing."""
    result = import_report(SEED)
    texts = result.data.texts
    assert texts["s1"].text.split("\n") == SEED_S1
    assert texts["s5"].text.split("\n") == SEED_S5
    assert not texts["s6"].present and texts["s6"].text == ""
    assert result.missing == [f"六、其他需要报告的事项：缺失{ABSENT}"]


def test_reports_before_2019_are_refused_in_chinese(tmp_path: Path) -> None:
    """A 2018 report raises UnknownFormatError saying its format is not supported."""
    path = tmp_path / "2018.txt"
    path.write_text("某镇2018年政府信息公开工作年度报告\n一、概述\n本年度主动公开信息12条。\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError) as caught:
        import_report(path)
    assert "2018年度" in caught.value.message and "不支持" in caught.value.message


def test_unusable_inputs_raise_one_chinese_error(tmp_path: Path) -> None:
    """A missing file, a PDF, a broken .docx and a page that is no report each raise a Chinese ToolkitError."""
    page = tmp_path / "news.html"
    page.write_text("<html><body><p>今日要闻：全市开展植树活动。</p></body></html>", encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    cases = ((tmp_path / "none.txt", "找不到文件"), (pdf, ".docx"), (broken, "Word 文件无法读取"), (page, "没有找到"))
    for path, words in cases:
        with pytest.raises(ToolkitError) as caught:
            import_report(path)
        assert words in caught.value.message


def test_values_inside_a_table_that_no_row_claims_are_reported(tmp_path: Path) -> None:
    """A subtotal row a report added (（三）不予公开 with numbers) is named as uncertain and not imported."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    at = lines.index("\t（三）")
    lines[at:at + 2] = ["\t（三）不予公开", *["\t5"] * 7, ""]
    path = tmp_path / "subtotal.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_report(path)
    assert {k: v.value for k, v in result.data.values.items()} == _seed_numbers()
    assert any("不属于官方格式的任何一行" in note and "5、5" in note for note in result.uncertain)


def test_table_four_with_a_value_too_few_or_cut_off_is_not_imported(tmp_path: Path) -> None:
    """四 with 14 of its 15 values is uncertain (where is the gap?); 四 cut off by the end of the text is named."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.txt"
    short.write_text("\n".join(lines[:393] + lines[394:]) + "\n", encoding="utf-8")
    result = import_report(short)
    assert not any(k.startswith("s4.") for k in result.data.values)
    assert any("14个单元格" in note and "L380" in note for note in result.uncertain)
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join(lines[:388]) + "\n", encoding="utf-8")
    result = import_report(cut)
    assert not any(k.startswith("s4.") for k in result.data.values)
    assert result.missing[0].startswith(f"四、政府信息公开行政复议、行政诉讼情况：表格的数据行不完整{CUT}")
