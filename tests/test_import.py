"""Importing published reports (.txt): the seed, the 17 archived real reports, and what cannot be imported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolkit.data import ValueStatus
from toolkit.errors import ToolkitError, UnknownFormatError
from toolkit.importer import import_report
from toolkit.importer.rows import row_name as _row_name
from toolkit.labels import core, fold
from toolkit.spec import load_spec

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
PUBLISHED = REFERENCE / "published"
SEED = REFERENCE / "nankou-2020-annual-report.txt"
EXPECTED = Path(__file__).resolve().parent / "fixtures" / "published"
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
    assert amount.location is not None and str(amount.location) == "nankou-2020-annual-report.txt!L84"
    assert "L84" in result.provenance["s2_20_9.central_procurement.amount"]
    assert result.data.read_mode == "import" and result.data.info["format"] == "2019"
    assert result.uncertain == []


def test_seed_label_variant_is_accepted_and_noted() -> None:
    """对外公开总数 (the seed's wording) is read as 对外公开总数量 and recorded as a label difference."""
    labels = import_report(SEED).data.labels
    assert [(s.official, s.found, str(s.location)) for s in labels] == [
        ("对外公开总数量", "对外公开总数", "nankou-2020-annual-report.txt!L18")
    ]


def test_seed_narrative_imports_exactly_and_six_is_absent() -> None:
    """一 and 五 are imported paragraph for paragraph; the missing 六 is absent and named as missing."""
    result = import_report(SEED)
    texts = result.data.texts
    assert texts["s1"].text.split("\n") == SEED_S1
    assert texts["s5"].text.split("\n") == SEED_S5
    assert not texts["s6"].present and texts["s6"].text == ""
    assert result.missing == [f"六、其他需要报告的事项：缺失{ABSENT}"]


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXPECTED / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    return data


def _section_title(spec: Any, table_id: str) -> str:
    return next(s.title for s in spec.sections if table_id in s.tables or s.id == table_id)


def _missing_needle(spec: Any, item: dict[str, Any]) -> list[str]:
    """The words a missing note must contain for one expected entry."""
    if "text" in item:
        return [spec.section(item["text"]).title, "缺失"]
    if "text_cut" in item:
        return [spec.section(item["text_cut"]).title, "截断"]
    tid = item["table"]
    if tid not in spec.tables:
        return [_section_title(spec, tid), "表格缺失"]
    table = spec.table(tid)
    if "from_row" in item:
        return [f"自“{_row_name(table, table.row(item['from_row']))}”起的行缺失"]
    if "columns" in item:
        return [_row_name(table, table.row(item["row"])), *(table.column(c).display for c in item["columns"])]
    if table.caption:
        return [table.caption, "缺失"]
    return [_section_title(spec, tid), "表格缺失"]


@pytest.mark.parametrize("name", sorted(p.stem for p in PUBLISHED.glob("0*.txt")))
def test_published_report_imports_its_values_and_names_what_is_missing(name: str) -> None:
    """A real report imports exactly the hand-checked values it holds, invents none, and names what it lacks."""
    expected = _expected(name)
    result = import_report(PUBLISHED / f"{name}.txt")
    spec = load_spec(expected["format"])
    assert (result.format_id, result.year) == (expected["format"], expected["year"])
    assert result.organ == (expected["organ"] or "")
    got = result.data.values
    assert set(got) <= set(expected["values"]), f"invented: {sorted(set(got) - set(expected['values']))}"
    for key, want in expected["values"].items():
        assert key in got, f"not imported: {key}"
        cell = got[key]
        if isinstance(want, str):
            assert cell.value is None and cell.raw == want, key
        else:
            assert cell.value == want and cell.usable, key
        assert cell.location is not None and cell.location.sheet == f"{name}.txt"
        assert key in result.provenance
    assert len(result.missing) == len(expected["missing"]), result.missing
    for item in expected["missing"]:
        needles = _missing_needle(spec, item)
        cause = CUT if item.get("cause", "cut") == "cut" and "text_cut" not in item else ""
        named = [note for note in result.missing if all(n in note for n in needles) and cause in note]
        assert named, (needles, result.missing)
    assert len(result.uncertain) == len(expected["uncertain"]), result.uncertain
    for item in expected["uncertain"]:
        table = spec.table(item["table"])
        rows = item.get("rows", item.get("unlabeled", []))
        assert any(all(core(table.row(r).label or "") in fold(note) for r in rows) for note in result.uncertain)


def test_uncertain_rows_import_nothing_and_say_where() -> None:
    """003's 三 rows with collapsed blank cells (3 | 3 | |||||||) are reported with their lines, not imported."""
    result = import_report(PUBLISHED / "003.txt")
    assert not any(k.startswith("s3.") for k in result.data.values)
    (note,) = result.uncertain
    assert "L96" in note and "3、3" in note and "7列" in note


def test_placeholders_and_blank_cells_are_kept_as_such() -> None:
    """005's “/” and its blank cells are imported as placeholder and blank, never as 0."""
    values = import_report(PUBLISHED / "005.txt").data.values
    assert values["s2_20_1.regulations.issued"].status is ValueStatus.PLACEHOLDER
    assert values["s3.new_received.natural"].status is ValueStatus.BLANK
    assert values["s3.new_received.total"].value == 0


def test_label_differences_of_real_reports_are_recorded() -> None:
    """025 prints 规范性文件 in a 2021 table and 本年(2023)制发件数: both read, both recorded as label differences."""
    result = import_report(PUBLISHED / "025.txt")
    found = {(s.official, s.found) for s in result.data.labels}
    assert ("行政规范性文件", "规范性文件") in found
    assert ("本年制发件数", "本年(2023)制发件数") in found
    assert result.data.values["s2_20_1.normative_documents.repealed"].value == 1


def test_json_view_is_serialisable_and_matches_the_data() -> None:
    """``to_dict`` (what --json prints) is plain JSON and carries values, provenance, missing and uncertain."""
    result = import_report(PUBLISHED / "001.txt")
    view = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert view["values"] == {k: v.value for k, v in result.data.values.items()}
    assert view["missing"] == result.missing and view["provenance"] == result.provenance
    assert view["cells"]["s3.new_received.natural"]["where"] == "001.txt!L26"


def test_forced_format_that_contradicts_the_tables_is_reported() -> None:
    """Reading a 2021-format report as 2019 says so and imports no 二 table whose header is the other format's."""
    result = import_report(PUBLISHED / "001.txt", format_id="2019")
    assert result.format_id == "2019"
    assert any("2021格式" in note for note in result.uncertain)
    assert not any(k.startswith("s2_") for k in result.data.values)


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


@pytest.mark.parametrize("name", ["001.txt", "005.txt", "017.txt"])
def test_checking_a_cut_report_names_what_is_missing_not_every_absent_cell(name: str) -> None:
    """`toolkit check` on an archived report: import-missing per gap, cell-blank only for cells left blank or "/"."""
    from toolkit.api import check_file

    data = import_report(PUBLISHED / name).data
    result = check_file(PUBLISHED / name, annotate=False)
    codes = [f.code for f in result.findings]
    assert codes.count("import-missing") == len(data.missing) > 0
    blank = {k for k, v in data.values.items() if v.status in (ValueStatus.BLANK, ValueStatus.PLACEHOLDER)}
    assert {f.instance for f in result.findings if f.code == "cell-blank"} == blank
