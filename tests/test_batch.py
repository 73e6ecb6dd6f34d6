"""Checking a folder of units (issue 5): one row per file, broken units named with their codes, a corrupt file
is a row (not the end of the run), the exit code is the worst, and last year's folder is matched by organ name.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from support import build_workbooks, run_toolkit
from typer.testing import CliRunner

from toolkit import api
from toolkit.batch import SUMMARY_NAME, check_many, expand_inputs
from toolkit.carryover import carried_values
from toolkit.cli import app
from toolkit.data import ReportData, TextValue
from toolkit.sample import SAMPLE_TEXTS, sample_report
from toolkit.spec import load_spec
from toolkit.spec.models import CellKind

runner = CliRunner()
SPEC = load_spec("2021")
UNITS = 52
YEAR = 2026


def _unit(i: int) -> ReportData:
    """Unit i of the folder; three of them broken in a known way."""
    data = sample_report(SPEC, i, organ=f"第{i}街道", year=YEAR)
    if i == 7:  # 一 + 二 ≠ 三（七） + 四 in the 自然人 column (and so in 总计)
        for key in ("s3.new_received.natural", "s3.new_received.total"):
            data = data.with_value(key, data.number(key) + 1)
    elif i == 13:  # 总计 typed over the formula
        data = data.with_value("s3.granted.total", data.number("s3.granted.total") + 1)
    elif i == 21:  # 报告年度 left blank
        data = replace(data, info={**data.info, "year": ""})
    return data


BROKEN_AT = {7: {"s3-balance"}, 13: {"s3-row-total", "s3-results-total"}, 21: {"info-missing"}}
"""Unit number → the error codes its breakage must produce (and no other unit has an error)."""
BROKEN = {f"第{i}街道": codes for i, codes in BROKEN_AT.items()}
CORRUPT = "第99街道.xlsx"
"""Random bytes named .xlsx."""
FAKE_XLS = "旧系统导出.xls"
"""A text file named .xls."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """52 unit workbooks (three broken), one corrupt .xlsx and one text file named .xls."""
    root = tmp_path_factory.mktemp("units") / "各街道2026"
    root.mkdir()
    build_workbooks([(root / f"{i:02d}-第{i}街道.xlsx", _unit(i)) for i in range(1, UNITS + 1)])
    (root / CORRUPT).write_bytes(b"\x00" + random.Random(5).randbytes(4095))
    (root / FAKE_XLS).write_text("单位,本年新收\n第1街道,3\n", encoding="utf-8")
    return root


def _codes(result: dict[str, object]) -> set[str]:
    findings = result.get("findings", [])
    assert isinstance(findings, list)
    return {f["code"] for f in findings if f["severity"] == "error"}


def test_library_folder_check_names_exactly_the_broken_units(folder: Path) -> None:
    """check_many over the folder: every file is a row; exactly the broken units have errors, with their codes."""
    paths = expand_inputs([folder])
    rows = list(check_many(paths, annotate=False, jobs=2))
    assert [r.file for r in rows] == paths and len(rows) == UNITS + 2
    assert all(r.file is p for r, p in zip(rows, paths, strict=True))  # the caller's paths, not unpickled copies
    with_errors = {r.organ: _codes(r.result) for r in rows if r.exit_code == 1}
    assert with_errors == BROKEN
    unusable = {r.file.name: r for r in rows if r.exit_code == 2}
    assert set(unusable) == {CORRUPT, FAKE_XLS}
    assert unusable[CORRUPT].result["key"] == "not-a-workbook" and CORRUPT in unusable[CORRUPT].problem
    assert "文本文件" in unusable[FAKE_XLS].problem and unusable[FAKE_XLS].status == "无法读取"
    assert all(r.errors == 0 for r in rows if r.organ not in BROKEN)


def test_cli_folder_check_exits_with_the_worst_code_and_summarises(folder: Path, tmp_path: Path) -> None:
    """`toolkit check DIR --no-annotate` (a real process): exit 2, table names the broken units, no traceback."""
    summary = tmp_path / "汇总结果.xlsx"
    result = run_toolkit("check", str(folder), "--no-annotate", "--summary", str(summary))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"共 {UNITS + 2} 个文件，通过 {UNITS - 3} 个，有错误 3 个，无法读取 2 个" in result.stdout
    for organ in BROKEN:
        assert organ in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    ws = openpyxl.load_workbook(summary).active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == UNITS + 2
    status = {r[7]: r[6] for r in rows}
    assert {name for name, s in status.items() if s == "有错误"} == {f"{i:02d}-第{i}街道.xlsx" for i in BROKEN_AT}
    assert status[CORRUPT] == status[FAKE_XLS] == "无法读取"
    assert all(r[8] in ("", None) for r in rows)


def test_cli_folder_json_equals_the_library_rows(folder: Path, tmp_path: Path) -> None:
    """`check DIR --json --no-annotate` prints each row's library result, errors as codes, in folder order."""
    result = runner.invoke(app, ["check", str(folder), "--json", "--no-annotate",
                                 "--summary", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 2
    printed = json.loads(result.stdout)
    expected = [r.result for r in check_many(expand_inputs([folder]), annotate=False, jobs=1)]
    assert printed == json.loads(json.dumps(expected, ensure_ascii=False))
    assert {r["organ"]: _codes(r) for r in printed if r.get("status") == "error"} == BROKEN


def test_annotated_folder_summary_links_every_file_and_copy(folder: Path, tmp_path: Path) -> None:
    """`toolkit check DIR`: a highlighted copy per usable file; 校验汇总.xlsx links each file and copy."""
    work = tmp_path / "各街道"
    work.mkdir()
    picked = [p for p in sorted(folder.iterdir()) if p.suffix != ".xlsx" or p.name == CORRUPT
              or int(p.name[:2]) in {1, 2, 3, 4, 5, *BROKEN_AT}]  # annotating is slow: a dozen files suffice
    for path in picked:
        shutil.copy(path, work)
    result = runner.invoke(app, ["check", str(work)])
    assert result.exit_code == 2, result.output
    ws = openpyxl.load_workbook(work / SUMMARY_NAME).active
    assert ws is not None
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(picked) == 10
    for row in rows:
        file_cell, copy_cell, status = row[7], row[8], row[6].value
        assert file_cell.hyperlink is not None and file_cell.hyperlink.target == file_cell.value
        if status == "无法读取":
            assert copy_cell.hyperlink is None
            continue
        assert copy_cell.hyperlink is not None and copy_cell.hyperlink.target == copy_cell.value
        assert copy_cell.value == file_cell.value.removesuffix(".xlsx") + ".校验.xlsx"
        assert (work / copy_cell.value).is_file()


def _carried_from(previous: ReportData, data: ReportData) -> ReportData:
    """``data`` changed so that every cross-year rule holds against ``previous``, still internally consistent."""
    for key, value in carried_values(previous, SPEC).items():
        data = data.with_value(key, value)
    inputs = [c.id for c in SPEC.table("s3").columns if c.kind is not CellKind.TOTAL]
    for col in inputs:
        forward = (data.number(f"s3.new_received.{col}") + data.number(f"s3.carried_over.{col}")
                   - data.number(f"s3.total_processed.{col}"))
        if forward < 0:
            data = data.with_value(f"s3.new_received.{col}", data.number(f"s3.new_received.{col}") - forward)
            forward = 0
        data = data.with_value(f"s3.carried_forward.{col}", forward)
    for row in ("new_received", "carried_forward"):
        data = data.with_value(f"s3.{row}.total", sum(data.number(f"s3.{row}.{c}") for c in inputs))
    for row in ("regulations", "normative_documents"):
        k = f"s2_20_1.{row}."
        repealed = min(data.number(k + "repealed"), previous.number(k + "in_force") + data.number(k + "issued"))
        data = data.with_value(k + "repealed", repealed)
        data = data.with_value(k + "in_force", previous.number(k + "in_force") + data.number(k + "issued") - repealed)
    return replace(data, texts={k: TextValue(k, f"{v}{data.organ}本年度的工作与上年有所不同。" * 2)
                                for k, v in SAMPLE_TEXTS.items()})


def test_previous_folder_is_matched_by_organ_and_flags_only_the_broken_carry(tmp_path: Path) -> None:
    """`check DIR --previous LASTDIR`: units matched by organ (not file name); one wrong 上年结转 → that unit only."""
    this_year, last_year = tmp_path / "2026", tmp_path / "2025"
    this_year.mkdir()
    last_year.mkdir()
    jobs = []
    for i in range(1, 11):
        previous = sample_report(SPEC, 100 + i, organ=f"第{i}街道", year=YEAR - 1)
        data = _carried_from(previous, sample_report(SPEC, i, organ=f"第{i}街道", year=YEAR))
        if i == 4:
            for key in ("s3.carried_over.research", "s3.carried_over.total", "s3.carried_forward.research",
                        "s3.carried_forward.total"):
                data = data.with_value(key, data.number(key) + 2)
        shown = f"第 {i} 街道" if i == 6 else previous.organ  # whitespace in the organ name does not matter
        previous = replace(previous, info={**previous.info, "organ": shown})
        jobs += [(this_year / f"{i:02d}.xlsx", data), (last_year / f"{YEAR - 1}年报-{11 - i:02d}.xlsx", previous)]
    build_workbooks(jobs)
    evaluators = ["year_on_year_jump", "narrative_repeats_last_year"]  # random figures, the same sample narrative
    result = runner.invoke(app, ["check", str(this_year), "--previous", str(last_year), "--no-annotate", "--json",
                                 *[f"--skip={rule}" for rule in evaluators]])
    assert result.exit_code == 1, result.output
    printed = {r["organ"]: r for r in json.loads(result.stdout)}
    assert len(printed) == 10
    flagged = {organ: sorted({f["code"] for f in r["findings"]}) for organ, r in printed.items() if r["findings"]}
    assert flagged == {"第4街道": ["cross-year-carry"]}
    instances = [f["fingerprint"] for f in printed["第4街道"]["findings"]]
    assert instances == ["cross_year_carry[research]", "cross_year_carry[total]"]
    single = api.check_file(this_year / "06.xlsx", annotate=False, previous=api.organs_in(expand_inputs([last_year])),
                            skip=evaluators)
    assert single.findings == [] and single.rules_checked > 0


def test_a_script_without_a_main_guard_can_check_a_folder_in_workers(folder: Path, tmp_path: Path) -> None:
    """Workers are forked, never re-importing the caller's __main__: an unguarded script's folder run runs once."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text("import sys\nfrom pathlib import Path\nfrom toolkit.batch import check_many, expand_inputs\n"
                      "rows = list(check_many(expand_inputs([Path(sys.argv[1])]), jobs=2, annotate=False))\n"
                      "print('rows', len(rows))\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, text=True, timeout=300,
                          check=False)
    count = len(expand_inputs([folder]))
    assert proc.returncode == 0 and proc.stdout.split() == ["rows", str(count)] and count >= 8, proc.stderr[-500:]


def test_a_folder_run_imports_no_dataclasses_typing_nor_workbook_library(folder: Path, tmp_path: Path) -> None:
    """`check DIR --no-annotate -j 2` (a real process, its forked workers and the summary written): no dataclasses
    (nor its inspect), no typing, no openpyxl or xlsxwriter is imported, in the parent or in a worker."""
    import os
    import re
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "toolkit", "check", str(folder),
                           "--no-annotate", "-j", "2", "--summary", str(tmp_path / "s.xlsx")],
                          capture_output=True, text=True, encoding="utf-8", env=env, check=False, timeout=300)
    assert done.returncode == 2, done.stderr[-2000:]
    assert (tmp_path / "s.xlsx").is_file()
    slow = re.compile(r"\| +(dataclasses|inspect|typing|openpyxl|xlsxwriter)(\.|$)", re.M)
    assert sorted({m.group(1) for m in slow.finditer(done.stderr)}) == []
