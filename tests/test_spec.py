"""The format files against the official transcription in shared/reference and against the seed report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolkit.errors import UnknownFormatError
from toolkit.spec import CellKind, ValueKind, format_for_year, load_spec

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REFERENCE / "formats.yaml").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_every_label_equals_the_official_transcription(fid: str) -> None:
    """Every section title, caption, row label, column label and note equals shared/reference/formats.yaml."""
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


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_seed_report_prints_every_2019_label_but_one() -> None:
    """The 南口镇 2020 seed prints every 2019-format label, except 对外公开总数量 (it prints 对外公开总数)."""
    seed = _squash((REFERENCE / "nankou-2020-annual-report.txt").read_text(encoding="utf-8"))
    spec = load_spec("2019")
    labels = [s.title for s in spec.sections if s.id != "s6"]
    for table in spec.tables.values():
        labels += [table.caption or "", table.row_header or "", table.note or ""]
        labels += [c.label for c in table.columns] + [r.label or "" for r in table.rows]
    missing = sorted({lbl for lbl in labels if lbl and _squash(lbl) not in seed})
    assert missing == ["对外公开总数量"]
    assert "对外公开总数" in seed
    assert "六、其他需要报告的事项" not in seed


def test_format_is_chosen_by_report_year() -> None:
    """Reports on 2019–2020 use the 2019 format, 2021 onward the 2021 format; earlier years are refused."""
    assert [format_for_year(y) for y in (2019, 2020, 2021, 2026)] == ["2019", "2019", "2021", "2021"]
    with pytest.raises(UnknownFormatError):
        format_for_year(2018)
    with pytest.raises(UnknownFormatError):
        load_spec("2008")


def test_formats_print_no_invented_subtotals() -> None:
    """No （三）–（六） subtotal rows and no 小计 column: group labels hold no cells."""
    for fid in ("2019", "2021"):
        spec = load_spec(fid)
        labels = [c.label for t in spec.tables.values() for c in t.columns]
        assert "小计" not in labels
        s3 = spec.table("s3")
        for gid in ("denied", "unable", "not_processed"):
            assert not s3.row(gid).has_cells
        assert not any(k.startswith(("s3.denied.", "s3.unable.", "s3.not_processed.", "s3.results."))
                       for k in spec.cells)
