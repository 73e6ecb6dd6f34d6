"""What the tests share that is not a fixture: where things are, and running the real ``toolkit`` command.

The core suite reads only the repository. The real-report corpus (published reports and the transcription of the
official formats, which the project does not copy) lives outside it, at ``$GK_REFERENCE`` or, by default,
``../shared/reference`` beside the checkout; only ``tests/corpus/`` reads it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository."""
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "南口镇2020年报.txt"
"""The project's worked example: the published 南口镇 2020 report as plain text (one table cell per line)."""
FIXTURES = ROOT / "tests" / "fixtures"

REFERENCE = Path(os.environ.get("GK_REFERENCE") or ROOT.parent / "shared" / "reference").expanduser().absolute()
"""The real-report corpus: formats.yaml (the official formats transcribed) and published/*.txt."""
CORPUS_DIR = ROOT / "tests" / "corpus"

from toolkit.data import ReportData  # noqa: E402  (after the paths, which need no toolkit)
from toolkit.spec import load_spec  # noqa: E402
from toolkit.template import build_template  # noqa: E402

WorkbookFactory = Callable[..., Path]
"""The ``make_workbook`` fixture: ``(name="年报.xlsx", fid="2021", seed=1, data=None, folder=None)`` → a filled
standard workbook written by the template builder."""
FolderFactory = Callable[..., Path]
"""The ``make_folder`` fixture: ``(units, name="各单位")`` → a folder holding ``NN-<organ>.xlsx`` per unit."""


def _build(job: tuple[Path, ReportData]) -> Path:
    path, data = job
    return build_template(load_spec(data.format_id), path, data=data)


def build_workbooks(jobs: Iterable[tuple[Path, ReportData]]) -> list[Path]:
    """Write each (path, data) as a filled standard workbook; many of them in parallel processes."""
    todo = list(jobs)
    if len(todo) < 8:
        return [_build(job) for job in todo]
    with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return list(pool.map(_build, todo, chunksize=8))


def corpus_missing() -> str | None:
    """Why the corpus suite cannot run (the corpus is not where GK_REFERENCE points), or None when it can."""
    if (REFERENCE / "formats.yaml").is_file() and (REFERENCE / "published").is_dir():
        return None
    return f"corpus not found at {REFERENCE}; set GK_REFERENCE to the folder holding formats.yaml and published/"


def in_ci() -> bool:
    """CI=true (or 1/yes): an absent corpus is then an error, not a skip."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds at least one CJK ideograph."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def run_toolkit(*args: str, cwd: Path | None = None, inject: str = "",
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m toolkit ARGS`` in a subprocess, as a user runs it: its real exit code, stdout and stderr.

    ``inject`` is Python run in that process before the command starts (to make a writer fail the way a read-only
    disk does, or a library call raise an unexpected exception); the command itself is the real entry point.
    """
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8", "PYTHONPATH": path}  # this checkout's code
    command = ["-m", "toolkit"] if not inject else ["-c", f"{inject}\nfrom toolkit.cli import main\nmain()"]
    return subprocess.run([sys.executable, *command, *args], capture_output=True, text=True, encoding="utf-8",
                          env=env, cwd=cwd, timeout=timeout, check=False)


_UNO_EDIT = """
import os, subprocess, sys, tempfile, time
from pathlib import Path
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

{args}
port = 20000 + os.getpid() % 10000
office = subprocess.Popen(["soffice", "-env:UserInstallation=" + Path(tempfile.mkdtemp()).as_uri(), "--headless",
                           "--norestore", "--nologo", "--nodefault",
                           f"--accept=socket,host=127.0.0.1,port={{port}};urp;"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={{port}};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(Path(src).as_uri(), "_blank", 0, (prop("Hidden", True),))
{edit}
    doc.storeToURL(Path(dst).as_uri(), (prop("FilterName", "Calc Office Open XML"),))
    doc.close(True)
finally:
    office.terminate()
    office.wait(30)
"""


def uno_edit_script(args: str, edit: str) -> str:
    """A script for the system python (python3-uno) that opens ``src`` in a headless LibreOffice of its own,
    runs ``edit`` on ``doc`` (statements, unindented) and saves it as .xlsx to ``dst``. ``args`` is the line
    that takes ``src``, ``dst`` and the edit's own values from ``sys.argv``."""
    import textwrap

    return _UNO_EDIT.format(args=args, edit=textwrap.indent(textwrap.dedent(edit).strip(), "    "))

