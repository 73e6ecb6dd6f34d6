"""Every rule of both formats: a clean report passes it, a report broken for it fails it on exactly the right cells."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from toolkit.data import CellValue, LabelSeen, Location, ReportData, TextValue, ValueStatus
from toolkit.rules.engine import check_data
from toolkit.rules.registry import registered_types
from toolkit.sample import sample_report
from toolkit.spec import Severity, load_spec

Mutation = Callable[[ReportData], ReportData]


def _add(key: str, delta: int) -> Mutation:
    return lambda d: d.with_value(key, d.number(key) + delta)


def _set(key: str, value: object, status: ValueStatus, note: str = "") -> Mutation:
    def mutate(d: ReportData) -> ReportData:
        usable = status in (ValueStatus.OK, ValueStatus.NORMALISED)
        number = value if isinstance(value, int | float) and usable else None
        cv = CellValue(key, number, value, status, Location("三 依申请公开", "D9"), note)
        return replace(d, values={**d.values, key: cv})

    return mutate


def _text(section: str, text: str) -> Mutation:
    return lambda d: replace(d, texts={**d.texts, section: TextValue(section, text)})


def _info(field: str, value: str) -> Mutation:
    return lambda d: replace(d, info={**d.info, field: value})


def _drop(prefix: str) -> Mutation:
    return lambda d: replace(d, values={k: v for k, v in d.values.items() if not k.startswith(prefix)})


def _label(found: str, official: str) -> Mutation:
    return lambda d: replace(d, labels=[LabelSeen(official, found, Location("二", "D5"))])


S3 = "s3.{}.{}"
ROW_TOTAL_CELLS = {S3.format("granted", c) for c in
                   ("total", "natural", "commercial", "research", "social_welfare", "legal_service", "other_org")}

# (format, rule id, mutation, the cell keys the failing finding must name, its instance)
def _left_out(key: str, text: str) -> Mutation:
    """A number typed as text in a cell the workbook's formulas sum (their totals leave it out)."""
    def mutate(d: ReportData) -> ReportData:
        cv = CellValue(key, d.number(key), text, ValueStatus.NORMALISED, Location("三 依申请公开", "D9"),
                       "去掉单位“件”", left_out_of_sums=True)
        return replace(d, values={**d.values, key: cv})

    return mutate


CASES: list[tuple[str, str, Mutation, set[str], str]] = []
for fid in ("2019", "2021"):
    CASES += [
        (fid, "s3_balance", _add("s3.carried_forward.research", 2),
         {S3.format(r, "research") for r in ("new_received", "carried_over", "total_processed", "carried_forward")},
         "research"),
        (fid, "s3_row_total", _add("s3.granted.total", 1), ROW_TOTAL_CELLS, "granted"),
        (fid, "s4_group_total", _add("s4.cases.direct_total", 1),
         {f"s4.cases.direct_{c}" for c in ("total", "maintained", "corrected", "other", "pending")}, "direct_total"),
        (fid, "value_kinds", _set("s3.granted.natural", -2, ValueStatus.OK), {"s3.granted.natural"},
         "s3.granted.natural"),
        (fid, "no_blank_cells", _set("s3.granted.natural", None, ValueStatus.BLANK), {"s3.granted.natural"},
         "s3.granted.natural"),
        (fid, "normalised_values", _set("s3.granted.natural", "3件", ValueStatus.NORMALISED, "去掉单位“件”"),
         {"s3.granted.natural"}, "s3.granted.natural"),
        (fid, "value_range", _set("s3.granted.natural", 123456789012345678.0, ValueStatus.OUT_OF_RANGE),
         {"s3.granted.natural"}, "s3.granted.natural"),
        (fid, "text_in_sums", _left_out("s3.granted.natural", "3件"), {"s3.granted.natural"}, "s3.granted.natural"),
        (fid, "format_matches_year", _info("year", "2020" if fid == "2021" else "2023"), {"info.year", "info.format"},
         ""),
        (fid, "sections_present", _text("s6", ""), {"text.s6"}, "s6"),
        (fid, "info_complete", _info("organ", ""), {"info.organ"}, "organ"),
        (fid, "info_length", _info("organ", "局" * 101), {"info.organ"}, "organ"),
        (fid, "section_length", _text("s5", "问题" * 10_001), {"text.s5"}, "s5"),
        (fid, "s5_not_empty", _text("s5", "无。"), {"text.s5"}, "s5"),
        (fid, "labels_exact", _label("对外公开总数", "对外公开总数量"), {""}, "对外公开总数量"),
        (fid, "placeholders_known", _text("s1", "共{申请.不存在}件"), {"text.s1"}, "s1:申请.不存在:1"),
        (fid, "import_missing", lambda d: replace(d, missing=["四：表格缺失（原文截断）"]), set(), "1"),
        (fid, "import_uncertain", lambda d: replace(d, uncertain=["三：第5行的数字无法对应到栏目"]), set(), "1"),
    ]
CASES += [
    ("2021", "s3_results_total", _add("s3.other_fee_unpaid.legal_service", 1),
     {S3.format(r, "legal_service") for r in load_spec("2021").table("s3").row("total_processed").sum_of}
     | {"s3.total_processed.legal_service"}, "legal_service"),
    ("2019", "s3_results_total", _add("s3.total_processed.natural", 3),
     {S3.format(r, "natural") for r in load_spec("2019").table("s3").row("total_processed").sum_of}
     | {"s3.total_processed.natural"}, "natural"),
    ("2021", "issued_within_in_force", _add("s2_20_1.regulations.issued", 500),
     {"s2_20_1.regulations.issued", "s2_20_1.regulations.in_force", "s2_20_1.regulations.repealed"}, "regulations"),
    ("2019", "published_within_total", _add("s2_20_1.normative_documents.new_published", 500),
     {"s2_20_1.normative_documents.new_published", "s2_20_1.normative_documents.total_published"},
     "normative_documents"),
    ("2021", "s6_fee_mentioned", _text("s6", "无。"), {"text.s6"}, "s6"),
    ("2021", "fee_unit_wan_yuan", lambda d: d.with_value("s2_20_8.fees.fee_amount", 12345.0),
     {"s2_20_8.fees.fee_amount"}, "s2_20_8.fees.fee_amount"),
    ("2021", "narrative_numbers_match",
     lambda d: _text("s1", f"本年度共收到政府信息公开申请{int(d.number('s3.new_received.total')) + 1}件。")(d),
     {"text.s1", "s3.new_received.total"}, "s1:s3.new_received.total:0"),
    ("2019", "narrative_numbers_match",
     lambda d: _text("s5", f"结转下年度继续办理{int(d.number('s3.carried_forward.total')) + 4}件")(d),
     {"text.s5", "s3.carried_forward.total"}, "s5:s3.carried_forward.total:0"),
]


def _ids(case: tuple[str, str, Mutation, set[str], str]) -> str:
    return f"{case[0]}-{case[1]}"


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_clean_sample_passes_every_rule(fid: str) -> None:
    """A consistent, complete report has no finding at all."""
    result = check_data(sample_report(load_spec(fid), seed=3))
    assert result.findings == []
    assert result.rules_checked > 400


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_rule_fails_on_exactly_the_right_cells(case: tuple[str, str, Mutation, set[str], str]) -> None:
    """Breaking the data for one rule yields exactly one finding of that rule, naming exactly its cells."""
    fid, rule_id, mutate, cells, instance = case
    data = mutate(sample_report(load_spec(fid), seed=5))
    result = check_data(data)
    mine = [f for f in result.findings if f.rule == rule_id]
    assert len(mine) == 1, [f.message.zh for f in result.findings]
    finding = mine[0]
    assert {c.key for c in finding.cells} == cells
    assert finding.instance == instance
    assert finding.message.zh and finding.message.en
    assert "{" not in finding.message.zh and "{" not in finding.message.en
    spec_rule = next(r for r in load_spec(fid).rules if r.id == rule_id)
    assert finding.severity is spec_rule.severity and finding.code == spec_rule.code


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_every_declared_rule_has_a_failing_case(fid: str) -> None:
    """Each non-guidance rule of the format is exercised by a failing case above."""
    spec = load_spec(fid)
    covered = {rule for f, rule, *_ in CASES if f == fid}
    cross_year = {"cross_year", "narrative_similarity", "previous_report"}  # test_crossyear, test_untrusted_input
    desk = {"explanation_quality", "leftover_text", "statute_citation", "period_year", "yoy_jump",
            "narrative_repeat", "published_late"}  # tests/test_desk_review.py, tests/test_desk_explanations.py
    declared = {r.id for r in spec.rules if r.type != "guidance" and r.type not in cross_year | desk}
    assert declared <= covered, declared - covered
    assert {r.type for r in spec.rules} <= registered_types()


def test_sum_findings_report_expected_and_actual() -> None:
    """A wrong 总计 is reported with the reported value as actual and the computed sum as expected."""
    data = sample_report(load_spec("2021"), seed=5)
    parts = sum(data.number(f"s4.cases.review_{c}") for c in ("maintained", "corrected", "other", "pending"))
    broken = data.with_value("s4.cases.review_total", parts + 4)
    finding = next(f for f in check_data(broken).findings if f.rule == "s4_group_total")
    assert (finding.expected, finding.actual) == (parts, parts + 4)
    assert "相差4" in finding.message.zh


def test_text_and_error_cells_skip_sums_but_are_reported() -> None:
    """A cell holding words or #REF! is a value-kind error; the sums it is part of are not assessed."""
    data = sample_report(load_spec("2021"), seed=5)
    as_zero = _set("s3.granted.natural", 0, ValueStatus.OK)(data)  # were the cell counted as 0, sums would fail
    assert {"s3_row_total", "s3_results_total"} <= {f.rule for f in check_data(as_zero).findings}
    for raw, status in (("#REF!", ValueStatus.EXCEL_ERROR), ("见附件", ValueStatus.INVALID)):
        broken = _set("s3.granted.natural", raw, status)(data)
        findings = check_data(broken).findings
        assert {f.rule for f in findings if f.severity is not Severity.UNASSESSED} == {"value_kinds"}, raw
        unassessed = {f.rule for f in findings if f.severity is Severity.UNASSESSED}
        assert unassessed == {"s3_row_total", "s3_results_total"}, raw


def test_blank_cells_count_as_zero_in_sums_and_are_reported() -> None:
    """A blank is reported as 未填写 and counts as 0, so a blank part makes its total disagree."""
    data = sample_report(load_spec("2021"), seed=5)
    data = data.with_value("s4.cases.review_maintained", 1).with_value("s4.cases.review_total", 1)
    data = data.with_value("s4.cases.review_corrected", 0).with_value("s4.cases.review_other", 0)
    data = data.with_value("s4.cases.review_pending", 0)
    data = _set("s4.cases.review_maintained", None, ValueStatus.BLANK)(data)
    found = {(f.rule, f.severity) for f in check_data(data).findings}
    assert found == {("no_blank_cells", Severity.WARNING), ("s4_group_total", Severity.ERROR)}


def test_missing_section_tables_are_reported() -> None:
    """A report without any 四 cells misses section 四 (and each cell is reported as not found)."""
    data = _drop("s4.")(sample_report(load_spec("2021"), seed=5))
    result = check_data(data)
    sections = [f for f in result.findings if f.rule == "sections_present"]
    assert [f.instance for f in sections] == ["s4"]
    assert sum(1 for f in result.findings if f.rule == "no_blank_cells") == 15


def test_skip_leaves_out_rules_by_id_or_code() -> None:
    """--skip accepts a rule id or a finding code."""
    data = _set("s3.granted.natural", None, ValueStatus.BLANK)(sample_report(load_spec("2021"), seed=5))
    assert check_data(data, skip={"cell-blank"}).findings == check_data(data, skip={"no_blank_cells"}).findings
    assert not any(f.rule == "no_blank_cells" for f in check_data(data, skip={"cell-blank"}).findings)


def test_findings_are_ordered_errors_first() -> None:
    """Errors come before warnings, warnings before checks not assessed, those before infos."""
    data = sample_report(load_spec("2021"), seed=5)
    data = _text("s5", "无")(_add("s3.granted.total", 1)(data))
    ranks = [f.severity.rank for f in check_data(data).findings]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == Severity.ERROR.rank
