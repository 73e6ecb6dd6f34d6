"""The checks evaluators score: leftovers, the 条例's number, 统计期限's year, jumps, 雷同, a page published late."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.data import CellValue, ReportData, TextValue
from toolkit.rules.engine import check_data
from toolkit.rules.review import page_date
from toolkit.rules.similarity import repeated
from toolkit.sample import sample_report
from toolkit.spec import load_spec

SPEC = load_spec("2021")


def _with_text(section: str, text: str, fid: str = "2021", year: int | None = None) -> ReportData:
    data = sample_report(load_spec(fid), 4, year=year or (2026 if fid == "2021" else 2020))
    data.texts[section] = TextValue(section, text)
    return data


def _codes(data: ReportData, previous: ReportData | None = None) -> list[str]:
    return [f.code for f in check_data(data, previous=previous).findings]


@pytest.mark.parametrize("text", [
    "本年度，XX镇主动公开信息××条。", "本年度共受理申请……件。", "本年度政府信息公开工作待补充。", "TODO 写总体情况",
    "20XX年，本机关认真落实条例。",
    "本年度工作扎实。综述本机关政府信息公开工作总体情况，主要包括主动公开、依申请公开等方面。",
])
def test_leftover_placeholders_and_template_prompts_are_errors(text: str) -> None:
    """XX, ××, ……, 待补充, TODO, 20XX and the template's own prompt sentences are template-leftover errors."""
    assert "template-leftover" in _codes(_with_text("s1", text))


def test_ordinary_narrative_has_no_leftover() -> None:
    """A clean narrative (with XXL-like words and a single …) is not flagged."""
    assert "template-leftover" not in _codes(_with_text("s1", "本年度XXL项目…已完成，公开信息120条。"))


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_statute_cited_with_the_wrong_number(fid: str) -> None:
    """《条例》（国务院令第771号） is an error naming 711; 第711号 and other decrees nearby are not."""
    wrong = _with_text("s1", "本机关认真贯彻《中华人民共和国政府信息公开条例》（国务院令第771号），做好公开工作。", fid)
    (finding,) = [f for f in check_data(wrong).findings if f.code == "statute-citation"]
    assert "711" in finding.message.zh and "771" in finding.message.zh and finding.category == "文字"
    right = _with_text("s1", "依据《中华人民共和国政府信息公开条例》（中华人民共和国国务院令第711号）。", fid)
    assert "statute-citation" not in _codes(right)
    other = _with_text("s1", "依据《中华人民共和国政府信息公开条例》。另据国务院令第588号，开展了其他工作。", fid)
    assert "statute-citation" not in _codes(other)


def test_statistics_period_naming_another_year() -> None:
    """A 统计期限 sentence naming 2025 in the 2026 report is an error; the right year passes."""
    bad = _with_text("s1", "本报告中所列数据的统计期限自2025年1月1日起至2025年12月31日止。")
    (finding,) = [f for f in check_data(bad).findings if f.code == "period-other-year"]
    assert "2025" in finding.message.zh and "2026" in finding.message.zh
    good = _with_text("s1", "本报告中所列数据的统计期限自2026年1月1日起至2026年12月31日止。2025年的情况见上年报告。")
    assert "period-other-year" not in _codes(good)


def _figures(data: ReportData, **values: float) -> ReportData:
    for key, value in values.items():
        data.values[key] = CellValue(key, value)
    return data


def test_year_on_year_jumps_are_warnings() -> None:
    """Above 5×, below 0.2× on a base ≥ 10, and a zero where there were many: warnings; a small base is fine."""
    key = "s3.granted.total"
    last = _figures(sample_report(SPEC, 8, year=2025), **{key: 20})
    for now, flagged, kind in ((101, True, "骤增"), (3, True, "骤减"), (0, True, "为零"), (100, False, ""),
                               (4, False, "")):
        found = [f for f in check_data(_figures(sample_report(SPEC, 9, year=2026), **{key: now}),
                                       previous=last).findings if f.code == "yoy-jump" and f.instance == key]
        assert bool(found) is flagged, now
        if flagged:
            assert found[0].severity.value == "warning" and kind in found[0].message.zh
    small = _figures(sample_report(SPEC, 8, year=2025), **{key: 9})
    assert not [f for f in check_data(_figures(sample_report(SPEC, 9), **{key: 100}), previous=small).findings
                if f.code == "yoy-jump" and f.instance == key]


def test_narrative_repeating_last_year_shows_ratio_and_passage() -> None:
    """A narrative repeating most of last year's is narrative-repeat with the ratio and the longest passage."""
    last_text = ("本机关坚持以公开为常态、不公开为例外，围绕中心工作，持续深化政务公开，"
                 "推进决策、执行、管理、服务、结果公开。") * 2
    last = _with_text("s1", last_text, year=2025)
    now = _with_text("s1", last_text + "本年度新建了政务公开专区。")
    (finding,) = [f for f in check_data(now, previous=last).findings if f.code == "narrative-repeat"]
    assert "%" in finding.message.zh and "本机关坚持以公开为常态" in finding.message.zh
    fresh = _with_text("s1", "本年度本镇新建了政务公开专区三处，更新了村务公开栏，组织了两次培训，"
                       "答复了群众的全部咨询。依申请公开的办理时限平均缩短到八个工作日，全年没有发生行政复议和诉讼。")
    assert "narrative-repeat" not in _codes(fresh, previous=last)


def test_repeated_share_and_longest_passage() -> None:
    """repeated() counts covered characters and finds the longest shared run, whitespace ignored."""
    ratio, passage = repeated("甲乙丙丁戊己庚辛壬癸子丑寅卯 新的内容在这里呢呢呢", "xx甲乙丙丁戊己庚辛壬癸子丑\n寅卯yy")
    assert passage == "甲乙丙丁戊己庚辛壬癸子丑寅卯" and 0.4 < ratio < 0.7
    assert repeated("短", "短") == (0.0, "")


def test_page_published_after_31_january_is_late(tmp_path: Path) -> None:
    """A saved page whose PubDate is after 31 January of the next year is published-late."""
    page = tmp_path / "a.html"
    page.write_text('<html><head><meta name="PubDate" content="2027-02-03 09:00"></head><body></body></html>',
                    encoding="utf-8")
    assert str(page_date(page)) == "2027-02-03"
    data = sample_report(SPEC, 1, year=2026)
    data.source = page
    (finding,) = [f for f in check_data(data).findings if f.code == "published-late"]
    assert "2027-02-03" in finding.message.zh and "2027-01-31" in finding.message.zh
    page.write_text('<meta content="2027-01-30" name="PubDate">', encoding="utf-8")
    assert "published-late" not in _codes(data)


def test_a_page_without_pubdate_is_judged_by_the_one_date_it_shows(tmp_path: Path) -> None:
    """A page (GBK, as many county sites) with no PubDate meta: the 发布时间 it shows beside the title, split over
    tags, is its date, and the finding says where it was read. A page showing several such dates (a list of related
    articles) is not judged by any of them; a PubDate meta is preferred to a shown date."""
    page = tmp_path / "b.html"
    body = ('<html><head><meta charset="gbk"><title>某镇2026年政府信息公开工作年度报告</title></head><body>'
            '<div class="info"><span>发布时间：</span><span>2027年2月3日</span>&nbsp;来源：某镇</div>'
            '<p>正文</p></body></html>')
    page.write_bytes(body.encode("gbk"))
    assert str(page_date(page)) == "2027-02-03"
    data = sample_report(SPEC, 1, year=2026)
    data.source = page
    (finding,) = [f for f in check_data(data).findings if f.code == "published-late"]
    assert "2027-02-03（网页上所示的发布时间）" in finding.message.zh
    related = body.replace("<p>正文</p>", "<ul><li>另一篇 发布日期：2026-05-06</li></ul>")
    page.write_bytes(related.encode("gbk"))
    assert page_date(page) is None and "published-late" not in _codes(data)
    page.write_bytes(related.replace("<title>", '<meta name="PubDate" content="2027-01-20 10:00"><title>')
                     .encode("gbk"))
    assert str(page_date(page)) == "2027-01-20" and "published-late" not in _codes(data)
