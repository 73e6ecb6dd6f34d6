"""Usage errors, help and messages in the catalogue's language: Chinese by default, English with ``--lang en``
(anywhere on the line) or GK_LANG=en, on every command; ``--debug`` anywhere on the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.cli.usage import hoist
from toolkit.messages import current_language

ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,:'.]+[A-Za-z]{2,}[ ,:'.]+[A-Za-z]{2,}")
"""Three English words in a row (file names and option names have none)."""
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")

# Per command: a misspelled command, a misspelled option, a missing argument (or option value), a bad value.
CASES: dict[str, list[list[str]]] = {
    "template": [["templat"], ["template", "--yaer", "2026"], ["template", "--year"],
                 ["template", "--year", "二〇二六"]],
    "check": [["chek", "a.xlsx"], ["check", "--jsn", "a.xlsx"], ["check"], ["check", "-j", "0", "a.xlsx"]],
    "report": [["reprot", "a.xlsx"], ["report", "a.xlsx", "--too", "pdf"], ["report"],
               ["report", "a.xlsx", "--to", "doc"]],
    "import": [["improt", "a.txt"], ["import", "a.txt", "--jsn"], ["import"], ["import", "a.txt", "--json=yes"]],
    "merge": [["merg", "d"], ["merge", "d", "--forse"], ["merge"], ["merge", "d", "--force=1"]],
    "serve": [["serv"], ["serve", "--prot", "8000"], ["serve", "--port"], ["serve", "--port", "99999"]],
}
ALL = [(cmd, args) for cmd, cases in CASES.items() for args in cases]


def _run(args: list[str], **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=env or None)
    return result.exit_code, result.output


@pytest.mark.parametrize(("command", "args"), ALL, ids=[" ".join(a) for _, a in ALL])
def test_usage_errors_are_chinese_by_default(command: str, args: list[str]) -> None:
    """Exit 2 and a Chinese message: no English sentence, no raw placeholder, the error named in Chinese."""
    code, output = _run(args)
    assert code == 2, output
    assert not ENGLISH_SENTENCE.search(output), output
    assert "{" not in output and "错误" in output, output
    assert re.search(r"没有命令|没有选项|缺少|需要写一个值|的值有误|不能带值", output), output


@pytest.mark.parametrize(("command", "args"), ALL, ids=[" ".join(a) for _, a in ALL])
def test_usage_errors_are_english_with_lang_en(command: str, args: list[str]) -> None:
    """The same errors with --lang en at the end of the line (or GK_LANG=en) are English, without Chinese."""
    for code, output in (_run([*args, "--lang", "en"]), _run(args, GK_LANG="en")):
        assert code == 2, output
        assert not CJK.search(output.replace("二〇二六", "")), output
        assert re.search(r"no such (command|option)|missing|needs a value|invalid value|takes no value", output)
    assert current_language() == "zh"  # nothing leaks into the next run


@pytest.mark.parametrize("command", [*CASES, None])
def test_help_follows_the_language(command: str | None) -> None:
    """-h is Chinese by default and English with --lang en, for the app and every command."""
    line = [command, "-h"] if command else ["-h"]
    code, zh = _run(line)  # type: ignore[list-item]
    assert code == 0 and "用法：" in zh and "选项" in zh and "Usage" not in zh
    code, en = _run([*line, "--lang", "en"])  # type: ignore[list-item]
    assert code == 0 and "Usage:" in en and "Options" in en and not CJK.search(en.replace("汇总.xlsx", "")), en


def test_global_options_anywhere_on_the_line(tmp_path: Path) -> None:
    """--debug after the command shows the traceback (the error is raised); without it one Chinese line, exit 2."""
    missing = str(tmp_path / "无此文件.xlsx")
    assert hoist(["check", missing, "--debug", "--lang", "en", "--", "--debug"]) == [
        "--debug", "--lang", "en", "check", missing, "--", "--debug"]
    result = CliRunner().invoke(app, ["check", missing, "--debug"])
    assert result.exception is not None and type(result.exception).__name__ == "WorkbookError"
    code, output = _run(["check", missing])
    assert code == 2 and "找不到文件" in output and "Traceback" not in output
    code, output = _run(["check", missing, "--lang=en"])
    assert code == 2 and "file not found" in output and not CJK.search(output.replace("无此文件", ""))


def test_check_output_in_english(tmp_path: Path) -> None:
    """--lang en after the file gives the check summary in English (findings, counts, notes): a finding on several
    cells reads “J6 and 3 more cell(s)”, not “J6 等4格”."""
    example = Path(__file__).resolve().parents[1] / "examples" / "示例区民政局2026年报-有错.xlsx"
    code, output = _run(["check", str(example), "--no-annotate", "--lang", "en"])
    assert code == 1 and "errors" in output and "错误" not in output, output
    assert "等" not in output and "more cell(s)" in output

