"""Issue 13 (items 1–8, 18, 19): what a unit sends is untrusted. Its text never becomes a formula, a terminal
escape or a path; a folder run survives any one unit; nothing is overwritten unless asked and no output is an
input; a full disk or an over-long path is a Chinese message with exit 2; a killed run leaves nothing behind.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile.injection import BIDI, DDE, FAKE_LINE, HYPERLINK, hostile_cases, hostile_workbook
from typer.testing import CliRunner

from toolkit import api, checking, fileio
from toolkit.batch import SUMMARY_NAME, check_many, scan_inputs
from toolkit.cli import _files_not_options, app
from toolkit.errors import OutputError
from toolkit.untrusted import MAX_NAME_BYTES, for_terminal, json_for_terminal, safe_filename, xml_text

runner = CliRunner()
UNIT_DATA = ("HYPERLINK", "cmd|", "evil.example")
"""Fragments of the formula payloads: no <f> element of any workbook we write may contain one."""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _formulas(path: Path) -> list[str]:
    """The text of every <f> element in every worksheet of the workbook at ``path``."""
    with zipfile.ZipFile(path) as z:
        return [f for name in z.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(r"<f[^>]*>(.*?)</f>", z.read(name).decode("utf-8"), re.S)]


def _sheet_xml(path: Path, title: str) -> str:
    """The XML of the sheet called ``title``."""
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(title)
    wb.close()
    with zipfile.ZipFile(path) as z:
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        book = z.read("xl/workbook.xml").decode()
        rid = re.findall(r'<sheet [^>]*r:id="([^"]+)"', book)[index]
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
        assert target is not None
        part = (target.group(1) or target.group(2)).lstrip("/").removeprefix("xl/")
        return z.read(f"xl/{part}").decode("utf-8")


def _run(args: list[str], cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, check=False)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder: a summary written to “.” never lands in the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def cases(tmp_path: Path) -> dict[str, Path]:
    """Every hostile-text workbook of tests/hostile/injection.py, in a folder of their own."""
    return hostile_cases(tmp_path / "各单位")


# --- 1. no live formulas from data -------------------------------------------------------------------


def test_summary_workbook_keeps_formula_text_as_text(cases: dict[str, Path]) -> None:
    """校验汇总.xlsx: organ =HYPERLINK(...), a file named =HYPERLINK(1)+cmd.xlsx stay text; no <f> holds unit data."""
    folder = cases["formula_organ"].parent
    result = runner.invoke(app, ["check", str(folder), "--no-annotate"])
    assert result.exit_code == 1, result.output
    summary = folder / SUMMARY_NAME
    assert not any(frag in f for f in _formulas(summary) for frag in UNIT_DATA)
    ws = openpyxl.load_workbook(summary)["校验汇总"]
    organs = {row[1].value: row[1].data_type for row in ws.iter_rows(min_row=2)}
    files = {row[7].value: row[7].data_type for row in ws.iter_rows(min_row=2)}
    assert organs[HYPERLINK] == "s" and files["=HYPERLINK(1)+cmd.xlsx"] == "s"


def test_copy_results_sheet_keeps_a_dde_payload_as_text(cases: dict[str, Path]) -> None:
    """The copy's 校验结果 sheet: a unit's =cmd|' /C calc'!A0 (the 实为 column) and organ are text cells."""
    result = api.check_file(cases["formula_number"])
    assert result.annotated is not None
    assert any(f.actual == DDE for f in result.findings)
    assert "<f>" not in _sheet_xml(result.annotated, "校验结果")
    assert not any(frag in f for f in _formulas(result.annotated) for frag in UNIT_DATA)
    ws = openpyxl.load_workbook(result.annotated)["校验结果"]
    actual = [row[6] for row in ws.iter_rows(min_row=3) if row[6].value == DDE]
    assert actual and all(c.data_type == "s" for c in actual)
    titled = api.check_file(cases["formula_organ"])
    assert titled.annotated is not None and "<f>" not in _sheet_xml(titled.annotated, "校验结果")


def test_merged_workbook_keeps_formula_text_as_text(cases: dict[str, Path], tmp_path: Path) -> None:
    """The merged workbook: a unit's =HYPERLINK organ and =cmd narrative are never formulas (各单位明细 included)."""
    target = tmp_path / "汇总.xlsx"
    outcome = api.merge_files([cases["formula_organ"], cases["formula_file_name"]], target, force=True)
    assert outcome.path == target
    assert not any(frag in f for f in _formulas(target) for frag in UNIT_DATA)
    with zipfile.ZipFile(target) as z:
        strings = z.read("xl/sharedStrings.xml").decode()
    assert "HYPERLINK(&quot;http://evil.example/" in strings or 'HYPERLINK("http://evil.example/' in strings


# --- 2. no terminal escapes ----------------------------------------------------------------------------


def test_terminal_output_shows_escapes_and_bidi_as_visible_marks(cases: dict[str, Path]) -> None:
    """One file, a folder, --json, an error line: no ESC, CR or bidi override reaches the terminal."""
    single = _run(["check", str(cases["escape_organ"])])
    folder = _run(["check", str(cases["escape_organ"].parent), "--no-annotate"])
    bad = cases["escape_organ"].with_name("坏\x1b[2J.xlsx")
    bad.write_bytes(b"not a workbook")
    error = _run(["check", str(bad)])
    as_json = _run(["check", str(cases["escape_organ"]), "--json", "--no-annotate"])
    usage = _run(["chek\x1b[2J", "--jobs", "x\x1b[2J"])
    for proc in (single, folder, error, as_json, usage):
        text = proc.stdout + proc.stderr
        assert "\x1b" not in text and "\r" not in text and "\u202e" not in text, text[-400:]
    assert single.returncode == 1 and "␛[32m校验通过" in single.stdout
    assert error.returncode == 2 and "␛[2J" in error.stderr
    data = json.loads(as_json.stdout)
    assert data["organ"].startswith("乙镇\x1b[2K")  # JSON escapes decode back to exactly what the unit wrote
    assert any("\x1b[32m校验通过" in str(f["actual"]) for f in data["findings"])
    assert BIDI in api.read(cases["escape_organ"]).text("s1") and FAKE_LINE


def test_for_terminal_marks_every_acting_character() -> None:
    """C0 (ESC, CR, BEL), DEL, C1 (CSI) and bidi controls become visible marks; text, tab and newline stay."""
    shown = for_terminal("a\x1b[31m\r\x07\x7f\x9b\u202e\u2066b\t\n中")
    assert shown == "a␛[31m␍␇␡<U+009B><U+202E><U+2066>b\t\n中"
    assert json.loads(json_for_terminal(json.dumps("\u202e\x85", ensure_ascii=False))) == "\u202e\x85"


# --- 3. control characters crash nothing ---------------------------------------------------------------


def test_control_characters_are_marked_and_reported(cases: dict[str, Path], tmp_path: Path) -> None:
    """\\x0b, \\x01, ESC in organ and narrative: the copy and the Word report are written with ␋ marks, and
    an info finding (control-char) names each cell."""
    path = cases["control_organ"]
    result = api.check_file(path)
    found = [f for f in result.findings if f.code == "control-char"]
    assert {f.cells[0].key for f in found} == {"info.organ", "text.s1"}
    assert all(f.severity.value == "info" and f.cells[0].location is not None for f in found)
    assert "U+000B" in found[0].message.zh and "␋" in found[0].message.zh and found[0].message.en
    assert result.annotated is not None
    copy = openpyxl.load_workbook(result.annotated)["校验结果"]
    assert "丙镇␋人民政府␁" in str(copy["A1"].value)
    cli = runner.invoke(app, ["report", str(path), "-o", str(tmp_path / "报告.docx")])
    assert cli.exit_code == 0, cli.output
    with zipfile.ZipFile(tmp_path / "报告.docx") as z:
        document = z.read("word/document.xml").decode()
    assert "丙镇␋人民政府␁" in document and "第二行␛" in document
    skipped = api.check_file(path, annotate=False, skip=("control-char",))
    assert not any(f.code == "control-char" for f in skipped.findings)


@pytest.mark.libreoffice
def test_control_characters_do_not_stop_the_pdf(cases: dict[str, Path], tmp_path: Path) -> None:
    """The PDF report of a workbook with \\x0b and ESC in organ and narrative is written (exit 0)."""
    cli = runner.invoke(app, ["report", str(cases["control_organ"]), "--to", "pdf", "-o", str(tmp_path / "r.pdf")])
    assert cli.exit_code == 0, cli.output
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


# --- 4. a folder run survives any one unit ---------------------------------------------------------------


def test_folder_run_survives_long_names_unwritable_copies_and_crashes(cases: dict[str, Path],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy name over 255 bytes, a copy blocked by a folder, an unexpected exception, a control character:
    each is its unit's row (exit 2, Chinese reason, findings kept); the others and 校验汇总.xlsx are written."""
    folder = cases["formula_organ"].parent
    long_stem = "长" * ((MAX_NAME_BYTES - len(".xlsx")) // 3)
    long_name = shutil.copyfile(cases["formula_number"], folder / f"{long_stem}.xlsx")
    blocked = shutil.copyfile(cases["formula_number"], folder / "副本被占.xlsx")
    (folder / "副本被占.校验.xlsx").mkdir()
    crash = shutil.copyfile(cases["path_organ"], folder / "程序出错.xlsx")
    original = checking.check_file

    def flaky(path: Path, **options: object) -> object:
        if Path(path).name == crash.name:
            raise RuntimeError("boom")
        return original(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(checking, "check_file", flaky)  # what the folder runner calls
    result = runner.invoke(app, ["check", str(folder), "-j", "1"])
    assert result.exit_code == 2, result.output
    ws = openpyxl.load_workbook(folder / SUMMARY_NAME)["校验汇总"]
    rows = {r[7].value: r for r in ws.iter_rows(min_row=2)}
    assert len(rows) == len(scan_inputs([folder]).paths) == 9
    assert rows[long_name.name][6].value == "副本未写出" and "过长" in rows[long_name.name][9].value
    assert rows[long_name.name][4].value == 1  # its finding counted, not thrown away
    assert rows[blocked.name][6].value == "副本未写出" and rows[blocked.name][4].value == 1
    assert rows[crash.name][6].value == "无法读取" and "意外错误（RuntimeError）" in rows[crash.name][9].value
    assert rows["控制字符.xlsx"][6].value == "通过" and (folder / "控制字符.校验.xlsx").exists()
    assert "Traceback" not in result.output


def test_a_worker_that_dies_costs_only_its_own_unit(cases: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker process killed while checking one file (a parser crash, the OOM killer): that file's row says so,
    every other file of the folder is still checked."""
    folder = cases["formula_organ"].parent
    for i in range(14):
        shutil.copyfile(cases["formula_file_name"], folder / f"单位{i:02}.xlsx")
    original = checking.check_file

    def dies(path: Path, **options: object) -> object:
        if Path(path).name == "单位07.xlsx":
            os._exit(9)
        return original(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(checking, "check_file", dies)  # forked workers inherit it
    paths = scan_inputs([folder]).paths
    rows = list(check_many(paths, jobs=2, annotate=False))
    assert [r.file for r in rows] == paths
    by_name = {r.file.name: r for r in rows}
    assert by_name["单位07.xlsx"].exit_code == 2 and "进程意外退出" in by_name["单位07.xlsx"].problem
    assert all(r.exit_code in (0, 1) for r in rows if r.file.name != "单位07.xlsx")


# --- 5. what is skipped is counted -----------------------------------------------------------------------


def test_skipped_files_are_counted_in_one_line(cases: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies, summaries, ~$ locks, non-workbooks and unreadable sub-folders are counted by reason, in one line."""
    folder = cases["formula_organ"].parent
    shutil.copyfile(cases["formula_organ"], folder / "甲.校验.xlsx")
    shutil.copyfile(cases["formula_organ"], folder / SUMMARY_NAME)
    (folder / "~$甲.xlsx").write_bytes(b"lock")
    (folder / "说明.txt").write_text("readme", encoding="utf-8")
    locked = folder / "锁住的子目录"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    scan = scan_inputs([folder])
    assert scan.skipped == {"copy": 1, "summary": 1, "lock": 1, "other": 1, "folder": 1}
    assert len(scan.paths) == len(cases)
    result = runner.invoke(app, ["check", str(folder), "--no-annotate"])
    lines = [line for line in result.output.splitlines() if "另跳过" in line]
    assert lines == ["另跳过 5 个文件或文件夹：校验副本（*.校验.xlsx） 1 个，校验汇总表 1 个，"
                     "锁文件或临时文件（~$*、.~lock.*） 1 个，非 Excel 文件 1 个，无法读取的文件夹 1 个"]


# --- 6. nothing overwritten; no output is an input ------------------------------------------------------


def test_template_never_replaces_a_file_unless_asked(tmp_path: Path, cases: dict[str, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """template at an existing default name or -o: exit 2, file unchanged; --overwrite replaces; --from X -o X never."""
    monkeypatch.chdir(tmp_path)
    filled = shutil.copyfile(cases["formula_file_name"], tmp_path / "南口镇2026年报.xlsx")
    before = _sha(filled)
    refused = runner.invoke(app, ["template", "--year", "2026", "--org", "南口镇"])
    assert refused.exit_code == 2 and "--overwrite" in refused.output and _sha(filled) == before
    again = runner.invoke(app, ["template", "--from", str(filled), "-o", str(filled), "--overwrite"])
    assert again.exit_code == 2 and "不能与输入文件相同" in again.output and _sha(filled) == before
    forced = runner.invoke(app, ["template", "--year", "2026", "--org", "南口镇", "--overwrite"])
    assert forced.exit_code == 0 and _sha(filled) != before


def test_check_and_merge_outputs_never_replace_a_units_file(cases: dict[str, Path], tmp_path: Path) -> None:
    """check FOLDER -o FOLDER/unit.xlsx and merge … -o unit.xlsx: exit 2, the unit's file unchanged, nothing written."""
    folder = cases["formula_organ"].parent
    unit = cases["path_organ"]
    before = _sha(unit)
    listing = sorted(p.name for p in folder.iterdir())
    checked = runner.invoke(app, ["check", str(folder), "--summary", str(unit), "--overwrite", "--no-annotate"])
    assert checked.exit_code == 2 and "不能与输入文件相同" in checked.output and unit.name in checked.output
    merged = runner.invoke(app, ["merge", str(folder), "-o", str(unit), "--overwrite", "--force"])
    assert merged.exit_code == 2 and "不能与输入文件相同" in merged.output
    assert _sha(unit) == before and sorted(p.name for p in folder.iterdir()) == listing
    summary = tmp_path / "旧汇总.xlsx"
    summary.write_bytes(b"keep")
    refused = runner.invoke(app, ["check", str(folder), "--summary", str(summary), "--no-annotate"])
    assert refused.exit_code == 2 and summary.read_bytes() == b"keep"


def test_a_copy_never_replaces_another_input(cases: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """check a.xlsx a.校验.xlsx: a's copy would be the second input, so it is not written (row says why); the
    second input is checked and left as it was."""
    first = cases["formula_number"]
    second = shutil.copyfile(cases["path_organ"], first.with_name("公式数字.校验.xlsx"))
    before = _sha(second)
    monkeypatch.chdir(first.parent.parent)
    result = runner.invoke(app, ["check", str(first), str(second), "-j", "1"])
    assert result.exit_code == 2, result.output
    assert _sha(second) == before
    ws = openpyxl.load_workbook(Path(SUMMARY_NAME))["校验汇总"]
    rows = {r[7].value: r for r in ws.iter_rows(min_row=2)}
    assert rows[first.name][6].value == "副本未写出" and "不能与输入文件相同" in rows[first.name][9].value
    assert rows[second.name][6].value == "通过"


@pytest.mark.parametrize(("args", "says"), [
    (["-o", "/dev/null"], "不是普通文件"),
    (["-o", "{tmp}"], "文件夹"),
    (["-o", "{tmp}/报告.xlsx"], "扩展名应为 .docx"),
    (["--to", "html", "-o", "{tmp}/报告.docx"], "扩展名应为 .html"),
])
def test_report_output_must_be_a_new_file_of_its_type(cases: dict[str, Path], tmp_path: Path, args: list[str],
                                                      says: str) -> None:
    """report -o a device, a folder or a wrong extension: exit 2, a Chinese line naming it, nothing written."""
    args = [a.format(tmp=tmp_path) for a in args]
    listing = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["report", str(cases["path_organ"]), *args])
    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    assert Path("/dev/null").is_char_device()


def test_report_and_import_keep_an_existing_file(cases: dict[str, Path], tmp_path: Path) -> None:
    """A report (perhaps edited since) or an import target that exists is kept unless --overwrite."""
    target = tmp_path / "报告.docx"
    target.write_bytes(b"edited by hand")
    refused = runner.invoke(app, ["report", str(cases["path_organ"]), "-o", str(target)])
    assert refused.exit_code == 2 and "--overwrite" in refused.output and target.read_bytes() == b"edited by hand"
    assert runner.invoke(app, ["report", str(cases["path_organ"]), "-o", str(target), "--overwrite"]).exit_code == 0
    text = tmp_path / "年报.md"
    text.write_text("# 示例镇2020年政府信息公开工作年度报告\n", encoding="utf-8")
    kept = tmp_path / "已有.xlsx"
    kept.write_bytes(b"keep")
    imported = runner.invoke(app, ["import", str(text), "-o", str(kept)])
    assert imported.exit_code == 2 and "--overwrite" in imported.output and kept.read_bytes() == b"keep"


# --- 7. option injection through file names ---------------------------------------------------------------


def test_a_file_named_like_an_option_is_a_file(cases: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """`toolkit check *.xlsx` with a unit file named -o受害.xlsx: taken as a file (warned), 受害.xlsx untouched."""
    folder = cases["formula_organ"].parent
    victim = shutil.copyfile(cases["path_organ"], folder / "受害.xlsx")
    shutil.copyfile(cases["formula_file_name"], folder / "-o受害.xlsx")
    before = _sha(victim)
    expanded = sorted(p.name for p in folder.glob("*.xlsx"))  # what the shell passes for *.xlsx
    proc = _run(["check", *expanded, "--no-annotate"], cwd=folder)
    assert proc.returncode == 1, proc.stderr
    assert _sha(victim) == before
    assert "“-o受害.xlsx”以“-”开头" in proc.stderr and "--" in proc.stderr
    ws = openpyxl.load_workbook(folder / SUMMARY_NAME)["校验汇总"]
    assert "-o受害.xlsx" in [r[7].value for r in ws.iter_rows(min_row=2)]
    monkeypatch.chdir(folder)
    assert _files_not_options(["check", "-o", "-o受害.xlsx"]) == ["check", "-o", "-o受害.xlsx"]
    assert _files_not_options(["check", "-o受害.xlsx", "受害.xlsx"]) == ["check", "受害.xlsx", "--", "-o受害.xlsx"]
    help_text = runner.invoke(app, ["check", "--help"]).output
    assert "toolkit check -- " in help_text and "toolkit check 各单位/" in help_text


# --- 8. an organ name is never a path --------------------------------------------------------------------------


def test_template_from_an_organ_named_like_a_path_stays_in_the_folder(cases: dict[str, Path], tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """template --from a workbook whose organ is ../../逃逸: the new workbook is written in the current folder."""
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["template", "--from", str(cases["path_organ"])])
    assert result.exit_code == 0, result.output
    (written,) = work.iterdir()
    assert written.name.endswith("逃逸2027年报.xlsx") and ".." not in written.name and "/" not in written.name
    assert not list(tmp_path.glob("*.xlsx")) and not list((tmp_path / "a").glob("*.xlsx"))
    source = cases["path_organ"]
    reported = runner.invoke(app, ["report", str(source), "--to", "md"])
    assert reported.exit_code == 0, reported.output
    (report,) = source.parent.glob("*.md")
    assert report.name.endswith("逃逸2026年政府信息公开工作年度报告.md") and ".." not in report.name
    assert list(tmp_path.rglob("*.md")) == [report] and not list(tmp_path.parent.glob("*逃逸*"))


@pytest.mark.parametrize(("organ", "expected"), [
    ("../../x", "___x"),
    ("a/b\\c:d", "a_b_c_d"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("丙镇\x0b\x1b[2J\u202e", "丙镇[2J"),
    (" .. ", "未命名"),
])
def test_safe_filename(organ: str, expected: str) -> None:
    """No separators, .., control or bidi characters, reserved device names, leading/trailing dots."""
    assert safe_filename(organ) == expected


def test_safe_filename_fits_255_bytes() -> None:
    """A 17,000-character organ gives a name of at most 255 bytes with its suffix, cut on a character."""
    name = safe_filename("长" * 17_000 + "镇2026年报", ".xlsx")
    assert len(name.encode()) <= MAX_NAME_BYTES and name.endswith("长.xlsx")


# --- 18. --skip checks what it is given -------------------------------------------------------------------


def test_unknown_skip_is_an_error_listing_the_valid_ones(cases: dict[str, Path]) -> None:
    """--skip with a typo: exit 2 before anything is checked, listing the codes and rule ids."""
    result = runner.invoke(app, ["check", str(cases["formula_number"]), "--skip", "cell-blnk"])
    assert result.exit_code == 2, result.output
    assert "“cell-blnk”" in result.output and "cell-blank" in result.output and "s3-balance" in result.output
    assert not cases["formula_number"].with_name("公式数字.校验.xlsx").exists()
    folder = runner.invoke(app, ["check", str(cases["formula_number"].parent), "--skip", "nope"])
    assert folder.exit_code == 2 and not (cases["formula_number"].parent / SUMMARY_NAME).exists()
    ok = runner.invoke(app, ["check", str(cases["formula_number"]), "--skip", "value-kind", "--no-annotate"])
    assert ok.exit_code == 0, ok.output


# --- 19. faults ---------------------------------------------------------------------------------------------------


def test_disk_full_is_a_chinese_message_and_leaves_nothing(tmp_path: Path) -> None:
    """A writer failing with ENOSPC (also wrapped in its own exception): OutputError in Chinese, no temp file."""
    def full(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    def wrapped(tmp: Path) -> None:
        try:
            full(tmp)
        except OSError as exc:
            raise RuntimeError("writer failed") from exc

    for writer in (full, wrapped):
        with pytest.raises(OutputError) as caught:
            fileio.write_atomic(tmp_path / "x.xlsx", writer)
        assert "磁盘空间不足" in str(caught.value) and "x.xlsx" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_disk_full_in_a_command_is_exit_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """template and check with the disk full while writing: exit 2, one Chinese line, no traceback, no temp file."""
    import xlsxwriter

    def close(self: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", close)
    result = runner.invoke(app, ["template", "--year", "2026", "-o", str(tmp_path / "新.xlsx")])
    assert result.exit_code == 2 and "磁盘空间不足" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def _on_a_small_disk(tmp_path: Path, size_kb: int, command: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` (sh) with a tmpfs of ``size_kb`` mounted at ``tmp_path/小盘`` in a private mount namespace."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-m", "true"], capture_output=True,
                                                          check=False).returncode != 0:
        pytest.skip("needs unshare -m (root) to mount a small tmpfs")
    disk = tmp_path / "小盘"
    disk.mkdir(exist_ok=True)
    script = f"mount -t tmpfs -o size={size_kb}k tmpfs '{disk}' && cd '{disk}' && {command}; echo \"rc=$?\"; ls -a"
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120,
                          check=False)


def test_a_real_full_disk_is_exit_two_and_leaves_nothing(cases: dict[str, Path], tmp_path: Path) -> None:
    """On a real 16 KB tmpfs: template and the highlighted copy fail with the Chinese “磁盘空间不足”, exit 2, no
    traceback, no temporary file; the check's findings are still printed."""
    python = f"'{sys.executable}' -m toolkit"
    made = _on_a_small_disk(tmp_path, 16, f"{python} template --year 2026 -o 新.xlsx")
    assert "rc=2" in made.stdout and "磁盘空间不足" in made.stderr and "Traceback" not in made.stderr, made.stderr
    assert made.stdout.split("rc=2")[1].split() == [".", ".."]
    unit = cases["formula_number"]
    size_kb = unit.stat().st_size // 1024 + 8
    checked = _on_a_small_disk(tmp_path, size_kb, f"cp '{unit}' 单位.xlsx && {python} check 单位.xlsx")
    assert "rc=2" in checked.stdout and "磁盘空间不足" in checked.stderr and "Traceback" not in checked.stderr
    assert "错误 1 项" in checked.stdout
    assert checked.stdout.split("rc=2")[1].split() == [".", "..", "单位.xlsx"]


def test_path_over_path_max_is_exit_two(cases: dict[str, Path], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """-o with a 5,000-byte path or a 300-byte name: exit 2 with the Chinese “过长”, nothing written."""
    monkeypatch.chdir(tmp_path)
    deep = tmp_path / "/".join(["很长的目录名"] * 300) / "x.xlsx"
    long_name = tmp_path / ("长" * 100 + ".xlsx")
    for target in (deep, long_name):
        result = runner.invoke(app, ["check", str(cases["formula_number"]), "-o", str(target), "--overwrite"])
        assert result.exit_code == 2 and "过长" in result.output and "Traceback" not in result.output, result.output
    assert not any(p.name.startswith(".~gk-") for p in cases["formula_number"].parent.iterdir())
    for source in (deep, long_name):  # as inputs: the same Chinese reason, exit 2, alone or in a list
        for args in (["check", str(source)], ["check", str(source), str(cases["formula_number"]), "--no-annotate"]):
            result = runner.invoke(app, args)
            assert result.exit_code == 2 and "过长" in result.output and "Traceback" not in result.output


def test_stale_temp_files_of_a_dead_run_are_removed(cases: dict[str, Path]) -> None:
    """A .~gk-<pid>- file of a process that is gone is removed by the next write there; a live one is kept."""
    folder = cases["formula_number"].parent
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        stale = folder / f".~gk-{dead.pid}-abc.xlsx"
        live = folder / f".~gk-{sleeper.pid}-def.xlsx"
        stale.write_bytes(b"left by a killed run")
        live.write_bytes(b"being written")
        fileio._cleaned.cache_clear()
        assert runner.invoke(app, ["check", str(cases["formula_number"])]).exit_code == 1
        assert not stale.exists() and live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.slow
def test_sigkill_leaves_no_workers_and_the_next_run_cleans_up(cases: dict[str, Path]) -> None:
    """SIGKILL during a folder run: its workers exit with it; a second run leaves no .~gk- temp file behind."""
    folder = cases["formula_organ"].parent
    for i in range(60):
        shutil.copyfile(cases["formula_file_name"], folder / f"单位{i:02}.xlsx")
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "check", str(folder), "-j", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(folder.glob("*.校验.xlsx"))) < 4:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _processes_with(str(folder)):
        time.sleep(0.1)
    assert _processes_with(str(folder)) == []
    (folder / f".~gk-{proc.pid}-killed.xlsx").write_bytes(b"as a killed run leaves it")
    again = _run(["check", str(folder), "-j", "2"])
    assert again.returncode in (1, 2), again.stderr
    assert [p.name for p in folder.iterdir() if p.name.startswith(".~gk-")] == []


def test_a_temp_file_of_a_zombie_process_is_stale(tmp_path: Path) -> None:
    """A killed run's worker that is dead but not yet reaped (a zombie: a container's init reaps slowly) still
    answers kill(pid, 0); its temp file is removed all the same, while a live process's is kept."""
    from toolkit.fileio import remove_stale_temps

    child = os.fork()
    if child == 0:
        os._exit(0)
    try:
        stat, deadline = Path(f"/proc/{child}/stat"), time.monotonic() + 10
        while time.monotonic() < deadline and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
            time.sleep(0.01)
        zombie = tmp_path / f".~gk-{child}-dead.xlsx"
        live = tmp_path / f".~gk-{os.getppid()}-live.xlsx"
        zombie.write_bytes(b"left by a killed worker")
        live.write_bytes(b"being written")
        assert remove_stale_temps(tmp_path) == [zombie]
        assert live.exists() and not zombie.exists()
    finally:
        os.waitpid(child, 0)


def test_the_copy_is_of_the_version_checked(cases: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The file replaced on disk between reading and copying: the copy still shows what was checked."""
    import toolkit.rules.engine as engine

    path = cases["formula_number"]
    original = engine.check_data

    def check_then_swap(*args: object, **kwargs: object) -> object:
        outcome = original(*args, **kwargs)  # type: ignore[arg-type]
        hostile_workbook(path.with_name("新版.xlsx"), organ="另一个单位")
        os.replace(path.with_name("新版.xlsx"), path)
        return outcome

    monkeypatch.setattr(engine, "check_data", check_then_swap)
    result = api.check_file(path)
    assert result.annotated is not None and result.organ == "示例镇人民政府"
    copy = openpyxl.load_workbook(result.annotated)
    assert str(copy["校验结果"]["A1"].value).startswith("示例镇人民政府")
    assert not any(c.value == "另一个单位" for ws in copy.worksheets for row in ws.iter_rows() for c in row)
    assert any(c.value == DDE for row in copy[api.resolve_spec().sheets["s3"]].iter_rows() for c in row)


def test_xml_text_marks_what_xml_cannot_hold() -> None:
    """\\x0b, \\x01, ESC and lone surrogates become ␋ ␁ ␛ <U+D800>; tab, newline, CR and text stay."""
    assert xml_text("a\x0b\x01\x1b\ud800\t\n\rb") == "a␋␁␛<U+D800>\t\n\rb"


# --- a folder of 2,000 units ------------------------------------------------------------------------------------

UNITS = 2000
"""Units in the big folder run."""
PROCESS_MEMORY = 1536 << 20
"""Address space each process of the folder run may use (RLIMIT_AS, set in the harness)."""
PROCESS_CPU_SECONDS = 300
"""CPU time each process of the folder run may use (RLIMIT_CPU)."""
MAX_RSS_MB = 400
"""Resident memory the largest process of the folder run may reach (README: 500 MB per file)."""


def _bounded() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (PROCESS_MEMORY, PROCESS_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (PROCESS_CPU_SECONDS, PROCESS_CPU_SECONDS))


@pytest.mark.slow
def test_a_folder_of_2000_units_with_every_hostile_case_runs_to_the_end(tmp_path: Path) -> None:
    """2,000 units, among them every hostile case (bombs, macros, formulas, escapes, control characters, long
    names): the run ends, 校验汇总.xlsx has one row per unit, within the memory and CPU limits of the harness."""
    from hostile.make_corpus import make_corpus

    folder = tmp_path / "各单位"
    hostile = list(hostile_cases(folder).values())
    corpus = [p for p in make_corpus(folder / "恶意样本").values() if p.suffix in (".xlsx", ".xlsm", ".xls", ".et")]
    hostile.append(shutil.copyfile(hostile[0], folder / ("长" * 83 + ".xlsx")))
    good = hostile_workbook(tmp_path / "good.xlsx", organ="示例单位")
    units = [*hostile, *corpus, *(folder / "恶意样本" / "_src").glob("*.xlsx")]
    for i in range(UNITS - len(units)):
        units.append(shutil.copyfile(good, folder / f"单位{i:04}.xlsx"))
    (folder / "说明.docx").write_bytes(b"not a unit")
    probe = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "toolkit", "check", str(folder),
                           "--no-annotate", "-j", "2"], capture_output=True, text=True, timeout=600,
                          preexec_fn=_bounded, check=False)
    elapsed = time.monotonic() - started
    peak_mb = int(proc.stdout.strip().splitlines()[-1]) / 1024
    print(f"\n{UNITS} units: {elapsed:.1f} s, peak RSS of the largest process {peak_mb:.0f} MB")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stdout + proc.stderr
    book = openpyxl.load_workbook(folder / SUMMARY_NAME, read_only=True)
    rows = list(book["校验汇总"].iter_rows(min_row=2, values_only=True))
    book.close()  # a read-only workbook keeps its file open until closed (a ResourceWarning, an error here)
    assert len(rows) == len(units) == UNITS
    assert sorted(str(r[7]) for r in rows) == sorted(p.name for p in units)
    assert {r[6] for r in rows} >= {"通过", "有错误", "无法读取"}
    assert "另跳过" in proc.stdout
    assert peak_mb < MAX_RSS_MB
