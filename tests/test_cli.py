"""The command line: Chinese help with examples, exit codes, JSON equal to the library result, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit import api
from toolkit.cli import app
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template

runner = CliRunner()
COMMANDS = sorted(c.name or "" for c in app.registered_commands)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


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
    assert _has_chinese(result.output)
    assert "Show this message" not in result.output


def _workbook(tmp_path: Path, fid: str = "2021", seed: int = 1, name: str = "年报.xlsx") -> Path:
    spec = load_spec(fid)
    return build_template(spec, tmp_path / name, data=sample_report(spec, seed))


def test_check_clean_workbook_exits_zero_and_writes_the_copy(tmp_path: Path) -> None:
    """A clean workbook: exit 0, summary printed, highlighted copy beside it, original unchanged."""
    path = _workbook(tmp_path)
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
    proc = subprocess.run([sys.executable, "-m", "toolkit", "check", str(bad)], capture_output=True, text=True,
                          check=False)
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


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    """-o naming the input itself is refused with exit 2 and the input is untouched."""
    path = _workbook(tmp_path)
    before = path.read_bytes()
    result = runner.invoke(app, ["check", str(path), "-o", str(path)])
    assert result.exit_code == 2
    assert path.read_bytes() == before
