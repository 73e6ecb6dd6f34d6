"""Merging units: every cell is the sum over the units; refusals name the units that block it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from toolkit.merge import contribution_rows, merge_reports
from toolkit.rules.engine import check_data
from toolkit.sample import sample_report
from toolkit.spec import load_spec


def _units(n: int, fid: str = "2021") -> list:
    spec = load_spec(fid)
    return [sample_report(spec, seed, organ=f"单位{seed:02d}", year=2026 if fid == "2021" else 2020)
            for seed in range(n)]


def test_every_merged_cell_is_the_sum_of_the_units() -> None:
    """50 units: each cell of the merged report equals the sum of that cell over the units."""
    units = _units(50)
    outcome = merge_reports(units, organ="某区")
    assert outcome.data is not None and not outcome.problems
    for key in load_spec("2021").cells:
        assert outcome.data.number(key) == pytest.approx(sum(u.number(key) for u in units)), key
    assert outcome.data.organ == "某区" and outcome.data.year == 2026


def test_merged_report_checks_clean_when_units_do() -> None:
    """Sums of consistent units are consistent: the merged report has no error and no warning."""
    for fid in ("2019", "2021"):
        outcome = merge_reports(_units(12, fid), organ="某区")
        assert outcome.data is not None
        assert check_data(outcome.data).findings == []


def test_merge_refuses_mixed_years_and_lists_every_unit() -> None:
    """Units of different years (or formats) are refused, each unit listed with its year and format."""
    units = [*_units(3), sample_report(load_spec("2019"), 9, organ="老格式镇", year=2020)]
    outcome = merge_reports(units)
    assert outcome.refused
    assert any("老格式镇：2020年度，2019格式" in p for p in outcome.problems)
    assert sum(1 for p in outcome.problems if p.startswith("单位")) == 3


def test_merge_refuses_units_with_errors_unless_forced() -> None:
    """A unit with an error-level finding blocks the merge, named in the refusal; --force merges anyway."""
    units = _units(4)
    units[2] = units[2].with_value("s3.granted.total", units[2].number("s3.granted.total") + 1)
    refused = merge_reports(units)
    assert refused.refused and any(p.startswith("单位02：错误") for p in refused.problems)
    forced = merge_reports(units, force=True)
    assert forced.data is not None


def test_narratives_are_gathered_per_unit() -> None:
    """Each section of the merged report lists the units' paragraphs marked 【单位】."""
    units = _units(2)
    units = [replace(u, texts={**u.texts}) for u in units]
    outcome = merge_reports(units)
    assert outcome.data is not None
    assert outcome.data.text("s5").startswith("【单位00】")
    assert "【单位01】" in outcome.data.text("s5")


def test_contribution_rows_list_each_unit_and_the_sum() -> None:
    """The 各单位明细 sheet has one column per unit and the sum, one row per cell."""
    units = _units(3)
    outcome = merge_reports(units)
    spec = load_spec("2021")
    rows = contribution_rows(outcome, {k: c.label for k, c in spec.cells.items()})
    assert rows[0] == ["栏目", "单位00", "单位01", "单位02", "合计"]
    first = rows[1]
    assert first[-1] == sum(first[1:-1])
    assert len(rows) == len(spec.cells) + 1
