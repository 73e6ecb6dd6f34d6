"""The format files against the official transcription in the corpus (formats.yaml beside the checkout)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from support import REFERENCE

from toolkit.spec import CellKind, ValueKind, load_spec


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REFERENCE / "formats.yaml").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_every_label_equals_the_official_transcription(fid: str) -> None:
    """Every section title, caption, row label, column label and note equals the corpus's formats.yaml."""
    ref = _reference()["formats"][fid]
    spec = load_spec(fid)
    assert [s.title for s in spec.sections] == [s["title"] for s in ref["sections"]]
    assert [s.tables for s in spec.sections] == [tuple(s.get("tables", ())) for s in ref["sections"]]
    assert spec.issuing_document == ref["issuing_document"]
    assert spec.format_title == ref["format_title"]
    for tid, rt in ref["tables"].items():
        table = spec.table(tid)
        assert table.caption == rt.get("caption")
        assert table.row_header == rt.get("row_header")
        assert table.note == rt.get("note")
        assert [(c.id, c.label) for c in table.columns] == [(c["id"], c["label"]) for c in rt["columns"]]
        assert [(r.id, r.label) for r in table.rows] == [(r["id"], r.get("label")) for r in rt["rows"]]


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_kinds_and_totals_match_the_transcription(fid: str) -> None:
    """Value kinds, total columns/rows and their sum_of lists are those of the transcription."""
    ref = _reference()["formats"][fid]
    spec = load_spec(fid)
    for tid, rt in ref["tables"].items():
        table = spec.table(tid)
        for col, rc in zip(table.columns, rt["columns"], strict=True):
            assert col.value == ValueKind(rc.get("value", rt.get("value")))
            assert col.kind == CellKind(rc.get("kind", "input"))
            assert list(col.sum_of) == rc.get("sum_of", [])
        for row, rr in zip(table.rows, rt["rows"], strict=True):
            assert list(row.sum_of) == rr.get("sum_of", [])
            assert row.kind == rr.get("kind", "input")


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_cell_counts_match_the_official_tables(fid: str) -> None:
    """The number of data cells per section is what formats.yaml counts (22/161/15 and 10/175/15)."""
    counts = _reference()["counts"][fid]
    spec = load_spec(fid)
    by_table: dict[str, int] = {}
    for cell in spec.cells.values():
        by_table[cell.table[:2]] = by_table.get(cell.table[:2], 0) + 1
    assert by_table == {"s2": counts["s2_cells"], "s3": counts["s3_cells"], "s4": counts["s4_cells"]}


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_every_error_rule_of_the_transcription_is_implemented(fid: str) -> None:
    """Every single-year error rule of formats.yaml that applies to the format has a rule in the format file."""
    spec = load_spec(fid)
    ours = {r.id for r in spec.rules}
    aliases = {"s3_results_total_2019": "s3_results_total", "s3_results_total_2021": "s3_results_total",
               "published_within_total_2019": "published_within_total"}
    for rule in _reference()["rules"]:
        if fid not in rule["formats"] or "needs" in rule or rule["id"] == "narrative_not_copied":
            continue
        assert aliases.get(rule["id"], rule["id"]) in ours, rule["id"]
