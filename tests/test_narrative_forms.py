"""The narrative-number check reads the sentence forms real reports use for 本年新收 (year first, 共/累计/全年,
件/条/个/项): a wrong figure is found in each, the right one passes, and other years' figures are left alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from toolkit.data import ReportData, TextValue
from toolkit.rules.engine import check_data
from toolkit.sample import sample_report
from toolkit.spec import load_spec

RULE = "narrative_numbers_match"

# Real wording (published reports in ../shared/reference, 平潭 among them); {n} is where the figure goes.
FORMS = [
    ("2026", "2026年共收到政府信息公开申请{n}件"),  # the example workbook's own sentence
    ("2023", "2023年，共收到政府信息公开申请{n}条"),  # 平潭 经济发展局 2023
    ("2022", "2022年共收到政府信息公开申请{n}件，主要涉及政府债务数据方面"),  # 平潭 2022
    ("2025", "（二）依申请公开情况。2025年共受理政府信息公开申请{n}件"),
    ("2021", "2021年,全街共受理政府信息公开申请总数{n}件"),
    ("2023", "全年我局共收到政府信息公开申请{n}件，均为网络申请"),
    ("2024", "三是依法办理依申请公开。全年受理政府信息公开申请{n}件"),
    ("2024", "3、依申请公开信息情况。全年收到依申请公开信息{n}条"),
    ("2021", "（二）依申请公开情况本年度收到依申请公开事项{n}项"),
    ("2024", "本年度，我局共收到政府信息公开申请{n}件"),
    ("2024", "累计收到政府信息公开申请{n}个"),
    ("2024", "本年度共收到政府信息公开申请{n}件"),
    ("2024", "２０２４年共收到政府信息公开申请{n}件"),
]


def _report(year: str, text: str) -> ReportData:
    data = sample_report(load_spec("2021"), seed=5)
    return replace(data, info={**data.info, "year": year}, texts={**data.texts, "s1": TextValue("s1", text)})


def _found(data: ReportData) -> list[str]:
    return [f.message.zh for f in check_data(data).findings if f.rule == RULE]


@pytest.mark.parametrize(("year", "form"), FORMS)
def test_each_real_form_is_checked(year: str, form: str) -> None:
    """A figure one more than 本年新收 is reported (quoting the sentence); the right figure is not."""
    data = _report(year, "x")
    right = int(data.number("s3.new_received.total"))
    wrong = _found(_report(year, form.format(n=right + 1)))
    assert len(wrong) == 1, wrong
    assert f"{right + 1}" in wrong[0] and wrong[0].endswith(f"为{right}")
    assert _found(_report(year, form.format(n=right))) == []


@pytest.mark.parametrize("text", [
    "2025年共收到政府信息公开申请{n}件，今年有所增加",  # last year's figure, year first
    "上年共收到政府信息公开申请{n}件",  # 上年, without a year
    "其中当面申请{n}件",  # a breakdown, not the total
    "全年共办理政府信息公开申请{n}件",  # 办理 counts decisions, not new applications
])
def test_other_figures_are_left_alone(text: str) -> None:
    """Last year's figure, a breakdown and the number decided are not compared with 本年新收."""
    data = _report("2026", "x")
    quoted = int(data.number("s3.new_received.total")) + 7
    assert _found(_report("2026", text.format(n=quoted))) == []


def test_both_years_in_one_sentence_compare_only_this_year() -> None:
    """"2025年…400件，2026年…N件": only the report year's figure is compared."""
    data = _report("2026", "x")
    right = int(data.number("s3.new_received.total"))
    text = f"2025年共收到政府信息公开申请{right + 9}件；2026年共收到政府信息公开申请{right + 1}件。"
    found = _found(_report("2026", text))
    assert len(found) == 1 and f"2026年共收到政府信息公开申请{right + 1}件" in found[0]
