"""Merging units: every cell is the sum over the units; refusals name the units that block it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from support import FolderFactory
from typer.testing import CliRunner

from toolkit import api
from toolkit.cli import app
from toolkit.data import ValueStatus
from toolkit.merge import CONTRIBUTION_SHEET, contribution_rows, merge_reports
from toolkit.sample import sample_report
from toolkit.spec import load_spec

runner = CliRunner()


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


def test_cli_merge_writes_the_merged_report_and_each_contribution(tmp_path: Path, make_folder: FolderFactory) -> None:
    """`toolkit merge DIR -o 汇总.xlsx` writes the library's merged report; 各单位明细 lists each unit and the sum."""
    units = _units(6)
    target = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["merge", str(make_folder(units)), "-o", str(target), "--org", "某区"])
    assert result.exit_code == 0, result.output
    assert "已汇总 6 个单位" in result.stdout
    merged, library = api.read(target), merge_reports(units, organ="某区").data
    assert library is not None
    assert (merged.organ, merged.year, merged.format_id) == ("某区", 2026, "2021")
    spec = load_spec("2021")
    assert {k: merged.number(k) for k in spec.cells} == pytest.approx({k: library.number(k) for k in spec.cells})
    sheet = openpyxl.load_workbook(target)[CONTRIBUTION_SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["栏目", *(u.organ for u in units), "合计"]
    assert [r[0] for r in rows[1:]] == [c.label for c in spec.cells.values()]
    assert [r[1:-1] for r in rows[1:]] == [[u.number(k) for u in units] for k in spec.cells]
    assert all(r[-1] == pytest.approx(sum(r[1:-1])) for r in rows[1:])


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_merged_workbook_checks_clean_when_the_units_do(tmp_path: Path, fid: str, make_folder: FolderFactory) -> None:
    """`toolkit check merged.xlsx` exits 0 with no finding when every unit is clean."""
    target = tmp_path / "merged.xlsx"
    assert runner.invoke(app, ["merge", str(make_folder(_units(5, fid))), "-o", str(target)]).exit_code == 0
    result = runner.invoke(app, ["check", str(target), "--no-annotate", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


def test_cli_merge_refuses_mixed_years_and_lists_the_units(tmp_path: Path, make_folder: FolderFactory) -> None:
    """Units of 2026 and 2020: exit 1, every unit listed with its year and format on stderr, nothing written."""
    units = [*_units(3), sample_report(load_spec("2019"), 9, organ="老格式镇", year=2020)]
    target = tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["merge", str(make_folder(units)), "-o", str(target)])
    assert result.exit_code == 1
    assert "年度或格式不一致" in result.stderr and "老格式镇：2020年度，2019格式" in result.stderr
    assert all(f"{u.organ}：2026年度，2021格式" in result.stderr for u in units[:3])
    assert all(problem in result.stderr for problem in merge_reports(units).problems)
    assert not target.exists()


def test_cli_merge_refuses_a_unit_with_errors_unless_forced(tmp_path: Path, make_folder: FolderFactory) -> None:
    """A unit with an error blocks the merge (exit 1, named); --force merges it and says so on stderr."""
    units = _units(3)
    units[1] = units[1].with_value("s3.granted.total", units[1].number("s3.granted.total") + 1)
    folder, target = make_folder(units), tmp_path / "汇总.xlsx"
    refused = runner.invoke(app, ["merge", str(folder), "-o", str(target)])
    assert refused.exit_code == 1 and "单位01：错误 2 项" in refused.stderr and not target.exists()
    assert all(problem in refused.stderr for problem in merge_reports(units).problems)
    forced = runner.invoke(app, ["merge", str(folder), "-o", str(target), "--force"])
    assert forced.exit_code == 0 and "--force" in forced.stderr and target.exists()


def test_cli_merge_json_equals_the_library_result(tmp_path: Path, make_folder: FolderFactory) -> None:
    """`merge --json` prints exactly MergeOutcome.to_dict() of the library call."""
    folder, target = make_folder(_units(3)), tmp_path / "汇总.xlsx"
    result = runner.invoke(app, ["merge", str(folder), "-o", str(target), "--json"])
    assert result.exit_code == 0, result.output
    expected = api.merge_files([folder], target, overwrite=True).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected, ensure_ascii=False))
    assert [u["organ"] for u in expected["units"]] == ["单位00", "单位01", "单位02"]


def test_an_earlier_summary_is_never_counted_as_a_unit(tmp_path: Path, make_folder: FolderFactory) -> None:
    """The output inside the folder is skipped on a rerun (--overwrite); another summary among the inputs refuses."""
    units = _units(3)
    folder = make_folder(units)
    target = folder / "汇总.xlsx"
    assert runner.invoke(app, ["merge", str(folder), "-o", str(target)]).exit_code == 0
    assert runner.invoke(app, ["merge", str(folder), "-o", str(target)]).exit_code == 2
    assert runner.invoke(app, ["merge", str(folder), "-o", str(target), "--overwrite"]).exit_code == 0
    assert api.read(target).number("s3.new_received.total") == sum(u.number("s3.new_received.total") for u in units)
    again = runner.invoke(app, ["merge", str(folder), "-o", str(tmp_path / "另一个.xlsx")])
    assert again.exit_code == 1 and "汇总.xlsx" in again.stderr and "汇总表" in again.stderr


def test_merge_of_unusable_input_is_exit_two(tmp_path: Path, make_folder: FolderFactory) -> None:
    """A unit that is not a workbook: exit 2 with one Chinese line naming it."""
    folder = make_folder(_units(2))
    (folder / "坏.xlsx").write_text("not a workbook", encoding="utf-8")
    result = runner.invoke(app, ["merge", str(folder), "-o", str(tmp_path / "汇总.xlsx")])
    assert result.exit_code == 2 and "坏.xlsx" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_units_are_read_once_each_and_alike_in_workers(tmp_path: Path, make_folder: FolderFactory,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """read_units opens every file once; over two workers it gives the same units and checks, in input order."""
    from toolkit.inputs import expand_inputs
    from toolkit.merge import read_units
    from toolkit.workbook import safety

    paths = expand_inputs([make_folder(_units(10))])
    in_workers = read_units(paths, jobs=2)
    opened: list[Path] = []
    real_open = safety.open_package
    monkeypatch.setattr(safety, "open_package", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k))
    serial = read_units(paths, jobs=1)
    assert sorted(opened) == sorted(paths)
    assert in_workers == serial and [u.source for u in serial[1]] == paths and not serial[0]


def test_units_are_read_as_a_check_reads_them(tmp_path: Path, make_folder: FolderFactory,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge opens each unit with the lazy gate (its 校验 and 说明 sheets stay packed, as in ``check
    --no-annotate``) and parses its workbook.xml once."""
    from toolkit.inputs import expand_inputs
    from toolkit.merge import read_units
    from toolkit.workbook import book, safety

    paths = expand_inputs([make_folder(_units(2))])
    packages: list[safety.Package] = []
    parsed: list[Path] = []
    real_open, real_parse = safety.open_package, book.parse_workbook
    monkeypatch.setattr(safety, "open_package",
                        lambda path, *a, **k: packages.append(real_open(path, *a, **k)) or packages[-1])
    monkeypatch.setattr(book, "parse_workbook", lambda package: parsed.append(package.path) or real_parse(package))
    read_units(paths, jobs=1)
    assert sorted(parsed) == sorted(paths) and len(packages) == len(paths)
    checks = load_spec("2021").sheets["checks"]
    for package in packages:
        entries = {s.name: s.part for s in real_parse(package).sheets}
        assert entries[checks] not in package.scanned and entries["说明"] not in package.scanned


def test_a_broken_unit_among_many_is_exit_two_naming_it(tmp_path: Path, make_folder: FolderFactory) -> None:
    """Over workers too, a file that is not a workbook stops the merge with its own error (exit 2, named)."""
    folder = make_folder(_units(9))
    (folder / "05-坏.xlsx").write_text("not a workbook", encoding="utf-8")
    result = runner.invoke(app, ["merge", str(folder), "-o", str(tmp_path / "汇总.xlsx")])
    assert result.exit_code == 2 and "05-坏.xlsx" in result.stderr


def test_the_terminal_lists_only_the_units_with_errors_or_warnings(tmp_path: Path, make_folder: FolderFactory) -> None:
    """`toolkit merge` prints a row for each unit with errors or warnings (here the one forced in), none for a clean
    unit (every unit is a column of 各单位明细), and the line naming the merged workbook."""
    units = _units(4)
    units[2] = units[2].with_value("s3.granted.total", units[2].number("s3.granted.total") + 1)
    result = runner.invoke(app, ["merge", str(make_folder(units)), "-o", str(tmp_path / "汇总.xlsx"), "--force"])
    assert result.exit_code == 0, result.output
    assert "02-单位02.xlsx" in result.stdout and "已汇总 4 个单位" in result.stdout
    assert not any(f"0{i}-单位0{i}.xlsx" in result.stdout for i in (0, 1, 3))


def test_a_unit_is_what_the_merge_uses_of_its_data(tmp_path: Path, make_folder: FolderFactory) -> None:
    """A worker's Unit of a file merges as that file's ReportData does: the same merged data, the same 各单位明细
    rows, the same workbook part for part; and a unit's number() is its data's."""
    import zipfile

    from toolkit.inputs import expand_inputs
    from toolkit.merge import as_unit, read_units, write_merged

    units = _units(9)
    units[3] = units[3].with_value("s3.granted.natural", None, ValueStatus.BLANK)
    units[4] = units[4].with_value("s2_20_8.fees.fee_amount", 12.34)
    paths = expand_inputs([make_folder(units)])
    _, read, checks = read_units(paths, jobs=2)
    datas = [api.read(p) for p in paths]
    spec = load_spec("2021")
    assert read == [as_unit(d) for d in datas]
    assert all(u.number(k) == d.number(k) for u, d in zip(read, datas, strict=True) for k in spec.cells)
    from_units, from_data = merge_reports(read, checks=checks, force=True), merge_reports(datas, force=True)
    assert from_units.data is not None
    assert from_units.data == from_data.data and from_units.checks == from_data.checks
    labels = {k: c.label for k, c in spec.cells.items()}
    assert contribution_rows(from_units, labels) == contribution_rows(from_data, labels)
    parts = []
    for name, outcome in (("a.xlsx", from_units), ("b.xlsx", from_data)):
        with zipfile.ZipFile(write_merged(spec, outcome, tmp_path / name)) as package:
            parts.append({n: package.read(n) for n in package.namelist()})
    assert parts[0] == parts[1]


def test_a_unit_cannot_be_checked_without_its_check() -> None:
    """merge_reports checks a ReportData it is given; a Unit comes with its check (as read_units gives them)."""
    from toolkit.merge import as_unit

    with pytest.raises(ValueError, match="check"):
        merge_reports([as_unit(u) for u in _units(2)])


def test_a_units_counts_in_a_merge_are_those_check_gives(tmp_path: Path) -> None:
    """A unit whose warning its 说明 explains is counted by the merge as ``check`` counts it (explained, not a
    warning), read in workers and serially alike: the merge checks each unit as ``check`` does
    (:func:`toolkit.checking.check_read`)."""
    from openpyxl import load_workbook

    from toolkit.checking import check_file
    from toolkit.merge import read_units
    from toolkit.spec import Severity
    from toolkit.template import build_template

    spec = load_spec("2021")
    folder = tmp_path / "units"
    folder.mkdir()
    explained = sample_report(spec, 5, organ="甲镇", year=2026)
    explained.texts["s5"] = type(explained.texts["s5"])("s5", "无")
    first = build_template(spec, folder / "甲镇.xlsx", data=explained)
    wb = load_workbook(first)
    ws = wb["说明"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "s5_not_empty")
    ws.cell(row, 4).value = "本年度工作中未发现突出问题，经主要负责同志审核确认"
    wb.save(first)
    others = [build_template(spec, folder / f"丙{i}.xlsx", data=sample_report(spec, 7 + i, organ=f"丙{i}镇",
                                                                             year=2026)) for i in range(7)]
    paths = [first, *others]
    expected = [check_file(p, annotate=False) for p in paths]
    assert (expected[0].warnings, expected[0].explained) == (0, 1)
    for jobs in (1, 2):
        _, _, checks = read_units(paths, jobs=jobs)
        assert [(c.errors, c.warnings, c.explained, c.count(Severity.INFO)) for c in checks] == [
            (e.errors, e.warnings, e.explained, e.count(Severity.INFO)) for e in expected]
