"""The run-together digit solver: readings of one run, and the table search by the 勾稽 rules."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from toolkit.importer.runs import table_checks
from toolkit.importer.solve import (
    MAX_READINGS,
    Refused,
    RowChoices,
    compact,
    count_readings,
    crossings,
    solve,
    split_run,
)
from toolkit.spec import load_spec

S3 = load_spec("2021").table("s3")
COUNTS = ["count"] * 7


def _row(row_id: str, run: str) -> RowChoices:
    readings, packed = split_run(run, COUNTS)
    keys = tuple(f"s3.{row_id}.{c.id}" for c in S3.columns)
    return RowChoices(keys, readings, [crossings(packed, r) for r in readings], len(readings))


def _zero_rows(except_: set[str]) -> list[RowChoices]:
    return [_row(r.id, "0000000") for r in S3.data_rows if r.id not in except_]


def test_a_run_splits_into_every_reading_of_valid_numbers() -> None:
    """1077 as three counts reads 1|0|77 or 10|7|7: no leading zeros, nothing else."""
    readings, _ = split_run("1077", ["count"] * 3)
    assert readings == [("1", "0", "77"), ("10", "7", "7")]


def test_a_run_with_as_many_digits_as_cells_has_one_reading() -> None:
    """3000003 in a row of seven is 3|0|0|0|0|0|3, whatever the rules say."""
    assert split_run("3000003", COUNTS)[0] == [("3", "0", "0", "0", "0", "0", "3")]


def test_amounts_keep_their_decimals_and_units_stay_on_the_last_cell() -> None:
    """9116.36 is one amount (never 9116.3|6), and 元 printed after a run stays on its last cell."""
    assert split_run("9116.36", ["amount"])[0] == [("9116.36",)]
    readings, _ = split_run("283元", ["count", "amount"])
    assert readings == [("2", "83元"), ("28", "3元")]


def test_counts_are_never_decimals() -> None:
    """A count column does not take 0.5: a run whose only split needs a decimal count has no reading."""
    assert split_run("0.5", ["count"])[0] == []


def test_stray_spaces_are_hints_not_boundaries() -> None:
    """1 0 0 0 0 01 (a space missing) still reads as seven cells; 1400000 14 keeps both readings, the space
    crossing none in 14|0|0|0|0|0|14."""
    assert split_run("1 0 0 0 0 01", COUNTS)[0] == [("1", "0", "0", "0", "0", "0", "1")]
    readings, packed = split_run("1400000 14", COUNTS)
    assert ("14", "0", "0", "0", "0", "0", "14") in readings and len(readings) == 4
    assert crossings(packed, ("14", "0", "0", "0", "0", "0", "14")) == 0
    assert crossings(packed, ("1", "40", "0", "0", "0", "0", "14")) == 0
    spaced = compact("12 3")
    assert [crossings(spaced, r) for r in [("12", "3"), ("1", "23"), ("123",)]] == [0, 1, 1]
    assert compact("0 0\u30000").chars == "000"


def test_the_rules_leave_one_reading_of_a_consistent_table() -> None:
    """Rows of two-digit values run together (122): 14|0|0|0|0|0|14 is the only reading all sums accept."""
    rows = [_row("new_received", "1400000 14"), _row("partial", "700000 7"), _row("unable_not_held", "5000005"),
            _row("np_repeat", "1000001"), _row("other_no_correction", "100000 1"),
            _row("total_processed", "140000014")]
    taken = {"new_received", "partial", "unable_not_held", "np_repeat", "other_no_correction", "total_processed"}
    rows += _zero_rows(taken)
    solution = solve(rows, table_checks("2021", "s3"))
    assert not solution.ambiguous and not solution.broken and not solution.exhausted
    assert rows[0].readings[solution.chosen[0]] == ("14", "0", "0", "0", "0", "0", "14")
    assert rows[5].readings[solution.chosen[5]] == ("14", "0", "0", "0", "0", "0", "14")


def test_an_inconsistent_table_takes_its_unique_least_broken_reading() -> None:
    """116: 本年新收 3000003 while every result is 0 — imported as printed, and the broken sums are named."""
    rows = [_row("new_received", "3000003"), *_zero_rows({"new_received"})]
    solution = solve(rows, table_checks("2021", "s3"))
    assert not solution.ambiguous
    assert rows[0].readings[solution.chosen[0]] == ("3", "0", "0", "0", "0", "0", "3")
    assert sorted(solution.broken) == ["s3_balance[natural]", "s3_balance[total]"]


def test_equally_good_readings_are_refused_with_their_candidates() -> None:
    """000011011 in 一, （一） and （七） reads …|1|10|11 or …|11|0|11 alike under every rule: those three rows stay
    open with both candidates, and every other row of the table is still decided."""
    taken = {"new_received", "granted", "total_processed"}
    rows = [_row(r, "000011011") for r in sorted(taken)] + _zero_rows(taken)
    solution = solve(rows, table_checks("2021", "s3"))
    assert set(solution.ambiguous) == {0, 1, 2}
    both = {("0", "0", "0", "0", "1", "10", "11"), ("0", "0", "0", "0", "11", "0", "11")}
    for r in range(3):
        assert set(solution.ambiguous[r]) == both
    assert all(r in solution.chosen for r in range(3, len(rows)))
    assert solution.broken == []


def test_a_hostile_run_is_refused_at_once() -> None:
    """A 10^6-digit run and a row of 200 digits are refused by length, never enumerated."""
    with pytest.raises(Refused) as caught:
        split_run("7" * 1_000_000, COUNTS)
    assert caught.value.reason == "import.solve.too_long"
    with pytest.raises(Refused):
        split_run("1" * 200, COUNTS)


def test_a_run_with_too_many_readings_is_refused_by_counting() -> None:
    """A long run of non-zero digits has more readings than the budget: counted, then refused."""
    run = "123456789" * 5
    assert count_readings(compact(run), COUNTS) > MAX_READINGS
    with pytest.raises(Refused) as caught:
        split_run(run, COUNTS)
    assert caught.value.reason == "import.solve.too_many"


def test_a_hostile_one_line_report_imports_in_bounded_time(tmp_path: pytest.TempPathFactory) -> None:
    """A report whose 三 rows are 10^6 and 200 digits long imports in a subprocess under a hard time limit,
    naming the rows it refused."""
    body = ("某局2026年政府信息公开工作年度报告一、总体情况本年度工作正常。三、收到和处理政府信息公开申请情况"
            "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
            "一、本年新收政府信息公开申请数量" + "9" * 1_000_000 + "二、上年结转政府信息公开申请数量" + "12" * 100 +
            "四、政府信息公开行政复议、行政诉讼情况五、存在的主要问题及改进情况无。六、其他需要报告的事项无。")
    path = tmp_path / "hostile.txt"  # type: ignore[operator]
    path.write_text(body, encoding="utf-8")
    code = ("import sys; from toolkit.importer import import_report; r = import_report(sys.argv[1]);"
            "print(len([k for k in r.data.values if k.startswith('s3.')])); print('\\n'.join(r.uncertain))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60,
                          check=True)
    count, *notes = done.stdout.splitlines()
    assert count == "0"
    assert any("本年新收" in n and "超出" in n for n in notes)
    assert any("上年结转" in n for n in notes)


def test_numbers_in_the_rules_are_exact() -> None:
    """Amounts are compared as decimals (0.1 + 0.2 == 0.3), not floats."""
    from toolkit.importer.solve import number

    assert number("0.1") + number("0.2") == number("0.3") == Decimal("0.3")
    assert number("/") == 0 and number("") == 0


def test_full_width_digits_and_thousands_separators_in_runs() -> None:
    """１２０５ reads as 1205; 1,205 alone is one number; commas between cells are boundaries' hints."""
    assert split_run("１２０５", ["count"])[0] == [("1205",)]
    assert split_run("1,205", ["count"])[0] == [("1205",)]
    readings, packed = split_run("1,2,0", ["count"] * 3)
    assert readings == [("1", "2", "0")] and packed.spaces == frozenset({1, 2})


def test_a_unit_after_each_cell_is_a_boundary() -> None:
    """5件0件0件0件0件0件5件 is seven cells, 件 between them a boundary like a space."""
    assert split_run("15件0件0件0件0件0件15件", COUNTS)[0] == [("15", "0", "0", "0", "0", "0", "15件")]


def test_over_budget_only_the_digits_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the joint search runs out of budget, rows whose digits have one reading are still taken; the others
    are open, and the solution says it was cut short (never a guess)."""
    import toolkit.importer.solve as solver

    monkeypatch.setattr(solver, "MAX_STATES", 1)
    rows = [_row("new_received", "1400000 14"), _row("total_processed", "140000014"),
            *_zero_rows({"new_received", "total_processed"})]
    solution = solve(rows, table_checks("2021", "s3"))
    assert solution.exhausted and set(solution.ambiguous) == {0, 1}
    assert set(solution.chosen) == set(range(2, len(rows)))
