"""The format files: what the official formats fix (counts, rules, labels) and the seed report's labels.

These facts are held here (copied from the official formats); tests/corpus/test_spec_corpus.py compares the format
files with the full transcription in the corpus, label by label.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from support import ROOT, SEED, has_chinese, run_toolkit

from toolkit.errors import SpecError, UnknownFormatError
from toolkit.spec import compiled as spec_compiled
from toolkit.spec import format_for_year, load_spec
from toolkit.spec import load as spec_load
from toolkit.spec.models import ReportSpec

FORMATS = ROOT / "toolkit" / "formats"
CELLS = {"2019": {"s2": 22, "s3": 161, "s4": 15}, "2021": {"s2": 10, "s3": 175, "s4": 15}}
"""Data cells per section of the official tables (国办公开办函〔2019〕60号 and 〔2021〕30号)."""
S3_DATA_ROWS = {"2019": 23, "2021": 25}
"""Rows of 三 that hold numbers."""
OFFICIAL_RULES = {
    "2019": {"s3_balance", "s3_row_total", "s3_results_total", "s4_group_total", "value_kinds", "no_blank_cells",
             "published_within_total", "format_matches_year", "labels_exact", "sections_present", "s5_not_empty",
             "narrative_numbers_match", "litigation_counting"},
    "2021": {"s3_balance", "s3_row_total", "s3_results_total", "s4_group_total", "value_kinds", "no_blank_cells",
             "issued_within_in_force", "format_matches_year", "labels_exact", "sections_present", "s5_not_empty",
             "s6_fee_mentioned", "narrative_numbers_match", "fee_unit_wan_yuan", "decisions_include_unpublished",
             "litigation_counting"},
}
"""The single-year checks the official formats and review practice require, by the format file's rule ids."""
LABELS_SHA256 = {
    "2019": "30fbdbb3c52ce3b2777f0259a4175f4cbbee3297aa19a14e9c1e360327056b80",
    "2021": "271cb0c3bb6c956d53f3b3c9992ce1c4298d49c1674edf50ba17425217d6181c",
}
"""Digest of every official label in order (see ``_labels``), computed from the transcription of the formats."""


def _labels(spec: ReportSpec) -> str:
    """Issuing document, format title, section titles, then per table its caption, headers, note, columns, rows."""
    out = [spec.issuing_document, spec.format_title, *(s.title for s in spec.sections)]
    for tid, table in spec.tables.items():
        out += [tid, table.caption or "", table.row_header or "", table.note or ""]
        out += [f"{c.id}={c.label}" for c in table.columns] + [f"{r.id}={r.label or ''}" for r in table.rows]
    return "\n".join(out)


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_cell_counts_are_those_of_the_official_tables(fid: str) -> None:
    """The number of data cells per section is the official one (22/161/15 and 10/175/15), and of 三's rows."""
    spec = load_spec(fid)
    by_section: dict[str, int] = {}
    for cell in spec.cells.values():
        by_section[cell.table[:2]] = by_section.get(cell.table[:2], 0) + 1
    assert by_section == CELLS[fid]
    assert len({k.split(".")[1] for k in spec.cells if k.startswith("s3.")}) == S3_DATA_ROWS[fid]


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_every_official_single_year_rule_is_in_the_format_file(fid: str) -> None:
    """Each check the official format requires has a rule in the format file, with a Chinese and an English message."""
    rules = {r.id: r for r in load_spec(fid).rules}
    assert OFFICIAL_RULES[fid] <= set(rules), sorted(OFFICIAL_RULES[fid] - set(rules))
    for rule_id in OFFICIAL_RULES[fid]:
        message = rules[rule_id].message
        assert has_chinese(message.zh) and re.search(r"\b[a-z]{2,}\b", message.en), rule_id  # English words


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_labels_are_the_official_text(fid: str) -> None:
    """Every label, in order, hashes to the digest of the official transcription (a changed character fails)."""
    assert hashlib.sha256(_labels(load_spec(fid)).encode()).hexdigest() == LABELS_SHA256[fid]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_seed_report_prints_every_2019_label_but_one() -> None:
    """The 南口镇 2020 seed prints every 2019-format label, except 对外公开总数量 (it prints 对外公开总数)."""
    seed = _squash(SEED.read_text(encoding="utf-8"))
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


BREAKAGES = {
    "yaml-syntax": ("report_years: {first: 2021, last: null}", "report_years: {first: 2021, last: [null"),
    "missing-key": ("report_years:", "years:"),
    "unknown-cell": ("sum_of: [review_maintained,", "sum_of: [review_upheld,"),
    "duplicate-rule": ("- id: s3_row_total", "- id: s3_balance"),
}
"""A format file broken four ways: (text in toolkit/formats/2021.yaml, what it is replaced by)."""


def _broken_formats(folder: Path, breakage: str) -> Path:
    """A copy of toolkit/formats/ whose 2021.yaml is broken in one way."""
    old, new = BREAKAGES[breakage]
    text = (FORMATS / "2021.yaml").read_text(encoding="utf-8")
    assert old in text
    (folder / "2021.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_format_file_is_a_spec_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, breakage: str) -> None:
    """A format file that does not parse or contradicts itself raises SpecError naming the file, never another error."""
    folder = _broken_formats(tmp_path, breakage)
    monkeypatch.setattr(spec_compiled, "FORMATS_DIR", folder)
    with pytest.raises(SpecError) as caught:
        spec_load.load_spec.__wrapped__("2021")
    assert caught.value.key == "spec-invalid" and "2021.yaml 有误" in caught.value.message


def test_a_broken_format_file_stops_the_command_with_one_line(tmp_path: Path) -> None:
    """`toolkit template` with a broken format file (a real process): exit 2, one Chinese line, no traceback."""
    folder = _broken_formats(tmp_path, "yaml-syntax")
    inject = ("from pathlib import Path\nimport toolkit.spec.compiled as compiled\n"
              f"compiled.FORMATS_DIR = Path({str(folder)!r})\n")
    proc = run_toolkit("template", "--year", "2026", "-o", str(tmp_path / "t.xlsx"), inject=inject)
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "格式文件 2021.yaml 有误" in line
    assert not (tmp_path / "t.xlsx").exists()
