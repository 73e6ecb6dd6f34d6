"""The bundled examples: current with their generator, and checked to exactly their expected findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from toolkit.api import check_file
from toolkit.workbook import read_workbook

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))
import generate  # noqa: E402  (examples/generate.py, not a package)

STEMS = sorted(generate.EXAMPLES)


def _codes(path: Path) -> dict[str, list[str]]:
    result = check_file(path, annotate=False)
    codes: dict[str, set[str]] = {"error": set(), "warning": set(), "info": set()}
    for f in result.findings:
        codes[f.severity.value].add(f.code)
    return {k: sorted(v) for k, v in codes.items()}


@pytest.mark.parametrize("stem", STEMS)
def test_example_checks_to_its_expected_findings(stem: str) -> None:
    """`toolkit check` on each example reports exactly the codes in its .expected.json."""
    expected = json.loads((EXAMPLES / f"{stem}.expected.json").read_text(encoding="utf-8"))
    assert _codes(EXAMPLES / f"{stem}.xlsx") == expected


def test_expected_files_say_what_the_examples_are_for() -> None:
    """The seed lacks 六 (one error); the street is clean; its broken copy has each planted mistake."""
    load = {s: json.loads((EXAMPLES / f"{s}.expected.json").read_text(encoding="utf-8")) for s in STEMS}
    assert load["南口镇2020年报"]["error"] == ["section-missing"]
    assert load["示例区民政局2026年报"] == {"error": [], "warning": [], "info": []}
    broken = load["示例区民政局2026年报-有错"]
    assert {"s3-balance", "s3-row-total", "s3-results-total"} <= set(broken["error"])
    assert {"cell-blank", "s5-empty"} <= set(broken["warning"])
    assert "value-normalised" in broken["info"]


@pytest.mark.parametrize("stem", STEMS)
def test_examples_are_current(tmp_path: Path, stem: str) -> None:
    """The committed workbooks read as what examples/generate.py makes now (python -m toolkit.dev regenerate)."""
    generate.generate(tmp_path)
    fresh, committed = read_workbook(tmp_path / f"{stem}.xlsx"), read_workbook(EXAMPLES / f"{stem}.xlsx")
    assert {k: (v.value, v.raw) for k, v in committed.values.items()} == {
        k: (v.value, v.raw) for k, v in fresh.values.items()}
    assert committed.info == fresh.info
    assert {k: v.text for k, v in committed.texts.items()} == {k: v.text for k, v in fresh.texts.items()}
    assert (EXAMPLES / f"{stem}.expected.json").read_text(encoding="utf-8") == (
        tmp_path / f"{stem}.expected.json").read_text(encoding="utf-8")


def test_seed_example_holds_the_published_numbers() -> None:
    """The 南口镇 workbook holds the seed's figures (e.g. 政府集中采购 17 items, 438754) and its narrative."""
    data = read_workbook(EXAMPLES / "南口镇2020年报.xlsx")
    assert data.number("s2_20_9.central_procurement.items") == 17
    assert data.number("s2_20_9.central_procurement.amount") == 438754
    seed = generate.SEED.read_text(encoding="utf-8")
    for paragraph in data.text("s1").splitlines():
        assert paragraph.strip() in seed
