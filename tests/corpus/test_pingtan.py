"""Eight complete real reports of one district (bodies on one line, cells run together), against hand-derived
expectations in tests/fixtures/published/pingtan/: every value of 二, 三 and 四, sections, truthful notes, and the
real inconsistency of 116 found by ``check``."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from support import FIXTURES, REFERENCE

from toolkit.importer import import_report

PINGTAN = REFERENCE / "published" / "pingtan"
EXPECTED = FIXTURES / "published" / "pingtan"
NAMES = sorted(p.name.removesuffix(".expected.yaml") for p in EXPECTED.glob("*.expected.yaml"))


def _expected(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((EXPECTED / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def imported() -> dict[str, Any]:
    """Each report imported once for the module."""
    return {name: import_report(PINGTAN / f"{name}.txt") for name in NAMES}


def test_there_are_eight_hand_derived_expectations() -> None:
    """The fixtures cover all eight reports of the district."""
    assert NAMES == ["101", "103", "107", "110", "116", "117", "121", "122"]


@pytest.mark.parametrize("name", NAMES)
def test_full_report_imports_every_value_of_its_tables(imported: dict[str, Any], name: str) -> None:
    """Format, year, organ and every value of 二, 三 and 四 equal the hand-derived ones; nothing else is imported."""
    expected, result = _expected(name), imported[name]
    assert (result.format_id, result.year, result.organ) == (expected["format"], expected["year"], expected["organ"])
    got = {k: v.value for k, v in result.data.values.items()}
    assert got == expected["values"]
    for key in expected["values"]:
        assert result.data.values[key].usable and key in result.provenance


@pytest.mark.parametrize("name", NAMES)
def test_full_report_is_not_called_cut_and_has_its_sections(imported: dict[str, Any], name: str) -> None:
    """No “截断”, no missing section the report prints; each narrative section it prints is non-empty."""
    expected, result = _expected(name), imported[name]
    assert expected["complete"] is True
    assert result.missing == []
    assert not any("截断" in note for note in result.uncertain)
    for sid in ("s1", "s5", "s6"):
        text = result.data.texts[sid]
        assert text.present == (sid in expected["sections"]) and (not text.present or text.text.strip())


@pytest.mark.parametrize("name", NAMES)
def test_ambiguous_runs_are_named_with_their_candidates_not_imported(imported: dict[str, Any], name: str) -> None:
    """Each run of 二 with several readings is one uncertain note listing its readings; its cells stay absent."""
    expected, result = _expected(name), imported[name]
    assert len(result.uncertain) == len(expected["ambiguous"]), result.uncertain
    for item in expected["ambiguous"]:
        assert not any(key in result.data.values for key in item["cells"])
        notes = [n for n in result.uncertain if item["run"] in n]
        assert len(notes) == 1, (item["run"], result.uncertain)
        assert f"有{len(item['readings'])}种" in notes[0]
        for reading in item["readings"][:4]:
            assert "、".join(str(v) for v in reading) in notes[0]


@pytest.mark.parametrize("name", NAMES)
def test_check_reports_exactly_the_real_inconsistencies(name: str) -> None:
    """``check`` on the report finds the sums the published numbers break (116's 本年新收 3 against 0 decided),
    and no other sum error."""
    from toolkit.api import check_file

    expected = _expected(name)
    result = check_file(PINGTAN / f"{name}.txt", annotate=False)
    sums = {f"{f.rule}[{f.instance}]" for f in result.findings
            if f.rule in ("s3_balance", "s3_row_total", "s3_results_total", "s4_group_total")}
    assert sums == set(expected["inconsistent"])


def test_solved_values_say_which_run_they_came_from(imported: dict[str, Any]) -> None:
    """A value split out of a run keeps its source line, character span, the run and how many readings it had."""
    result = imported["122"]
    origin = result.origins["s3.new_received.natural"]
    assert origin["where"] == "L14" and origin["run"] == "1400000 14" and origin["readings"] == 4
    start, end = origin["span"]
    text = (PINGTAN / "122.txt").read_text(encoding="utf-8").split("\n")[13]
    assert text[start:end] == "1400000 14"
    assert "1400000 14" in result.provenance["s3.new_received.natural"]
    view = result.to_dict()["cells"]["s3.new_received.natural"]
    assert view["run"] == "1400000 14" and view["readings"] == 4 and view["span"] == [start, end]
