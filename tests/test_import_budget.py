"""Published-report imports stay within a fixed budget on hostile files: each runs in a subprocess under a memory
limit (RLIMIT_AS) and a hard time limit, and ends in a result or a clear Chinese refusal, never a crash."""

from __future__ import annotations

import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

MEMORY = 1024 * 1024 * 1024
"""Address space allowed to one import (the interpreter with its libraries takes ~150 MB of it)."""
SECONDS = 30
"""CPU time allowed to one import (RLIMIT_CPU: a budget of work, not of wall time, which a busy machine stretches)."""
HANG = 10 * SECONDS
"""Wall time after which the subprocess is taken to hang (a guard, far above what any load makes of SECONDS)."""
CODE = """
import sys
from toolkit.errors import ToolkitError
from toolkit.importer import import_report
try:
    result = import_report(sys.argv[1])
    print("ok", len(result.data.values))
except ToolkitError as exc:
    print("refused", exc.message)
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))


def _hostile(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    if name == "nested.html":
        path.write_text("<table><tr><td>" * 5000 + "一、总体情况" + "</td></tr></table>" * 5000, encoding="utf-8")
    elif name == "brackets.md":
        path.write_text("[" * 100_000, encoding="utf-8")
    elif name == "rules.md":
        path.write_text("-\n" * 50_000, encoding="utf-8")
    elif name == "huge.txt":
        path.write_bytes(b"0" * (6 * 1024 * 1024))
    elif name == "long-line.txt":
        path.write_text("某局2026年政府信息公开工作年度报告\n" + "规章000" * 300_000, encoding="utf-8")
    elif name == "bomb.docx":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", "<w:document>" + " " * (40 * 1024 * 1024) + "</w:document>")
    return path


@pytest.mark.parametrize("name", ["nested.html", "brackets.md", "rules.md", "huge.txt", "long-line.txt",
                                  "bomb.docx"])
def test_hostile_report_files_end_within_the_budget(tmp_path: Path, name: str) -> None:
    """Deep nesting, quadratic-Markdown patterns, an oversized text, a 2 MB one-line body of labels and a .docx
    whose XML inflates to 40 MB: each ends under the limits with a result or a Chinese refusal."""
    path = _hostile(tmp_path, name)
    done = subprocess.run([sys.executable, "-c", CODE, str(path)], capture_output=True, text=True,
                          timeout=HANG, preexec_fn=_limit, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    verdict = done.stdout.split()[0]
    assert verdict in ("ok", "refused")
    if name in ("huge.txt", "bomb.docx"):
        assert verdict == "refused" and any("\u4e00" <= ch <= "\u9fff" for ch in done.stdout)
