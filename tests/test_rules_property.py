"""Property-based: consistent data passes; changing one cell fails exactly the sum rules that involve it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.rules.engine import check_data
from toolkit.rules.linear import linear_checks
from toolkit.sample import sample_report
from toolkit.spec import Severity, load_spec

FORMATS = ("2019", "2021")


@settings(max_examples=60, deadline=None)
@given(fid=st.sampled_from(FORMATS), seed=st.integers(0, 10**6))
def test_random_consistent_data_passes(fid: str, seed: int) -> None:
    """Any generated consistent report has no finding."""
    assert check_data(sample_report(load_spec(fid), seed)).findings == []


@settings(max_examples=150, deadline=None)
@given(fid=st.sampled_from(FORMATS), seed=st.integers(0, 10**6), pick=st.integers(0, 10**6),
       delta=st.integers(1, 50))
def test_one_changed_cell_fails_exactly_the_equalities_that_involve_it(fid: str, seed: int, pick: int,
                                                                       delta: int) -> None:
    """Raising any one table cell makes exactly the error-level sum checks containing it fail, and no other."""
    spec = load_spec(fid)
    data = sample_report(spec, seed)
    keys = list(spec.cells)
    key = keys[pick % len(keys)]
    changed = data.with_value(key, data.number(key) + delta)
    expected = {c.id for c in linear_checks(spec) if c.rule.severity is Severity.ERROR and key in c.cells}
    failed = {f"{f.rule}[{f.instance}]" for f in check_data(changed).findings if f.severity is Severity.ERROR}
    assert failed == expected
    if key.startswith(("s3.", "s4.")):
        assert expected, f"{key} is in no sum rule"


def test_every_cell_of_tables_three_and_four_is_in_a_sum_rule() -> None:
    """No cell of 三 or 四 escapes the sum rules (so a typo there is always caught)."""
    for fid in FORMATS:
        spec = load_spec(fid)
        covered = {k for c in linear_checks(spec) for k in c.cells}
        assert {k for k in spec.cells if k.startswith(("s3.", "s4."))} <= covered


@settings(max_examples=40, deadline=None)
@given(fid=st.sampled_from(FORMATS), seed=st.integers(0, 10**6), pick=st.integers(0, 10**6),
       delta=st.integers(1, 50))
def test_through_the_template_one_changed_input_fails_exactly_its_checks(fid: str, seed: int, pick: int,
                                                                         delta: int) -> None:
    """Written into the template and read back, consistent data passes; one input raised (its totals kept as
    they were, as when a clerk edits a figure but not the 总计) fails exactly the sum checks containing it."""
    import tempfile
    from pathlib import Path

    from toolkit.spec import CellKind
    from toolkit.template import build_template
    from toolkit.workbook import read_workbook

    spec = load_spec(fid)
    data = sample_report(spec, seed)
    inputs = [k for k, c in spec.cells.items() if c.kind is CellKind.INPUT]
    key = inputs[pick % len(inputs)]
    with tempfile.TemporaryDirectory() as folder:
        clean = read_workbook(build_template(spec, Path(folder) / "clean.xlsx", data=data))
        assert check_data(clean).findings == []
        changed = read_workbook(build_template(spec, Path(folder) / "changed.xlsx",
                                               data=data.with_value(key, data.number(key) + delta)))
    expected = {c.id for c in linear_checks(spec) if c.rule.severity is Severity.ERROR and key in c.cells}
    failed = {f"{f.rule}[{f.instance}]" for f in check_data(changed).findings if f.severity is Severity.ERROR}
    assert failed == expected
