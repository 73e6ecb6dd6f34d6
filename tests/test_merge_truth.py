"""Merge tells the truth (issue 13, items 14–16): a unit's narrative keeps its own numbers, duplicates are refused
unless told which to keep, and neither texts nor the workbook's own size limit a merge of 5,000 units."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit import api
from toolkit.cli import app
from toolkit.data import ReportData, TextValue, ValueStatus
from toolkit.merge import merge_reports, write_merged
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template
from toolkit.workbook import read_workbook

runner = CliRunner()
SPEC = load_spec("2021")


def _unit(seed: int, organ: str) -> ReportData:
    return sample_report(SPEC, seed, organ=organ, year=2026)


def _write(folder: Path, name: str, unit: ReportData, mtime: float) -> Path:
    path = build_template(SPEC, folder / name, data=unit)
    os.utime(path, (mtime, mtime))
    return path


# --- item 14 ---------------------------------------------------------------------------------------------------


def test_a_units_placeholders_keep_its_own_numbers() -> None:
    """``{申请.新收.总计}`` in a unit's text is filled with that unit's figure, not the merged total, and what
    cannot be filled is made literal so that ``report`` never fills it from the totals."""
    units = [_unit(1, "甲局"), _unit(2, "乙局")]
    said = "共收到申请{申请.新收.总计}件，{s2_20_8.fees.fee_amount}"
    units = [replace(u, texts={**u.texts, "s1": TextValue("s1", said)}) for u in units]
    units[1] = units[1].with_value("s2_20_8.fees.fee_amount", None, ValueStatus.BLANK)
    outcome = merge_reports(units)
    assert outcome.data is not None
    text = outcome.data.text("s1")
    for unit in units:
        assert f"【{unit.organ}】共收到申请{unit.number('s3.new_received.total')}件" in text
    assert f"{outcome.data.number('s3.new_received.total')}件" not in text
    assert "｛s2_20_8.fees.fee_amount｝" in text and "{" not in text


# --- item 15 ---------------------------------------------------------------------------------------------------


def _five_files_of_three_organs(tmp_path: Path) -> tuple[Path, dict[str, ReportData]]:
    """甲 twice, 乙 twice (an older and a newer version each) and 丙 once; returns the folder and the newest."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    newest = {"甲局": _unit(11, "甲局"), "乙局": _unit(12, "乙局"), "丙局": _unit(13, "丙局")}
    _write(folder, "甲局-初稿.xlsx", _unit(21, "甲局"), 1_700_000_000)
    _write(folder, "甲局-终稿.xlsx", newest["甲局"], 1_700_100_000)
    _write(folder, "乙局.xlsx", newest["乙局"], 1_700_100_000)
    _write(folder, "乙局 (1).xlsx", _unit(22, "乙局 "), 1_700_000_000)
    _write(folder, "丙局.xlsx", newest["丙局"], 1_700_000_000)
    return folder, newest


def test_duplicates_are_refused_naming_the_files(tmp_path: Path) -> None:
    """5 files of 3 organs: exit 2, each duplicated organ named with its files, nothing written."""
    folder, _ = _five_files_of_three_organs(tmp_path)
    target = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["merge", str(folder), "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert "甲局-初稿.xlsx" in result.stderr and "甲局-终稿.xlsx" in result.stderr
    assert "乙局.xlsx" in result.stderr and "乙局 (1).xlsx" in result.stderr
    assert "丙局.xlsx" not in result.stderr.replace("乙局.xlsx", "")
    assert "--keep" in result.stderr
    assert not target.exists()


def test_keep_newest_merges_one_report_per_organ(tmp_path: Path) -> None:
    """``--keep newest`` keeps the latest modified file of each duplicate: the sums are those of 3 units."""
    folder, newest = _five_files_of_three_organs(tmp_path)
    target = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["merge", str(folder), "-o", str(target), "--keep", "newest"])
    assert result.exit_code == 0, result.output
    assert "甲局-初稿.xlsx" in result.stderr and "乙局 (1).xlsx" in result.stderr
    merged = api.read(target)
    for key in ("s3.new_received.total", "s3.granted.natural"):
        assert merged.number(key) == sum(u.number(key) for u in newest.values())


def test_keep_file_names_which_duplicate_stays(tmp_path: Path) -> None:
    """``--keep FILE`` for each duplicate merges those; a duplicate left unnamed still refuses (exit 2)."""
    folder, _ = _five_files_of_three_organs(tmp_path)
    target = tmp_path / "汇总.xlsx"
    partial = runner.invoke(app, ["merge", str(folder), "-o", str(target), "--keep", str(folder / "甲局-初稿.xlsx")])
    assert partial.exit_code == 2 and "乙局" in partial.stderr and not target.exists()
    both = runner.invoke(app, ["merge", str(folder), "-o", str(target), "--keep", str(folder / "甲局-初稿.xlsx"),
                               "--keep", str(folder / "乙局 (1).xlsx")])
    assert both.exit_code == 0, both.output
    expected = sum(u.number("s3.new_received.total") for u in (_unit(21, "甲局"), _unit(22, "乙局"), _unit(13, "丙局")))
    assert api.read(target).number("s3.new_received.total") == expected


# --- item 16 ---------------------------------------------------------------------------------------------------


def test_a_narrative_longer_than_a_cell_is_kept_whole(tmp_path: Path) -> None:
    """A 100,000-character section (more than Excel's 32,767 per cell) is written over continuation cells and
    read back exactly, astral characters included."""
    text = "\n".join(f"【单位{i:04d}】本年度共收到政府信息公开申请{i}件。𠀀" for i in range(4000))
    assert len(text) > 100_000
    data = replace(_unit(1, "某市"), texts={**_unit(1, "某市").texts, "s1": TextValue("s1", text)})
    path = build_template(SPEC, tmp_path / "长.xlsx", data=data)
    assert read_workbook(path).text("s1") == text


@pytest.mark.slow
def test_a_merge_of_five_thousand_units_is_read_back_whole(tmp_path: Path) -> None:
    """5,000 units: the merged workbook is written, its gathered narratives are not cut, and the toolkit reads
    and checks its own workbook (no "too many cells")."""
    base = _unit(3, "单位")
    units = [replace(base, info={**base.info, "organ": f"第{i:04d}单位"}) for i in range(5000)]
    outcome = merge_reports(units, organ="某市")
    assert outcome.data is not None
    assert len(outcome.data.text("s1")) > 32_767 * 4
    path = write_merged(SPEC, outcome, tmp_path / "汇总.xlsx")
    back = api.read(path)
    assert back.text("s1") == outcome.data.text("s1")
    assert back.text("s1").rstrip().splitlines()[-1].startswith("【第4999单位】")
    assert back.number("s3.new_received.total") == 5000 * base.number("s3.new_received.total")
    result = api.check_file(path, annotate=False)
    assert result.errors == 0

