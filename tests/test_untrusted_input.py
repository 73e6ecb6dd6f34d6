"""Files from units are untrusted (issue 13): bounded cost per workbook and per folder run, text length limits,
what the checker reads is what a spreadsheet shows, the wrong cell is blamed, counts are exact, and
``--previous`` checks what it is given. Time and memory are bounded by resource limits on a subprocess."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import budget

from toolkit.budget import FILE_BUDGET_BYTES, FILE_BUDGET_SECONDS, worker_count
from toolkit.errors import HostileWorkbookError
from toolkit.template.checks import COUNT_COLUMN
from toolkit.workbook.safety import open_package

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "示例区民政局2026年报.xlsx"
APPLY_PART = "xl/worksheets/sheet3.xml"
"""The example's part of sheet 三 依申请公开."""
ADDRESS_SPACE = 2 * FILE_BUDGET_BYTES
"""RLIMIT_AS of a check subprocess: the stated memory budget plus the interpreter's own reservations."""


def run_limited(args: list[str], cwd: Path) -> tuple[int, str, str, float]:
    """``python -m toolkit ARGS`` under RLIMIT_CPU = the stated per-file time budget and RLIMIT_AS: (exit, stdout,
    stderr, peak resident MB). A run over budget is killed (SIGXCPU) or fails to allocate, so its exit is not 0–2."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        resource.setrlimit(resource.RLIMIT_CPU, (FILE_BUDGET_SECONDS, FILE_BUDGET_SECONDS))

    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    out_path, err_path = cwd / "stdout.txt", cwd / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "toolkit", *args], stdout=out, stderr=err, cwd=cwd,
                                preexec_fn=limit, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
        proc.returncode = os.waitstatus_to_exitcode(status)
    return (proc.returncode, out_path.read_text(encoding="utf-8"),
            err_path.read_text(encoding="utf-8"), usage.ru_maxrss / 1024)


def within_budget(peak_mb: float) -> None:
    assert peak_mb < FILE_BUDGET_BYTES / (1 << 20), f"peak {peak_mb:.0f} MB"


# --- item 9: bounded cost -------------------------------------------------------------------------------


def test_a_million_style_records_are_refused_within_budget(tmp_path: Path) -> None:
    """A 2 MB workbook with 1,000,000 style records is refused (exit 2) within the stated time and memory."""
    path = budget.many_styles(EXAMPLE, tmp_path / "百万样式.xlsx")
    assert path.stat().st_size < 3 << 20
    code, _, err, peak = run_limited(["check", path.name], tmp_path)
    assert code == 2, err
    assert "百万样式.xlsx" in err and "样式记录超过" in err and "Traceback" not in err
    within_budget(peak)
    assert not (tmp_path / "百万样式.校验.xlsx").exists()


def test_a_seventeen_million_character_organ_is_refused_within_budget(tmp_path: Path) -> None:
    """A shared string of 17,000,000 characters (the organ's name) is refused before any parser reads it."""
    path = budget.long_shared_string(EXAMPLE, tmp_path / "超长名称.xlsx", "示例区民政局", 17_000_000)
    code, _, err, peak = run_limited(["check", path.name], tmp_path)
    assert code == 2, err
    assert "超长名称.xlsx" in err and "32767" in err
    within_budget(peak)


def test_a_long_inline_string_in_a_sheet_is_refused(tmp_path: Path) -> None:
    """An inline-string cell of 3,000,000 characters in runs (each run under the longest-tag limit) is refused."""
    path = budget.long_inline_string(EXAMPLE, tmp_path / "内联.xlsx", "xl/worksheets/sheet1.xml", 3_000_000)
    with pytest.raises(HostileWorkbookError, match="32767"):
        open_package(path)


def test_many_merged_ranges_are_refused(tmp_path: Path) -> None:
    """A sheet with 50,000 merged ranges (openpyxl restyles every covered cell: 9 s) is refused at the gate."""
    path = budget.many_merges(EXAMPLE, tmp_path / "合并.xlsx", APPLY_PART, 50_000)
    with pytest.raises(HostileWorkbookError, match="合并单元格超过"):
        open_package(path)


def test_workbooks_just_under_the_limits_are_checked_within_budget(tmp_path: Path) -> None:
    """What the gate lets through (19,800 styles, 9,900 merges, a 32,767-character organ) is checked and its
    highlighted copy written within the stated per-file time and memory."""
    budget.many_styles(EXAMPLE, tmp_path / "样式.xlsx", 19_800)
    budget.many_merges(EXAMPLE, tmp_path / "合并.xlsx", APPLY_PART, 9_900)
    budget.long_shared_string(EXAMPLE, tmp_path / "名称.xlsx", "示例区民政局", 32_767)
    for name in ("样式", "合并", "名称"):
        code, _, err, peak = run_limited(["check", f"{name}.xlsx"], tmp_path)
        assert code in (0, 1), (name, err)
        within_budget(peak)
        assert (tmp_path / f"{name}.校验.xlsx").exists()


def test_a_folder_of_style_bombs_stays_within_budget(tmp_path: Path) -> None:
    """Four style bombs and a good unit in one folder: the run ends, the bombs are refused and the summary names
    every unit, within the memory budget (it took 4.9 GB on 2 workers)."""
    folder = tmp_path / "各单位"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "好.xlsx")
    for i in range(4):
        budget.many_styles(EXAMPLE, folder / f"炸弹{i}.xlsx")
    code, out, err, peak = run_limited(["check", "各单位", "--no-annotate", "--json"], tmp_path)
    assert code == 2, err
    within_budget(peak)
    assert (folder / "校验汇总.xlsx").exists()
    assert out.count("样式记录超过") == 4


def test_worker_count_is_bounded_by_memory_and_cores() -> None:
    """A folder run uses no more workers than the cores, nor than free memory holds at 500 MB a worker."""
    assert worker_count(None, cores=8, memory=1100 << 20) == 2
    assert worker_count(None, cores=2, memory=64 << 30) == 2
    assert worker_count(16, cores=4, memory=64 << 30) == 4
    assert worker_count(None, cores=8, memory=100 << 20) == 1


# --- item 11: the checker reads what a spreadsheet shows ----------------------------------------------------


def test_a_sheet_part_twin_differing_in_case_is_refused(tmp_path: Path) -> None:
    """``Sheet3.xml`` beside ``sheet3.xml`` (readers disagree on which is the sheet) is refused, naming both."""
    path = budget.case_twin(EXAMPLE, tmp_path / "双胞胎.xlsx", APPLY_PART, b"<v>", b"<v>1")
    with pytest.raises(HostileWorkbookError) as caught:
        open_package(path)
    assert "只有大小写不同" in caught.value.message
    assert "Sheet3.xml" in caught.value.message and "sheet3.xml" in caught.value.message


def test_absolute_relationship_targets_with_dots_are_resolved(tmp_path: Path) -> None:
    """Targets such as ``/xl/../xl/worksheets/sheet3.xml`` resolve as Excel does: the same values are read."""
    from toolkit.workbook import read_workbook

    path = budget.absolute_targets(EXAMPLE, tmp_path / "绝对路径.xlsx")
    read = read_workbook(path)
    expected = read_workbook(EXAMPLE)
    assert {k: v.value for k, v in read.values.items()} == {k: v.value for k, v in expected.values.items()}
    code, out, err, _ = run_limited(["check", path.name, "--json", "--no-annotate"], tmp_path)
    assert code == 0, err
    assert json.loads(out)["errors"] == 0


# --- item 12: blame the cell that is wrong --------------------------------------------------------------------

TEXT_CELLS = {"s3.new_received.natural": "{}件", "s3.granted.natural": "fullwidth",
              "s3.carried_forward.natural": "{:,}"}
"""Input cells of 三 given a number typed as text: with a unit, in full-width digits, with a thousands separator."""


def _text_typed_workbook(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """The example's data in a fresh template, three summed inputs retyped as text, recalculated by LibreOffice
    (as Excel or WPS would save it): the sheet's totals leave the three out."""
    from openpyxl import load_workbook

    from toolkit.office import convert
    from toolkit.spec import load_spec
    from toolkit.template import build_template
    from toolkit.template.layout import cell_positions
    from toolkit.workbook import read_workbook

    spec = load_spec("2021")
    data = read_workbook(EXAMPLE)
    before = data.number("s3.carried_forward.natural")
    data = data.with_value("s3.carried_forward.natural", 1234)
    data = data.with_value("s3.carried_forward.total", data.number("s3.carried_forward.total") - before + 1234)
    (tmp_path / "in").mkdir()
    path = build_template(spec, tmp_path / "in" / "单位.xlsx", data=data)
    wb = load_workbook(path)
    meant = {}
    for key, how in TEXT_CELLS.items():
        sheet, row, col = cell_positions(spec)[key]
        value = int(data.number(key))
        meant[key] = value
        text = "".join(chr(ord(ch) + 0xFEE0) for ch in str(value)) if how == "fullwidth" else how.format(value)
        wb[sheet].cell(row + 1, col + 1).value = text
    wb.save(path)
    (recalculated,) = convert([path], "xlsx", tmp_path / "lo")
    return recalculated, meant


@pytest.mark.libreoffice
def test_text_in_a_summed_cell_is_the_error_and_the_counts_agree(tmp_path: Path) -> None:
    """``59件``, ``６``, ``1,234`` in summed inputs: each text cell is an error saying the totals leave it out, no
    total is blamed, and the highlighted copy's live 校验 error count equals its 校验结果 error count."""
    from openpyxl import load_workbook

    from toolkit import api
    from toolkit.office import convert

    path, meant = _text_typed_workbook(tmp_path)
    result = api.check_file(path, annotate=True)
    codes = [f.code for f in result.findings if f.severity.value == "error"]
    blamed = {f.cells[0].key: f for f in result.findings if f.code == "value-text-not-summed"}
    assert set(blamed) == set(meant)
    for key, finding in blamed.items():
        assert "合计" in finding.message.zh and "不计入" in finding.message.zh and str(meant[key]) in finding.message.zh
    assert "s3-row-total" not in codes and "s3-results-total" not in codes
    assert result.annotated is not None
    (copy,) = convert([result.annotated], "xlsx", tmp_path / "copy")
    live_errors = load_workbook(copy, data_only=True)["校验"].cell(2, COUNT_COLUMN + 1).value
    assert live_errors == result.errors


# --- item 13: values beyond a count, exact arithmetic ----------------------------------------------------------


def test_a_pasted_eighteen_digit_number_is_its_own_finding(tmp_path: Path) -> None:
    """123456789012345678 pasted into a count is one ``value-out-of-range`` error, left out of every sum: no
    floating-point "相差" finding on the checks it is part of."""
    from openpyxl import load_workbook

    from toolkit import api
    from toolkit.spec import load_spec
    from toolkit.template.layout import cell_positions

    sheet, row, col = cell_positions(load_spec("2021"))["s3.new_received.natural"]
    wb = load_workbook(EXAMPLE)
    wb[sheet].cell(row + 1, col + 1).value = 123456789012345678
    wb.save(tmp_path / "粘贴.xlsx")
    result = api.check_file(tmp_path / "粘贴.xlsx", annotate=False)
    errors = [f for f in result.findings if f.severity.value == "error"]
    assert [f.code for f in errors] == ["value-out-of-range"], [f.message.zh for f in errors]
    assert "1234567890123456" in errors[0].message.zh
    assert not any("相差" in f.message.zh for f in result.findings)


def test_sums_are_exact() -> None:
    """Integers add as integers and amounts as decimals: 0.1 + 0.2 equals 0.3, and 2**53 + 1 stays exact."""
    from toolkit.normalise import exact_sum, normalise
    from toolkit.spec.models import ValueKind

    assert exact_sum([0.1, 0.2]) == 0.3
    assert exact_sum([2**53, 1]) == 2**53 + 1
    assert isinstance(exact_sum([1, 2.0]), int)
    assert normalise(123456789012345678.0, ValueKind.COUNT)[1].value == "out_of_range"
    assert normalise("1,000,000,000", ValueKind.COUNT)[1].value == "out_of_range"
    assert normalise(999_999_999, ValueKind.COUNT)[0] == 999_999_999


# --- item 17: --previous checks what it is given -----------------------------------------------------------------


def _previous_pair(tmp_path: Path, prev_fid: str = "2021", *, year: int | None = None, organ: str = "示例区民政局",
                   carried_off: int = 0) -> tuple[Path, Path]:
    """This year's workbook (the example, 2026) and a previous-year workbook whose 结转下年度 this year carries over
    (``carried_off`` added to its 科研机构 column)."""
    from toolkit.sample import sample_report
    from toolkit.spec import load_spec
    from toolkit.template import build_template
    from toolkit.workbook import read_workbook

    current = read_workbook(EXAMPLE)
    spec = load_spec(prev_fid)
    prev = sample_report(spec, 3, organ=organ, year=year or (2025 if prev_fid == "2021" else 2020))
    for col in spec.table("s3").columns:
        prev = prev.with_value(f"s3.carried_forward.{col.id}", current.number(f"s3.carried_over.{col.id}"))
    prev = prev.with_value("s3.carried_forward.research", prev.number("s3.carried_forward.research") + carried_off)
    return EXAMPLE, build_template(spec, tmp_path / f"上年-{prev_fid}.xlsx", data=prev)


@pytest.mark.parametrize(("kind", "year", "organ", "says"), [
    ("year", 2024, "示例区民政局", "2024年度的报告，不是上一年度（2025年度）"),
    ("organ", 2025, "另一个局", "是“另一个局”的报告，不是“示例区民政局”的"),
])
def test_previous_of_another_year_or_organ_is_a_finding(tmp_path: Path, kind: str, year: int, organ: str,
                                                       says: str) -> None:
    """``--previous`` of the wrong year or another organ: a ``previous-mismatch`` error saying so, and no
    cross-year finding built on it."""
    from toolkit import api

    current, previous = _previous_pair(tmp_path, year=year, organ=organ, carried_off=5)
    result = api.check_file(current, annotate=False, previous=previous)
    found = [f for f in result.findings if f.code == "previous-mismatch"]
    assert [f.instance for f in found] == [kind]
    assert says in found[0].message.zh and previous.name in found[0].message.zh
    assert not [f for f in result.findings if f.code.startswith(("cross-year", "narrative-copied"))]


def test_previous_that_is_the_same_file_is_a_finding(tmp_path: Path) -> None:
    """``check X --previous X``: the previous report is this year's own file: a finding, not a "copied" text."""
    from toolkit import api

    shutil.copy(EXAMPLE, tmp_path / "本年.xlsx")
    result = api.check_file(tmp_path / "本年.xlsx", annotate=False, previous=tmp_path / "." / "本年.xlsx")
    assert [(f.code, f.instance) for f in result.findings] == [("previous-mismatch", "same-file")]


def test_a_2019_format_previous_links_to_a_2021_report_with_integer_values(tmp_path: Path) -> None:
    """Last year in the 2019 format (2020) against a 2021-format report links 上年结转 column by column, and the
    finding's figures are integers (printed 0, not 0.0)."""
    from toolkit import api
    from toolkit.workbook import read_workbook

    data = read_workbook(EXAMPLE)
    current = tmp_path / "2021年报.xlsx"
    from toolkit.spec import load_spec
    from toolkit.template import build_template

    info = {**data.info, "year": "2021"}
    build_template(load_spec("2021"), current, data=type(data)(data.format_id, info, data.values, data.texts))
    _, previous = _previous_pair(tmp_path, "2019", year=2020, carried_off=2)
    result = api.check_file(current, annotate=False, previous=previous)
    carry = [f for f in result.findings if f.code == "cross-year-carry"]
    assert [f.instance for f in carry] == ["research"], [f.message.zh for f in result.findings]
    assert isinstance(carry[0].expected, int) and isinstance(carry[0].actual, int)
    assert "相差2" in carry[0].message.zh and ".0" not in carry[0].message.zh
    assert not [f for f in result.findings if f.code == "previous-mismatch"]


# --- item 10: text fields have length limits -------------------------------------------------------------------


def test_text_limits_come_from_the_spec_into_the_template_and_the_check(tmp_path: Path) -> None:
    """Organ, contact and each narrative section declare ``max_length`` in the format file; the template's input
    message states it (and Excel's length validation holds it), and ``check`` reports a longer text."""
    from openpyxl import load_workbook

    from toolkit import api
    from toolkit.spec import load_spec
    from toolkit.template import build_template

    spec = load_spec("2021")
    limits = {f.id: f.max_length for f in spec.info_fields}
    assert limits["organ"] == 100 and limits["contact"] == 50
    assert all(s.max_length for s in spec.text_sections)
    path = build_template(spec, tmp_path / "空白.xlsx")
    wb = load_workbook(path)
    prompts = [dv.prompt or "" for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert any("不超过100字" in p for p in prompts) and any("不超过50字" in p for p in prompts)
    assert sum(f"不超过{spec.text_sections[0].max_length}字" in p for p in prompts) == len(spec.text_sections)
    lengths = [dv for ws in wb.worksheets for dv in ws.data_validations.dataValidation if dv.type == "textLength"]
    assert len(lengths) >= 3 + len(spec.text_sections)

    budget.long_shared_string(EXAMPLE, tmp_path / "长名称.xlsx", "示例区民政局", 5_000)
    result = api.check_file(tmp_path / "长名称.xlsx", annotate=False)
    found = [f for f in result.findings if f.code == "info-too-long"]
    assert [f.instance for f in found] == ["organ"]
    assert "5000字" in found[0].message.zh and "100字" in found[0].message.zh
    assert found[0].cells[0].location is not None


def test_comparing_long_narratives_with_last_year_is_bounded(tmp_path: Path) -> None:
    """Two 30,000-character sections (quadratic to compare in full: minutes) are compared within the time budget."""
    import random

    from toolkit.data import ReportData, TextValue
    from toolkit.sample import sample_report
    from toolkit.spec import load_spec

    rng = random.Random(5)
    words = "本年度政府信息公开工作的主要问题改进情况"
    spec = load_spec("2021")

    def unit(year: int) -> ReportData:
        data = sample_report(spec, 1, year=year)
        text = "".join(rng.choice(words) for _ in range(30_000))
        return ReportData(data.format_id, data.info, data.values, {**data.texts, "s1": TextValue("s1", text)})

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (FILE_BUDGET_SECONDS, FILE_BUDGET_SECONDS))

    import pickle

    (tmp_path / "pair.pkl").write_bytes(pickle.dumps((unit(2026), unit(2025))))
    script = ("import pickle,sys;from toolkit.rules.engine import check_data;"
              "cur,prev=pickle.loads(open(sys.argv[1],'rb').read());check_data(cur,previous=prev);print('done')")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "pair.pkl")], capture_output=True,
                          text=True, preexec_fn=limit, timeout=120)
    assert proc.returncode == 0 and "done" in proc.stdout, proc.stderr[-500:]
