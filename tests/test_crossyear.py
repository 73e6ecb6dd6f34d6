"""Cross-year rules (this year against last year's report) and what carries over into next year's workbook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from toolkit.carryover import carried_values, next_year_data
from toolkit.data import ReportData, TextValue
from toolkit.rules.engine import check_data
from toolkit.sample import SAMPLE_TEXTS, sample_report
from toolkit.spec import load_spec


def _pair(prev_fid: str, cur_fid: str, seed: int = 7) -> tuple[ReportData, ReportData]:
    """A consistent pair: this year's 上年结转 and carried items equal last year's figures."""
    prev = sample_report(load_spec(prev_fid), seed, year=2020 if prev_fid == "2019" else 2022)
    cur = sample_report(load_spec(cur_fid), seed + 1, year=2021 if prev_fid == "2019" else 2023)
    spec = load_spec(cur_fid)
    for key, value in carried_values(prev, spec).items():
        cur = cur.with_value(key, value)
    # keep the current year internally consistent after the carry-over: move the change into 结转下年度
    for col in spec.table("s3").columns:
        need = cur.number(f"s3.new_received.{col.id}") + cur.number(f"s3.carried_over.{col.id}") - cur.number(
            f"s3.total_processed.{col.id}")
        if need < 0:
            cur = cur.with_value(f"s3.new_received.{col.id}", cur.number(f"s3.new_received.{col.id}") - need)
            need = 0
        cur = cur.with_value(f"s3.carried_forward.{col.id}", need)
    if cur_fid == "2021" and prev_fid == "2021":
        for row in ("regulations", "normative_documents"):
            k = f"s2_20_1.{row}."
            cur = cur.with_value(k + "in_force", prev.number(k + "in_force") + cur.number(k + "issued")
                                 - cur.number(k + "repealed"))
    extra = "今年新增加的工作内容有所不同。" * 4  # under half repeated: not 雷同 (narrative_repeats_last_year)
    cur = replace(cur, texts={k: TextValue(k, v + extra) for k, v in SAMPLE_TEXTS.items()})
    return prev, cur


@pytest.mark.parametrize(("prev_fid", "cur_fid"), [("2019", "2019"), ("2019", "2021"), ("2021", "2021")])
def test_consistent_pair_passes_every_cross_year_rule(prev_fid: str, cur_fid: str) -> None:
    """A year that carries last year's figures over correctly has no finding, also across 2020 → 2021."""
    prev, cur = _pair(prev_fid, cur_fid)
    result = check_data(cur, previous=prev)
    assert [f.message.zh for f in result.findings if f.rule.startswith(("cross_year", "narrative"))] == []


@pytest.mark.parametrize(("prev_fid", "cur_fid"), [("2019", "2021"), ("2021", "2021")])
def test_carry_mismatch_is_reported_on_the_right_cells(prev_fid: str, cur_fid: str) -> None:
    """上年结转 differing from last year's 结转下年度 is an error naming both years' cells."""
    prev, cur = _pair(prev_fid, cur_fid)
    prev = prev.with_value("s3.carried_forward.research", prev.number("s3.carried_forward.research") + 2)
    found = [f for f in check_data(cur, previous=prev).findings if f.rule == "cross_year_carry"]
    assert [f.instance for f in found] == ["research"]
    assert {c.key for c in found[0].cells} == {"s3.carried_over.research", "prev.s3.carried_forward.research"}
    assert found[0].severity.value == "error" and "相差2" in found[0].message.zh


def test_in_force_chain_is_a_warning() -> None:
    """现行有效件数 not following from last year's + 制发 − 废止 is a warning on those cells."""
    prev, cur = _pair("2021", "2021")
    cur = cur.with_value("s2_20_1.regulations.in_force", cur.number("s2_20_1.regulations.in_force") + 5)
    found = [f for f in check_data(cur, previous=prev).findings if f.rule == "cross_year_in_force"]
    assert [(f.instance, f.severity.value) for f in found] == [("regulations", "warning")]
    assert {c.key for c in found[0].cells} == {"s2_20_1.regulations.in_force", "prev.s2_20_1.regulations.in_force",
                                               "s2_20_1.regulations.issued", "s2_20_1.regulations.repealed"}


def test_in_force_chain_is_not_checked_against_the_2019_format() -> None:
    """The 2019 format has no 现行有效件数, so a 2020 → 2021 pair skips that rule."""
    prev, cur = _pair("2019", "2021")
    cur = cur.with_value("s2_20_1.regulations.in_force", 999)
    assert not [f for f in check_data(cur, previous=prev).findings if f.rule == "cross_year_in_force"]


def test_2019_item_counts_follow_last_year() -> None:
    """2019 format: 上一年项目数量 = last year's 上一年项目数量 + 本年增/减 (warning)."""
    prev, cur = _pair("2019", "2019")
    cur = cur.with_value("s2_20_6.penalty.prev_year_items", cur.number("s2_20_6.penalty.prev_year_items") + 1)
    found = [f for f in check_data(cur, previous=prev).findings if f.rule == "cross_year_items"]
    assert [f.instance for f in found] == ["s2_20_6.penalty"]
    assert "行政处罚" in found[0].message.zh


def test_copied_narrative_is_flagged() -> None:
    """一/五 nearly identical to last year's are flagged as 雷同."""
    prev, cur = _pair("2021", "2021")
    long_text = "本机关认真贯彻落实政府信息公开条例，扎实做好主动公开和依申请公开工作，加强平台建设和监督保障。" * 3
    prev = replace(prev, texts={**prev.texts, "s1": TextValue("s1", long_text)})
    cur = replace(cur, texts={**cur.texts, "s1": TextValue("s1", long_text.replace("扎实", "切实"))})
    found = [f for f in check_data(cur, previous=prev).findings if f.rule == "narrative_not_copied"]
    assert [f.instance for f in found] == ["s1"]


def test_cross_year_rules_do_not_run_without_last_year() -> None:
    """Without --previous no cross-year finding appears."""
    _, cur = _pair("2021", "2021")
    cur = cur.with_value("s3.carried_over.natural", 12345)
    assert not [f for f in check_data(cur).findings if f.rule.startswith("cross_year")]


def test_next_year_data_carries_organ_and_carried_figures() -> None:
    """template --from: organ and contacts carry, year + 1, 上年结转 = last year's 结转下年度 per column."""
    prev = sample_report(load_spec("2019"), 3, organ="南口镇", year=2020)
    data = next_year_data(prev, load_spec("2021"))
    assert data.info["organ"] == "南口镇" and data.year == 2021 and data.format_id == "2021"
    for col in load_spec("2021").table("s3").columns:
        assert data.number(f"s3.carried_over.{col.id}") == prev.number(f"s3.carried_forward.{col.id}")
    assert not any(k.startswith("s2_") for k in data.values)


def _copied_narrative(prev: ReportData, cur: ReportData) -> tuple[ReportData, ReportData]:
    text = "本机关认真贯彻落实政府信息公开条例，扎实做好主动公开和依申请公开工作，加强平台建设和监督保障。" * 3
    return (replace(prev, texts={**prev.texts, "s1": TextValue("s1", text)}),
            replace(cur, texts={**cur.texts, "s1": TextValue("s1", text.replace("扎实", "切实"))}))


Break = Callable[[ReportData, ReportData], tuple[ReportData, ReportData]]
BREAKS: dict[str, Break] = {
    "cross_year_carry": lambda p, c: (p.with_value("s3.carried_forward.research",
                                                   p.number("s3.carried_forward.research") + 2), c),
    "cross_year_in_force": lambda p, c: (p, c.with_value("s2_20_1.regulations.in_force",
                                                         c.number("s2_20_1.regulations.in_force") + 5)),
    "cross_year_items": lambda p, c: (p, c.with_value("s2_20_6.penalty.prev_year_items",
                                                      c.number("s2_20_6.penalty.prev_year_items") + 1)),
    "narrative_not_copied": _copied_narrative,
}
"""Cross-year rule id → how to break a consistent pair of years for it."""


@pytest.mark.parametrize(("prev_fid", "cur_fid"), [("2019", "2019"), ("2019", "2021"), ("2021", "2021")])
def test_every_cross_year_rule_of_the_format_fails_on_a_pair_broken_for_it(prev_fid: str, cur_fid: str) -> None:
    """Each cross-year rule the format declares has a way to break it here, and then it (and only it) reports."""
    declared = {r.id for r in load_spec(cur_fid).rules if r.type in ("cross_year", "narrative_similarity")}
    if prev_fid == "2019":
        declared.discard("cross_year_in_force")  # the 2019 format has no 现行有效件数 to carry
    assert declared and declared <= set(BREAKS), sorted(declared - set(BREAKS))
    for rule_id in sorted(declared):
        prev, cur = BREAKS[rule_id](*_pair(prev_fid, cur_fid))
        fired = {f.rule for f in check_data(cur, previous=prev).findings if f.rule in BREAKS}
        assert fired == {rule_id}, (rule_id, fired)
