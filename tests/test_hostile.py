"""Broken and hostile inputs (tests/hostile/make_corpus.py) and unwritable outputs: each gives the expected exit
code and finding codes or error key, a Chinese message naming the file, no traceback, bounded memory, the input
unchanged and no partial output. (The time each case takes is a figure of benchmarks/run.py.)"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hostile.make_corpus import make_corpus
from support import has_chinese, run_toolkit
from typer.testing import CliRunner

from toolkit import api
from toolkit.annotate import annotated_path
from toolkit.cli import app
from toolkit.errors import ToolkitError
from toolkit.rules.findings import CheckResult

MEMORY_LIMIT = 1536 << 20
"""Address space a ``toolkit check`` subprocess may use (RLIMIT_AS)."""
MAX_RSS_MB = 400
"""Resident memory a ``toolkit check`` subprocess may reach on any case (a clean check needs about 90 MB)."""

runner = CliRunner()


@dataclass(frozen=True)
class Expect:
    """What checking one corpus case must give."""

    exit_code: int
    """0 clean, 1 error-level findings, 2 unusable."""
    key: str | None = None
    """The error key (exit 2)."""
    says: str = ""
    """A fragment the error message (exit 2) or some finding message must contain."""
    codes: frozenset[str] = field(default_factory=frozenset)
    """Finding codes that must appear (exit 0/1)."""


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


EXPECTED: dict[str, Expect] = {
    "empty": Expect(2, "not-a-workbook", "为空"),
    "random_bytes": Expect(2, "not-a-workbook", "不是 Excel 工作簿"),
    "text_as_xlsx": Expect(2, "not-a-workbook", "文本文件"),
    "legacy_xls": Expect(2, "legacy-format", "另存为"),
    "wps_et": Expect(2, "legacy-format", "WPS .et"),
    "encrypted": Expect(2, "workbook-encrypted", "密码"),
    "macro_xlsm": Expect(2, "workbook-macro", "含宏"),
    "truncated": Expect(2, "workbook-unreadable", "不完整"),
    "zip_bomb": Expect(2, "workbook-hostile", "压缩炸弹"),
    "zip_bomb_lying": Expect(2, "workbook-hostile", "声明的大小"),
    "xml_bomb_sheet": Expect(2, "workbook-hostile", "DOCTYPE"),
    "xml_bomb_shared_strings": Expect(2, "workbook-hostile", "XML 炸弹"),
    "xxe_shared_strings": Expect(2, "workbook-hostile", "sharedStrings.xml"),
    "xxe_sheet": Expect(2, "workbook-hostile", "外部实体"),
    "million_rows": Expect(2, "workbook-hostile", "单元格数量"),
    "other_template": Expect(2, "layout-not-found", "国家统一格式"),
    "bad_xml_encoding": Expect(2, "workbook-unreadable", "workbook.xml.rels"),
    "odd_sheet_id": Expect(2, "workbook-unreadable", "标注副本"),
    "sheet_deleted": Expect(1, says="缺少“三、收到和处理政府信息公开申请情况”", codes=_codes("section-missing")),
    "merges_broken": Expect(1, says="未填写", codes=_codes("s3-balance", "cell-blank")),
    "row_deleted": Expect(1, says="危及“三安全一稳定”／自然人”未填写（未找到该栏）", codes=_codes("cell-blank")),
    "totals_disagree": Expect(1, says="99999",
                              codes=_codes("s3-balance", "s3-row-total", "s3-results-total", "s4-group-total")),
    "excel_errors": Expect(1, says="#DIV/0!", codes=_codes("value-kind")),
    "text_in_numbers": Expect(1, says="见附件", codes=_codes("value-kind", "cell-blank")),
    "report_cut_in_table": Expect(1, says="原文截断", codes=_codes("import-missing", "section-missing")),
    "report_huge_numbers": Expect(1, says="应为非负整数", codes=_codes("value-kind")),
    "sheet_renamed": Expect(0),
    "rows_inserted": Expect(0),
    "chinese_path": Expect(0),
}

LOCATED = frozenset({"value-kind", "s3-balance", "s3-row-total", "s3-results-total", "s4-group-total"})
"""Findings about cells that are there: each names at least one sheet!cell (or line of a published report)."""

CLI_CASES = ["empty", "legacy_xls", "encrypted", "macro_xlsm", "zip_bomb", "zip_bomb_lying", "xml_bomb_sheet",
             "xml_bomb_shared_strings", "million_rows", "totals_disagree", "report_cut_in_table", "chinese_path"]
"""Run as ``python -m toolkit check FILE`` in a subprocess with an address-space limit (bombs included)."""


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The whole corpus, generated once per test session."""
    return make_corpus(tmp_path_factory.mktemp("corpus"))


def _fresh(corpus: dict[str, Path], name: str, tmp_path: Path) -> Path:
    """A private copy of case ``name`` (keeping its folder with spaces), so outputs of one test stay apart."""
    src = corpus[name]
    root = next(iter(corpus.values())).parent
    dst = tmp_path / src.relative_to(root)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    """Temporary or half-written files the toolkit left in ``folder``."""
    return [p.name for p in folder.iterdir() if p.name.startswith(".~gk-")]


def _assert_error(exc: ToolkitError, path: Path, expect: Expect) -> None:
    text = str(exc)
    assert exc.key == expect.key and exc.exit_code == 2, (exc.key, text)
    assert expect.says in exc.message, text
    assert path.name in text and has_chinese(exc.message)


def _assert_findings(result: CheckResult, path: Path, expect: Expect) -> None:
    codes = {f.code for f in result.findings}
    assert result.exit_code == expect.exit_code, sorted(codes)
    assert expect.codes <= codes, sorted(codes)
    assert result.source is not None and result.source.name == path.name
    messages = [f.message.get("zh") for f in result.findings]
    assert all(has_chinese(m) for m in messages)
    if expect.says:
        assert any(expect.says in m for m in messages), messages[:5]
    for finding in result.findings:
        if finding.code in LOCATED:
            assert any(c.location is not None for c in finding.cells), finding.code


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_case_gives_the_expected_outcome(corpus: dict[str, Path], tmp_path: Path, name: str) -> None:
    """Each case: its error key or finding codes, Chinese, file named, input unchanged, no partial output."""
    expect = EXPECTED[name]
    path = _fresh(corpus, name, tmp_path)
    before = _sha(path)
    try:
        result = api.check_file(path)
    except ToolkitError as exc:
        assert expect.exit_code == 2, f"{name}: refused unexpectedly: {exc}"
        _assert_error(exc, path, expect)
        assert not annotated_path(path).exists()
    else:
        if result.copy_error is not None:  # the check ran; only its copy was refused
            assert expect.exit_code == result.exit_code == 2, f"{name}: copy refused: {result.copy_error}"
            _assert_error(result.copy_error, path, expect)
            assert not annotated_path(path).exists()
            assert _sha(path) == before and not _leftovers(path.parent)
            return
        assert expect.exit_code != 2, f"{name}: read, but should be refused ({expect.key})"
        _assert_findings(result, path, expect)
        if path.suffix == ".xlsx":
            assert result.annotated == annotated_path(path) and result.annotated.exists()
    assert _sha(path) == before
    assert not _leftovers(path.parent)


def test_every_corpus_case_has_an_expectation(corpus: dict[str, Path]) -> None:
    """A case added to the corpus must say what checking it gives."""
    assert set(corpus) == set(EXPECTED)


def _run_limited(args: list[str], folder: Path) -> tuple[int, str, str, float]:
    """``python -m toolkit ARGS`` with 1.5 GB of address space and 60 s of CPU: (exit, stdout, stderr, peak MB)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))

    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    out_path, err_path = folder / "stdout.txt", folder / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "toolkit", *args], stdout=out, stderr=err,
                                preexec_fn=limit, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory, unlike RUSAGE_CHILDREN
        proc.returncode = os.waitstatus_to_exitcode(status)
    return (proc.returncode, out_path.read_text(encoding="utf-8"), err_path.read_text(encoding="utf-8"),
            usage.ru_maxrss / 1024)


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_check_on_corpus_case(corpus: dict[str, Path], tmp_path: Path, name: str) -> None:
    """`python -m toolkit check FILE` under a 1.5 GB address-space limit: exit code, Chinese, no traceback."""
    expect = EXPECTED[name]
    path = _fresh(corpus, name, tmp_path / "in")
    before = _sha(path)
    code, out, err, rss = _run_limited(["check", str(path)], tmp_path)
    assert code == expect.exit_code, (out, err)
    assert "Traceback" not in out + err
    assert rss < MAX_RSS_MB
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and path.name in lines[0] and has_chinese(lines[0]), err
        assert expect.says in lines[0]
    else:
        assert path.name in out and has_chinese(out), out
    assert _sha(path) == before
    assert not _leftovers(path.parent)


# --- outputs ------------------------------------------------------------------------------------------


@pytest.fixture
def workbook(corpus: dict[str, Path], tmp_path: Path) -> Path:
    """A clean filled workbook of its own, 年报.xlsx in an empty folder."""
    path = tmp_path / "年报.xlsx"
    shutil.copyfile(corpus["chinese_path"], path)
    return path


def _check_refused(args: list[str], workbook: Path, says: str, *, inject: str = "") -> str:
    """`toolkit check` (a real process) exits 2 with one Chinese line on stderr, no traceback, folder as it was."""
    before = _sha(workbook)
    listing = sorted(p.name for p in workbook.parent.iterdir())
    proc = run_toolkit("check", str(workbook), *args, inject=inject)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert says in line and has_chinese(line), line
    assert _sha(workbook) == before
    assert sorted(p.name for p in workbook.parent.iterdir()) == listing
    return line


READ_ONLY = """
import errno, os, tempfile
from pathlib import Path
from types import SimpleNamespace
import toolkit.fileio

def mkstemp(*args, dir=None, **kwargs):
    if dir is not None and Path(dir).resolve() == Path({folder!r}).resolve():
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))
    return tempfile.mkstemp(*args, dir=dir, **kwargs)

toolkit.fileio.tempfile = SimpleNamespace(mkstemp=mkstemp)
"""
"""The atomic writer's view of the disk, where ``folder`` is on a read-only file system (which stops root too)."""


def test_read_only_output_folder(tmp_path: Path, workbook: Path) -> None:
    """A copy into a read-only folder (EROFS, as for root on a read-only mount): exit 2 saying so, nothing written."""
    folder = tmp_path / "报送目录"
    folder.mkdir()
    line = _check_refused(["-o", str(folder / "副本.xlsx")], workbook, "只读",
                          inject=READ_ONLY.format(folder=str(folder)))
    assert "副本.xlsx" in line
    assert list(folder.iterdir()) == []


def test_missing_output_folder(tmp_path: Path, workbook: Path) -> None:
    """A copy into a folder that does not exist: exit 2 saying so; no folder is created."""
    _check_refused(["-o", str(tmp_path / "无此目录" / "副本.xlsx")], workbook, "不存在")
    assert not (tmp_path / "无此目录").exists()


def test_output_under_a_file(workbook: Path) -> None:
    """A copy 'inside' a file (a path under a non-directory, unwritable even for root): exit 2."""
    _check_refused(["-o", str(workbook / "副本.xlsx")], workbook, "输出目录")


def test_output_is_a_folder(workbook: Path) -> None:
    """The default copy's name is taken by a folder: exit 2 naming it, the folder untouched."""
    blocker = annotated_path(workbook)
    blocker.mkdir()
    (blocker / "别人的文件.txt").write_text("不要动", encoding="utf-8")
    output = _check_refused([], workbook, "文件夹")
    assert blocker.name in output
    assert [p.name for p in blocker.iterdir()] == ["别人的文件.txt"]


@pytest.mark.parametrize("lock", ["~${name}", ".~lock.{name}#"])
def test_copy_open_in_office_is_not_replaced(workbook: Path, lock: str) -> None:
    """The copy is open in Excel/WPS (~$name) or LibreOffice (.~lock.name#): exit 2, told to close it, copy kept.

    On Windows the rename would fail anyway; elsewhere it would swap the file under the clerk's eyes. Either way
    the clerk expects to be told to close it, and what they are looking at stays as it is.
    """
    copy = annotated_path(workbook)
    assert runner.invoke(app, ["check", str(workbook)]).exit_code == 0
    shown = _sha(copy)
    (workbook.parent / lock.format(name=copy.name)).write_bytes(b"\x00" * 165)
    output = _check_refused([], workbook, "正在 Excel、WPS 或 LibreOffice 中打开")
    assert copy.name in output
    assert _sha(copy) == shown


def test_stale_lock_without_its_file_is_ignored(workbook: Path) -> None:
    """A lock file whose workbook is gone (Excel crashed) does not block writing a new copy."""
    (workbook.parent / f"~${annotated_path(workbook).name}").write_bytes(b"\x00" * 165)
    assert runner.invoke(app, ["check", str(workbook)]).exit_code == 0
    assert annotated_path(workbook).exists()


def test_input_open_in_excel_is_still_checked(workbook: Path) -> None:
    """The workbook itself is open in Excel (~$年报.xlsx beside it): reading is fine, exit 0, input unchanged."""
    (workbook.parent / f"~${workbook.name}").write_bytes(b"\x00" * 165)
    before = _sha(workbook)
    assert runner.invoke(app, ["check", str(workbook)]).exit_code == 0
    assert _sha(workbook) == before and annotated_path(workbook).exists()


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hardlink"])
def test_output_equal_to_input(tmp_path: Path, workbook: Path, spelling: str) -> None:
    """-o naming the input (as given, via ./.., a symlink or a hard link): exit 2, the input untouched."""
    if spelling == "same":
        target = workbook
    elif spelling == "dotted":
        (tmp_path / "子目录").mkdir()
        target = tmp_path / "子目录" / ".." / "." / workbook.name
    elif spelling == "symlink":
        target = tmp_path / "链接.xlsx"
        target.symlink_to(workbook)
    else:
        target = tmp_path / "硬链接.xlsx"
        os.link(workbook, target)
    _check_refused(["-o", str(target)], workbook, "不能与输入文件相同")


def test_copy_is_readable_like_any_new_file(workbook: Path) -> None:
    """The highlighted copy gets a new file's permissions (umask applied), not the temporary file's 0o600."""
    umask = os.umask(0o022)
    os.umask(umask)
    assert runner.invoke(app, ["check", str(workbook)]).exit_code == 0
    assert annotated_path(workbook).stat().st_mode & 0o777 == 0o666 & ~umask
    annotated_path(workbook).chmod(0o640)
    assert runner.invoke(app, ["check", str(workbook)]).exit_code == 0
    assert annotated_path(workbook).stat().st_mode & 0o777 == 0o640


def test_unreadable_copy_source_leaves_no_partial_output(corpus: dict[str, Path], tmp_path: Path) -> None:
    """When the copy cannot be made (a sheet-local name it cannot renumber) nothing is left; --no-annotate works."""
    path = _fresh(corpus, "odd_sheet_id", tmp_path)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "标注副本" in result.output
    assert not annotated_path(path).exists() and not _leftovers(path.parent)
    assert runner.invoke(app, ["check", str(path), "--no-annotate"]).exit_code == 0
