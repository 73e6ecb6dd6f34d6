"""Property: random consistent tables, flattened the way many sites publish them (the whole body on one line,
cells run together, random stray spaces, item numbers glued on), import back — exactly where the digits allow
one reading, and never wrongly where they do not."""

from __future__ import annotations

import random
from pathlib import Path

from flatten import flatten
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.importer import import_report
from toolkit.sample import consistent_numbers
from toolkit.spec import load_spec

FORMATS = {"2019": 2020, "2021": 2026}


def _values(fid: str, seed: int, scale: int, single_digits: bool) -> dict[str, object]:
    spec = load_spec(fid)
    rng = random.Random(seed)
    values: dict[str, object] = dict(consistent_numbers(spec, rng, scale=scale))
    for key in values:
        if key.startswith("s2_") or (single_digits and key.startswith("s4.")):
            values[key] = rng.randint(0, 9)
    if single_digits:
        for tid in ("s3", "s4"):
            if any(int(str(v)) > 9 for k, v in values.items() if k.startswith(f"{tid}.")):
                values.update({k: 0 for k in values if k.startswith(f"{tid}.")})
    return values


def _import(tmp: Path, fid: str, values: dict[str, object], seed: int, spaces: float) -> object:
    path = tmp / f"flat-{fid}-{seed}.txt"
    path.write_text(flatten(load_spec(fid), values, seed=seed, year=FORMATS[fid], spaces=spaces), encoding="utf-8")
    return import_report(path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fid=st.sampled_from(sorted(FORMATS)), seed=st.integers(0, 10**6), spaces=st.floats(0, 0.6))
def test_single_digit_tables_flattened_import_back_exactly(tmp_path: Path, fid: str, seed: int, spaces: float) -> None:
    """Every cell one digit: whatever the spaces, every value of 二, 三 and 四 comes back, nothing is uncertain."""
    values = _values(fid, seed, 3, single_digits=True)
    result = _import(tmp_path, fid, values, seed, spaces)
    assert result.format_id == fid  # type: ignore[attr-defined]
    assert {k: v.value for k, v in result.data.values.items()} == values  # type: ignore[attr-defined]
    assert result.uncertain == [] and result.missing == []  # type: ignore[attr-defined]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fid=st.sampled_from(sorted(FORMATS)), seed=st.integers(0, 10**6), spaces=st.floats(0, 0.6),
       scale=st.sampled_from([5, 12, 30]))
def test_multi_digit_tables_flattened_are_never_imported_wrong(tmp_path: Path, fid: str, seed: int, spaces: float,
                                                              scale: int) -> None:
    """Values of several digits: every imported value is right, and a row left out is named as having another
    reading that every rule accepts as well, the true reading among the candidates shown."""
    values = _values(fid, seed, scale, single_digits=False)
    result = _import(tmp_path, fid, values, seed, spaces)
    got = {k: v.value for k, v in result.data.values.items()}  # type: ignore[attr-defined]
    assert all(got[k] == values[k] for k in got)
    spec = load_spec(fid)
    for tid in ("s3", "s4"):
        table = spec.table(tid)
        for row in table.data_rows:
            keys = [f"{tid}.{row.id}.{c.id}" for c in table.columns]
            if keys[0] in got:
                continue
            truth = "、".join(str(values[k]) for k in keys)
            notes = [n for n in result.uncertain if "同样成立" in n]  # type: ignore[attr-defined]
            assert notes and (any(truth in n for n in notes) or any("另有" in n for n in notes)), (row.id, notes)
