"""The one label matcher: the workbook reader and the importer accept the same real variants of official labels."""

from __future__ import annotations

import pytest

from toolkit.importer.document import Document
from toolkit.importer.rows import RowReader
from toolkit.labels import Folded, core, fold, format_markers, leading_format, parse_title, score_formats, similar
from toolkit.spec import load_spec
from toolkit.workbook.by_labels import Index, TextCell, norm

# (official label, as real reports and hand-made workbooks print it)
VARIANTS = [
    ("规章", "規章"),                                          # traditional characters (mirror sites)
    ("行政许可", "行政許可"),
    ("行政处罚", "＊行政处罚"),                                 # a mark before the label
    ("行政许可", "行政许可【注1】"),                             # a note after it
    ("规章", "规章（设区的市、自治州人民政府规章）"),             # a bracketed explanation
    ("本年废止件数", "本年 废止件数"),                           # a space inside
    ("本年废止件数", "本年\u3000废止件数"),                      # U+3000 inside
    ("本年制发件数", "本年\n制发件数"),                          # a line break (<br/>) inside
    ("本年增/减", "本年增／减"),                                 # full-width slash
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    ("3.危及“三安全一稳定”", "3、危及\"三安全一稳定\""),
    ("对外公开总数量", "对外公开总数"),                          # a dropped word (similar, not equal)
    ("2.其他法律行政法规禁止公开", "2.其他法律和行政法规禁止公开"),
]


def _cell(text: str) -> TextCell:
    folded = norm(text)
    return TextCell("二 主动公开", 5, 1, text, folded, core(folded))


@pytest.mark.parametrize(("official", "variant"), VARIANTS)
def test_the_workbook_reader_accepts_the_variant(official: str, variant: str) -> None:
    """A hand-made workbook's cell with the variant is found for the official label (exactly, by core or fuzzily)."""
    index = Index()
    index.add(_cell(variant))
    found = index.find(official) or index.fuzzy(official, "二 主动公开", range(0, 10))
    assert [c.raw for _, c in found] == [variant]


@pytest.mark.parametrize(("official", "variant"), VARIANTS)
def test_the_importer_accepts_the_variant(official: str, variant: str) -> None:
    """A published report's label with the variant is found for the official label by the importer's row reader."""
    doc = Document("r.txt")
    doc.add_text("L1", variant)
    reader = RowReader(doc, load_spec("2021"))
    aliases = [a for t in load_spec("2021").tables.values() for r in t.rows if r.label == official for a in r.aliases]
    hit = reader._find([official, *aliases], 0, 1) or reader._find(official, 0, 1, fuzzy=True)
    assert hit is not None and hit.text == variant.strip()


def test_both_readers_fold_the_same_way() -> None:
    """The workbook reader's exact key is the importer's fold: one definition."""
    for _, variant in VARIANTS:
        assert norm(variant) == fold(variant)


def test_a_label_is_found_inside_a_line_with_its_source_span() -> None:
    """Folded search inside a long line maps back to the printed characters, spaces and full-width forms included."""
    line = "信息内容本年 废止件数现行有效件数"
    folded = Folded.of(line)
    at = folded.text.find("本年废止件数")
    start, end = folded.span(at, at + len("本年废止件数"))
    assert line[start:end] == "本年 废止件数"


def test_similarity_accepts_small_differences_only() -> None:
    """对外公开总数 ~ 对外公开总数量, but 行政许可 is not 行政处罚 and a two-character core never matches fuzzily."""
    assert similar(core("对外公开总数"), core("对外公开总数量"))
    assert not similar(core("行政许可"), core("行政处罚"))
    assert not similar("其他", "其他处理")


def test_formats_are_told_by_the_labels_only_one_prints() -> None:
    """本年制发件数 belongs to the 2021 tables, 本年新制作数量 and 政府集中采购 to the 2019 ones."""
    markers = format_markers()
    assert "本年制发件数" in markers["2021"] and "本年新制作数量" in markers["2019"]
    assert leading_format(score_formats(["本年新制作数量", "政府集中采购", "本年制发件数"])) == "2019"
    assert leading_format(score_formats(["规章"])) is None


@pytest.mark.parametrize(("title", "expected"), [
    ("南口镇2020年政府信息公开工作年度报告", ("南口镇", 2020)),
    ("2024年度某区统计局政府信息公开工作年度报告", ("某区统计局", 2024)),
    ("某区测试管理局关于报送2020年度政府信息公开工作年度报告的函", ("某区测试管理局", 2020)),
])
def test_titles_name_the_organ_and_year(title: str, expected: tuple[str, int]) -> None:
    """Year after the organ, year first, and a cover letter (the sender is the organ, not “…管理局关于”)."""
    assert parse_title(title) == expected
