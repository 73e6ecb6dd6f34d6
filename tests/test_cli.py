"""The command line: Chinese help with examples, exit codes, JSON equal to the library result, no tracebacks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from support import WorkbookFactory, has_chinese, run_toolkit
from typer.testing import CliRunner

from toolkit import api
from toolkit.cli import app
from toolkit.sample import sample_report
from toolkit.spec import CellKind, load_spec
from toolkit.template import build_template

runner = CliRunner()
COMMANDS = sorted(c.name or "" for c in app.registered_commands)


def test_top_level_help_is_chinese_and_lists_every_command() -> None:
    """`toolkit --help` is in Chinese, names every command and shows examples."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "用法" in result.output and "命令" in result.output and "示例" in result.output
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_is_chinese_with_a_runnable_example(command: str) -> None:
    """Each command's help is Chinese, with a copy-pasteable `toolkit <command> …` example line."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "用法" in result.output and "示例" in result.output and "选项" in result.output
    examples = [line.strip() for line in result.output.splitlines() if line.strip().startswith(f"toolkit {command}")]
    assert examples, result.output
    assert has_chinese(result.output)
    assert "Show this message" not in result.output


def test_check_clean_workbook_exits_zero_and_writes_the_copy(tmp_path: Path, make_workbook: WorkbookFactory) -> None:
    """A clean workbook: exit 0, summary printed, highlighted copy beside it, original unchanged."""
    path = make_workbook()
    before = path.read_bytes()
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "错误 0 项" in result.output
    assert (tmp_path / "年报.校验.xlsx").exists()
    assert path.read_bytes() == before


def test_check_json_equals_the_library_result(tmp_path: Path) -> None:
    """`check --json` prints exactly CheckResult.to_dict() of the library call."""
    spec = load_spec("2021")
    data = sample_report(spec, 2)
    data = data.with_value("s3.granted.total", data.number("s3.granted.total") + 1)
    path = build_template(spec, tmp_path / "坏.xlsx", data=data)
    result = runner.invoke(app, ["check", str(path), "--json", "--no-annotate"])
    assert result.exit_code == 1
    expected = api.check_file(path, annotate=False).to_dict("zh")
    assert json.loads(result.stdout) == json.loads(json.dumps(expected, ensure_ascii=False))


def test_unusable_input_is_one_chinese_line_and_exit_two(tmp_path: Path) -> None:
    """A text file named .xlsx: exit 2, one Chinese line naming the file, no traceback."""
    bad = tmp_path / "不是表格.xlsx"
    bad.write_text("hello", encoding="utf-8")
    proc = run_toolkit("check", str(bad))
    assert proc.returncode == 2
    assert "不是表格.xlsx" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1


def test_template_command_writes_the_format_for_the_year(tmp_path: Path) -> None:
    """`toolkit template --year 2020` writes a 2019-format workbook that checks as such."""
    out = tmp_path / "2020年报.xlsx"
    result = runner.invoke(app, ["template", "--year", "2020", "--org", "南口镇", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = api.read(out)
    assert data.format_id == "2019" and data.organ == "南口镇" and data.year == 2020


def test_check_imports_a_published_report_first(seed_report: Path) -> None:
    """`toolkit check report.txt` imports the published report and checks it: 六 is missing, so exit 1."""
    result = runner.invoke(app, ["check", str(seed_report), "--json"])
    assert result.exit_code == 1, result.output
    printed = json.loads(result.stdout)
    assert "section-missing" in {f["code"] for f in printed["findings"] if f["severity"] == "error"}
    assert printed["organ"] == "南口镇" and printed["year"] == 2020 and printed["annotated"] is None
    assert printed == json.loads(json.dumps(api.check_file(seed_report).to_dict("zh"), ensure_ascii=False))


def test_checking_a_published_report_says_why_there_is_no_copy_and_refuses_one(tmp_path: Path,
                                                                               seed_report: Path) -> None:
    """A published report has no cells to mark: the check says so and how to get a copy (import it first); asking
    for a copy of it with -o is exit 2 in Chinese before anything is read, and nothing is written."""
    proc = run_toolkit("check", str(seed_report))
    assert proc.returncode == 1 and "不写标注副本" in proc.stdout and "toolkit import" in proc.stdout
    quiet = run_toolkit("check", str(seed_report), "--no-annotate")
    assert "不写标注副本" not in quiet.stdout
    asked = run_toolkit("check", str(seed_report), "-o", str(tmp_path / "副本.xlsx"))
    assert asked.returncode == 2 and "不能用 -o 写标注副本" in asked.stderr and "Traceback" not in asked.stderr
    assert not (tmp_path / "副本.xlsx").exists() and not list(tmp_path.glob("*.xlsx"))


def test_import_writes_the_workbook_beside_the_report_and_says_what_it_imported(seed_report: Path) -> None:
    """`toolkit import report.txt`: 南口镇2020年报.xlsx beside it holding every imported value; notes printed."""
    from toolkit.importer import import_report

    report = seed_report
    result = runner.invoke(app, ["import", str(report)])
    assert result.exit_code == 0, result.output
    written = seed_report.parent / "南口镇2020年报.xlsx"
    imported = import_report(report)
    count = f"导入数值 {len(imported.data.values)} 个"
    for shown in ("机关：南口镇", "年度：2020", "格式：2019", count, *imported.missing):
        assert shown in result.stdout
    data = api.read(written)
    assert (data.organ, data.year, data.format_id) == ("南口镇", 2020, "2019")
    assert {k: v.value for k, v in data.values.items()} == {k: v.value for k, v in imported.data.values.items()}
    assert data.text("s1") == imported.data.text("s1")


def test_import_lists_every_uncertain_note(tmp_path: Path, seed_report: Path) -> None:
    """With --format 2021 on a 2019-format report, each table that does not fit is printed as not imported."""
    from toolkit.importer import import_report

    report = seed_report
    result = runner.invoke(app, ["import", str(report), "--format", "2021", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 0, result.output
    uncertain = import_report(report, format_id="2021").uncertain
    assert uncertain and all(note in result.stdout for note in uncertain)
    assert api.read(tmp_path / "x.xlsx").format_id == "2021"


def test_import_json_equals_the_library_result(tmp_path: Path, seed_report: Path) -> None:
    """`import --json` prints exactly ImportResult.to_dict() plus the output path."""
    from toolkit.importer import import_report

    report, written = seed_report, tmp_path / "导入.xlsx"
    result = runner.invoke(app, ["import", str(report), "-o", str(written), "--json"])
    assert result.exit_code == 0, result.output
    expected = {**import_report(report).to_dict(), "output": str(written)}
    assert json.loads(result.stdout) == json.loads(json.dumps(expected, ensure_ascii=False))
    assert written.is_file()


@pytest.mark.parametrize(("name", "content"), [("通知.txt", "关于开展安全检查的通知\n请各单位按时完成。"),
                                               ("年报.pdf", "%PDF-1.4")])
def test_import_unusable_input_is_one_chinese_line_and_exit_two(tmp_path: Path, name: str, content: str) -> None:
    """A file that holds no report, or a type that cannot be imported: exit 2, one line naming it, no traceback."""
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    result = run_toolkit("import", str(bad))
    assert result.returncode == 2
    assert name in result.stderr and has_chinese(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stdout + result.stderr
    assert list(tmp_path.glob("*.xlsx")) == []


def test_import_never_overwrites_a_workbook_under_the_default_name(tmp_path: Path, seed_report: Path) -> None:
    """A 南口镇2020年报.xlsx already beside the report is left alone (exit 2); -o names the output explicitly."""
    report = seed_report
    existing = tmp_path / "南口镇2020年报.xlsx"
    existing.write_bytes(b"the clerk's own workbook")
    result = runner.invoke(app, ["import", str(report)])
    assert result.exit_code == 2 and "-o" in result.stderr
    assert existing.read_bytes() == b"the clerk's own workbook"


def test_many_findings_of_one_kind_are_counted_not_listed(tmp_path: Path) -> None:
    """A blank template: five 未填写 rows, then one line counting the rest; --json still lists every finding."""
    path = tmp_path / "空白.xlsx"
    assert runner.invoke(app, ["template", "--year", "2026", "--org", "南口镇", "-o", str(path)]).exit_code == 0
    inputs = sum(1 for c in load_spec("2021").input_cells)
    result = runner.invoke(app, ["check", str(path), "--no-annotate"])
    assert result.exit_code == 1
    assert [line.startswith("警告  ") for line in result.output.splitlines()].count(True) == 5
    assert f"另有 {inputs - 5}" in result.output
    listed = json.loads(runner.invoke(app, ["check", str(path), "--no-annotate", "--json"]).stdout)
    assert sum(1 for f in listed["findings"] if f["code"] == "cell-blank") == inputs


def test_findings_are_shown_when_only_the_copy_cannot_be_written(tmp_path: Path) -> None:
    """The copy's folder does not exist: the findings are still printed, then the output error, exit 2."""
    spec = load_spec("2021")
    data = sample_report(spec, 3)
    path = build_template(spec, tmp_path / "坏.xlsx", data=data.with_value("s3.granted.total", 999))
    target = tmp_path / "无此目录" / "x.xlsx"
    proc = run_toolkit("check", str(path), "-o", str(target))
    assert proc.returncode == 2
    assert "错误 2 项" in proc.stdout and "s3" not in proc.stderr
    assert "无此目录" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout


def test_lang_en_gives_english_messages_in_the_table_and_the_json(tmp_path: Path) -> None:
    """--lang en: the summary and every finding message are in English (labels stay the official Chinese)."""
    spec = load_spec("2021")
    data = sample_report(spec, 4)
    path = build_template(spec, tmp_path / "坏.xlsx", data=data.with_value("s3.granted.total", 999))
    shown = runner.invoke(app, ["check", str(path), "--no-annotate", "--lang", "en"])
    assert shown.exit_code == 1 and "errors" in shown.output and "错误 " not in shown.output
    listed = json.loads(runner.invoke(app, ["check", str(path), "--no-annotate", "--json", "--lang", "en"]).stdout)
    english = api.check_file(path, annotate=False).to_dict("en")["findings"]
    assert [f["message"] for f in listed["findings"]] == [f["message"] for f in english]
    assert all("total" in f["message"] or "add up" in f["message"] for f in listed["findings"])


# --- exit codes, --version, --debug ------------------------------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"
BOOM = "import toolkit.api\ndef boom(*args, **kwargs):\n    raise {error}\ntoolkit.api.check_file = boom\n"
"""Code run before the command: the library call raises ``error`` (what a bug, or Ctrl-C, looks like to the CLI)."""


def _documented_exit_codes() -> dict[int, str]:
    """Exit code → meaning, from README's 退出码 line."""
    (line,) = [ln for ln in README.read_text(encoding="utf-8").splitlines() if ln.startswith("退出码：")]
    return {int(code): meaning for code, meaning in re.findall(r"`(\d+)` ([^，。`]+)", line)}


def _exit_case(code: int, tmp_path: Path) -> tuple[list[str], str]:
    """Arguments (and injected code) that make `toolkit` exit with ``code``."""
    spec = load_spec("2021")
    data = sample_report(spec, 1)
    if code == 0:
        return ["check", str(build_template(spec, tmp_path / "好.xlsx", data=data)), "--no-annotate"], ""
    if code == 1:
        broken = data.with_value("s3.granted.total", data.number("s3.granted.total") + 1)
        return ["check", str(build_template(spec, tmp_path / "坏.xlsx", data=broken)), "--no-annotate"], ""
    if code == 2:
        (tmp_path / "文本.xlsx").write_text("不是工作簿", encoding="utf-8")
        return ["check", str(tmp_path / "文本.xlsx")], ""
    error = "RuntimeError('程序缺陷')" if code == 3 else "KeyboardInterrupt()"
    return ["check", str(build_template(spec, tmp_path / "好.xlsx", data=data))], BOOM.format(error=error)


def test_readme_documents_every_exit_code() -> None:
    """README's 退出码 line lists 0, 1, 2, 3 and 130: each is tested below, and no other code is given."""
    assert sorted(_documented_exit_codes()) == [0, 1, 2, 3, 130]


@pytest.mark.parametrize("code", [0, 1, 2, 3, 130])
def test_each_documented_exit_code_is_what_the_command_gives(tmp_path: Path, code: int) -> None:
    """A real `toolkit check` process exits with each documented code in its case, with no traceback."""
    args, inject = _exit_case(code, tmp_path)
    proc = run_toolkit(*args, inject=inject)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    if code in (2, 3):
        assert len(proc.stderr.strip().splitlines()) == 1 and has_chinese(proc.stderr), proc.stderr
    if code == 3:
        assert "程序内部错误" in proc.stderr and "--debug" in proc.stderr and "RuntimeError: 程序缺陷" in proc.stderr


def test_usage_error_is_exit_two_in_chinese() -> None:
    """An unknown option is a usage error: exit 2, said in Chinese on stderr."""
    proc = run_toolkit("check", "--no-such-option", "x.xlsx")
    assert proc.returncode == 2 and has_chinese(proc.stderr) and "--no-such-option" in proc.stderr


@pytest.mark.parametrize("error", ["RuntimeError('程序缺陷')", "unusable"])
def test_debug_shows_the_traceback(tmp_path: Path, error: str) -> None:
    """With --debug an internal error, or a file the toolkit refuses, ends in a Python traceback naming the error."""
    if error == "unusable":
        (tmp_path / "文本.xlsx").write_text("不是工作簿", encoding="utf-8")
        args, inject, name = ["check", str(tmp_path / "文本.xlsx")], "", "NotAWorkbookError"
    else:
        args, inject = _exit_case(3, tmp_path)
        name = "RuntimeError: 程序缺陷"
    quiet = run_toolkit(*args, inject=inject)
    loud = run_toolkit("--debug", *args, inject=inject)
    assert "Traceback" not in quiet.stderr
    assert loud.returncode != 0 and "Traceback (most recent call last)" in loud.stderr and name in loud.stderr


def test_version_prints_the_installed_version() -> None:
    """`toolkit --version` prints `toolkit <version of the installed distribution>` and exits 0."""
    from importlib.metadata import version

    proc = run_toolkit("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"toolkit {version('gk-toolkit')}"


# --- check with several files, globs, an empty folder; template --from ---------------------------------------------

@pytest.mark.parametrize("given", ["2 files", "7 files", "glob"])
def test_check_several_files_is_a_batch_with_a_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        given: str) -> None:
    """2–7 files, or a glob pattern (unexpanded, as Windows shells pass it): one row each, worst exit code."""
    spec = load_spec("2021")
    count = 2 if given == "2 files" else 7
    files = []
    for i in range(count):
        data = sample_report(spec, i, organ=f"第{i}街道")
        if i == 1:
            data = data.with_value("s3.granted.total", data.number("s3.granted.total") + 1)
        files.append(build_template(spec, tmp_path / f"{i}-第{i}街道.xlsx", data=data))
    (tmp_path / "说明.txt").write_text("不是年报", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = [str(tmp_path / "*街道.xlsx")] if given == "glob" else [str(f) for f in files]
    result = runner.invoke(app, ["check", *args, "--no-annotate", "--json"])
    assert result.exit_code == 1, result.output
    rows = json.loads(result.stdout)
    assert [r["file"] for r in rows] == [str(f) for f in files]
    assert [r["status"] for r in rows] == ["ok", "error", *["ok"] * (count - 2)]
    summary = openpyxl.load_workbook(tmp_path / "校验汇总.xlsx").active
    assert summary is not None and summary.max_row == count + 1


def test_check_an_empty_folder_says_nothing_was_found(tmp_path: Path) -> None:
    """An empty folder (or one without workbooks): exit 2, one Chinese line, no summary written."""
    (tmp_path / "空").mkdir()
    (tmp_path / "空" / "说明.docx").write_bytes(b"")
    proc = run_toolkit("check", str(tmp_path / "空"))
    assert proc.returncode == 2 and proc.stderr.strip() == "错误：没有找到要校验的 .xlsx 文件"
    assert [p.name for p in (tmp_path / "空").iterdir()] == ["说明.docx"]


def test_template_from_last_years_workbook_carries_it_over(tmp_path: Path) -> None:
    """`template --from 2020年报.xlsx`: 2021, the 2021 format, organ and contact kept, 上年结转 = 结转下年度."""
    last_spec = load_spec("2019")
    last = sample_report(last_spec, 6, organ="南口镇", year=2020)
    last_year = build_template(last_spec, tmp_path / "2020年报.xlsx", data=last)
    target = tmp_path / "2021年报.xlsx"
    result = runner.invoke(app, ["template", "--from", str(last_year), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert str(target) in result.stdout
    new = api.read(target)
    assert (new.organ, new.year, new.format_id) == ("南口镇", 2021, "2021")
    assert new.info["contact"] == last.info["contact"]
    for column in load_spec("2021").table("s3").columns:
        assert new.number(f"s3.carried_over.{column.id}") == last.number(f"s3.carried_forward.{column.id}")
    assert {new.values[f"s3.new_received.{c.id}"].value for c in load_spec("2021").table("s3").columns
            if c.kind is CellKind.INPUT} == {None}  # this year's figures are left to fill in
