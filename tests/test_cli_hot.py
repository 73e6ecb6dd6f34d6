"""The hot path (issue 16 item 1, issue 18 items 1 and 6): ``toolkit check`` and ``toolkit --help`` run without
typer, click, rich or PyYAML, print what the typer path prints, and hand every unusual line to the typer app;
``check`` is one library call; ``cli/`` is imported by nothing else and declares its shared options once."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import EXAMPLES, ROOT, build_workbooks, run_toolkit
from typer.testing import CliRunner

from toolkit import api
from toolkit.cli import app, app_command
from toolkit.cli.hot import COMMANDS, NotHot, parse_check, top_help
from toolkit.inputs import single_file
from toolkit.messages import msg
from toolkit.sample import sample_report
from toolkit.spec import load_spec

BROKEN = EXAMPLES / "示例区民政局2026年报-有错.xlsx"
CLEAN = EXAMPLES / "示例区民政局2026年报.xlsx"
FRAMEWORK = re.compile(r"\| +(typer|click|rich|yaml|_yaml|openpyxl|xlsxwriter)(\.|$)", re.M)
"""A module of the CLI framework, PyYAML or a workbook library in ``-X importtime`` output."""
runner = CliRunner()


def _imported(*args: str) -> list[str]:
    """The framework modules a real ``python -X importtime -m toolkit ARGS`` process imports."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "toolkit", *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, check=False, timeout=120)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return sorted({m.group(1) for m in FRAMEWORK.finditer(done.stderr)})


@pytest.mark.parametrize("line", [["check", str(CLEAN), "--no-annotate"], ["check", str(BROKEN), "--no-annotate"],
                                  ["check", str(BROKEN), "--no-annotate", "--json"],
                                  ["check", str(BROKEN), "--no-annotate", "--lang", "en"], ["--help"], ["-h"]],
                         ids=["clean", "errors", "json", "english", "help", "h"])
def test_a_check_and_top_level_help_import_no_framework_nor_yaml(line: list[str]) -> None:
    """``-X importtime`` of a check (clean, with errors, --json, --lang en) and of ``--help`` shows no typer,
    click, rich, yaml, openpyxl or xlsxwriter."""
    assert _imported(*line) == []


SLOW_STDLIB = re.compile(r"\| +(dataclasses|inspect|typing|ast|dis|difflib|decimal|datetime|html|string|defusedxml"
                         r"|zipfile|shutil|bz2|lzma|threading|xml\.etree\.ElementTree|urllib\.parse|ipaddress"
                         r"|contextlib|importlib\.util|toolkit\.template\.(?:checks|plan|builder))$", re.M)
"""Modules a clean check and ``--help`` no longer import (issue 16): :mod:`toolkit.record` builds the classes
without dataclasses (and its inspect, ast, dis), ``TYPE_CHECKING`` is a module constant, the zip directory is read
by the gate itself (no zipfile, and with it shutil, bz2, lzma, threading), workbook.xml is parsed by expat's events
(no ElementTree), pathlib is imported without urllib.parse (:mod:`toolkit.quickimport`), the rest is imported
where it is used."""


@pytest.mark.parametrize("line", [["check", str(CLEAN), "--no-annotate"], ["check", str(CLEAN), "--no-annotate",
                                  "--json"], ["--help"]], ids=["clean", "json", "help"])
def test_a_clean_check_and_help_import_no_dataclasses_typing_or_what_they_do_not_use(line: list[str]) -> None:
    """``-X importtime`` of a clean check (plain and --json) and of ``--help`` shows none of the modules the
    hot path stopped importing."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "toolkit", *line], capture_output=True,
                          text=True, encoding="utf-8", env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted({m.group(1) for m in SLOW_STDLIB.finditer(after_site(done.stderr))}) == []


def after_site(importtime: str) -> str:
    """The ``-X importtime`` lines of what the program imported: those after ``site``'s own line (an editable
    install's finder, which site imports from a .pth file, imports pathlib, urllib.parse and contextlib)."""
    found = re.search(r"^import time:[^|]*\|[^|]*\| site$", importtime, re.M)
    assert found is not None, importtime[:2000]
    return importtime[found.end():]


def test_a_plain_check_reads_the_spec_without_json_and_the_files_without_glob() -> None:
    """A clean ``check FILE --no-annotate`` (a real process, -X importtime) imports neither json (the compiled
    spec is marshal data) nor glob (a file that exists is no pattern) nor PyYAML."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "toolkit", "check", str(CLEAN), "--no-annotate"],
                          capture_output=True, text=True, encoding="utf-8", env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.findall(r"\| +(json|glob|yaml)$", done.stderr, re.M) == []


def test_a_usage_error_goes_to_the_typer_app_which_words_it() -> None:
    """``check --jsn`` (a real process): typer is imported and the catalogue's message is printed, exit 2."""
    proc = run_toolkit("check", "--jsn", str(CLEAN))
    assert proc.returncode == 2 and msg("usage.no_such_option", "zh", name="--jsn") in proc.stderr
    proc = run_toolkit("check", "--jsn", str(CLEAN), "--lang", "en")
    assert proc.returncode == 2 and msg("usage.no_such_option", "en", name="--jsn") in proc.stderr


@pytest.mark.parametrize("line", [[str(BROKEN), "--no-annotate"], [str(BROKEN), "--no-annotate", "--json"],
                                  [str(BROKEN), "--no-annotate", "--lang", "en"], [str(CLEAN), "--no-annotate"],
                                  [str(BROKEN), "--no-annotate", "--skip", "cell-blank", "-f", "2021"]],
                         ids=["errors", "json", "english", "clean", "skip-format"])
def test_the_hot_path_prints_what_the_typer_path_prints(line: list[str]) -> None:
    """The same check line through the hot path (a real process) and the typer app: same stdout, same exit code."""
    hot = run_toolkit("check", *line)
    typer_path = runner.invoke(app, ["check", *line])
    assert hot.returncode == typer_path.exit_code and hot.stdout == typer_path.stdout, hot.stderr


def test_the_hot_parser_reads_check_lines_and_refuses_the_rest() -> None:
    """Flags, valued options (separate or with =), repeated --skip, and files after --; NotHot for help, unknown
    options, missing values, a bad --jobs, a flag with a value, a missing file, and a file named like an option."""
    fields = parse_check(["a.xlsx", "--json", "-o", "c.xlsx", "--skip=cell-blank", "--skip", "s3-balance", "-j", "2",
                          "--format", "2021", "--table", "--", "-b.xlsx"])
    assert fields == {"files": [Path("a.xlsx"), Path("-b.xlsx")], "as_json": True, "output": Path("c.xlsx"),
                      "skip": ["cell-blank", "s3-balance"], "jobs": 2, "format_id": "2021", "table": True}
    for line in (["a.xlsx", "-h"], ["a.xlsx", "--jsn"], ["a.xlsx", "-o"], ["a.xlsx", "-j", "0"], ["a.xlsx", "-j2"],
                 ["a.xlsx", "--json=yes"], ["--json"], ["-o受害.xlsx"], ["a.xlsx", "-j", "２"]):
        with pytest.raises(NotHot):
            parse_check(line)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_top_level_help_lists_every_command_of_the_typer_app(lang: str) -> None:
    """The hot ``--help`` names exactly the typer app's commands, each with its short help, in ``lang``."""
    assert set(COMMANDS) == set(app_command().commands)
    text = top_help(lang)
    for name in COMMANDS:
        assert re.search(rf"^  {name} +{re.escape(msg(f'cli.{name}.short', lang))}$", text, re.M), name
    assert text.startswith(msg("usage.prefix", lang)) and msg("usage.panel.options", lang) in text
    proc = run_toolkit("--help", *(["--lang", "en"] if lang == "en" else []))
    assert proc.returncode == 0 and proc.stdout == text


def test_a_folder_prints_one_line_per_unit_with_a_problem(tmp_path: Path) -> None:
    """A folder of two clean units and one broken: stdout names only the broken one (the summary workbook has all
    three); --table prints every unit; -o with a folder is refused with its message, --summary places the summary."""
    spec = load_spec("2021")
    folder = tmp_path / "各单位"
    folder.mkdir()
    units = [sample_report(spec, i, organ=f"第{i}街道", year=2026) for i in (1, 2, 3)]
    units[2] = units[2].with_value("s3.granted.total", units[2].number("s3.granted.total") + 1)
    build_workbooks((folder / f"{u.organ}.xlsx", u) for u in units)
    proc = run_toolkit("check", str(folder), "--no-annotate")
    assert proc.returncode == 1, proc.stderr
    assert "第3街道.xlsx" in proc.stdout and "第1街道.xlsx" not in proc.stdout and "第2街道" not in proc.stdout
    assert msg("present.batch.title", total=3, ok=2, bad=1, broken=0) in proc.stdout
    assert (folder / "校验汇总.xlsx").is_file()
    table = runner.invoke(app, ["check", str(folder), "--no-annotate", "--table"])
    assert table.exit_code == 1 and all(f"第{i}街道" in table.stdout for i in (1, 2, 3))
    refused = run_toolkit("check", str(folder), "--no-annotate", "-o", str(tmp_path / "副本.xlsx"))
    assert refused.returncode == 2 and refused.stderr.strip() == msg("cli.error") + msg("cli.check.one_output")
    assert not (tmp_path / "副本.xlsx").exists()
    placed = run_toolkit("check", str(folder), "--no-annotate", "--summary", str(tmp_path / "汇总.xlsx"))
    assert placed.returncode == 1 and (tmp_path / "汇总.xlsx").is_file()


def test_check_folder_is_one_library_call(tmp_path: Path) -> None:
    """api.check_folder: one row per workbook of the folder, the summary in the folder, last year's folder matched
    by organ name (whatever its file name), and --json is its to_dict()."""
    folder = tmp_path / "今年"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("*.json", "*.txt", "南口镇*"))
    books = sorted(p.name for p in folder.glob("*.xlsx"))
    last = tmp_path / "去年"
    last.mkdir()
    shutil.copy(CLEAN, last / "另一个名字.xlsx")
    outcome = api.check_folder([folder], annotate=False, previous=last)
    assert [r.file.name for r in outcome.rows] == books
    assert outcome.summary == folder / "校验汇总.xlsx" and outcome.summary.is_file()
    alone = api.check_file(folder / CLEAN.name, annotate=False, previous=last / "另一个名字.xlsx")
    matched = next(r.result for r in outcome.rows if r.file.name == CLEAN.name)
    assert matched == alone.to_dict() and [f["code"] for f in matched["findings"]] == ["previous-mismatch"]
    assert outcome.exit_code == max(r.exit_code for r in outcome.rows) == 1
    printed = runner.invoke(app, ["check", str(folder), "--no-annotate", "--json", "--previous", str(last)])
    assert json.loads(printed.stdout) == outcome.to_dict()
    assert single_file([folder]) is None and single_file([CLEAN]) == CLEAN and single_file([CLEAN, BROKEN]) is None


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_nothing_but_cli_imports_cli_and_cli_imports_no_workbook_library() -> None:
    """No module outside toolkit/cli/ imports toolkit.cli (lazy imports included) but ``python -m toolkit``'s
    __main__; toolkit/cli/ imports no openpyxl, xlsxwriter or python_calamine."""
    package = ROOT / "toolkit"
    for path in package.rglob("*.py"):
        inside = path.is_relative_to(package / "cli")
        for name in _imports(path):
            if inside:
                assert name.split(".")[0] not in ("openpyxl", "xlsxwriter", "python_calamine"), (path, name)
            elif path != package / "__main__.py":
                assert not (name == "toolkit.cli" or name.startswith("toolkit.cli.")), (path, name)


def test_shared_options_are_declared_once() -> None:
    """``--format``, ``--json``, ``--lang`` and ``--debug`` are spelled only in toolkit/cli/options.py."""
    for path in (ROOT / "toolkit" / "cli").glob("*.py"):
        if path.name == "options.py":
            continue
        text = path.read_text(encoding="utf-8")
        for option in ('"--format"', '"--json"', '"--lang"', '"--debug"', '"-f"'):
            assert option not in text, (path.name, option)
