"""LibreOffice started early for ``report --to pdf`` does the conversion and is gone afterwards on every path: done,
an error in the block, a failed conversion, a refused report, and a run killed with kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from toolkit import office
from toolkit.api import make_report
from toolkit.errors import OfficeConversionError
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template

FAKE = """\
#!{python}
import os, sys, time
from pathlib import Path
log = Path(os.environ["FAKE_OFFICE_LOG"])
args = sys.argv[1:]
if "--convert-to" not in args:
    with log.open("a") as f:
        f.write(f"server {{os.getpid()}}\\n")
    os.execvp("sleep", ["sleep", "600"])
with log.open("a") as f:
    f.write("convert\\n")
if os.environ.get("FAKE_OFFICE_FAIL"):
    sys.exit(1)
to = args[args.index("--convert-to") + 1].split(":")[0]
outdir = Path(args[args.index("--outdir") + 1])
for name in args[args.index("--outdir") + 2:]:
    (outdir / (Path(name).stem + "." + to)).write_bytes(b"%PDF-1.4 fake")
"""
"""A stand-in for soffice: without --convert-to it is an instance waiting for work (as LibreOffice started
with no document is), logging its pid; with it, it writes the outputs (or fails when FAKE_OFFICE_FAIL is set)."""


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The log of a fake soffice that this test's conversions use (GK_SOFFICE), with a cache of its own."""
    script = tmp_path / "soffice"
    script.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    script.chmod(0o755)
    log = tmp_path / "office.log"
    monkeypatch.setenv("GK_SOFFICE", str(script))
    monkeypatch.setenv("FAKE_OFFICE_LOG", str(log))
    monkeypatch.setenv("GK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(office, "SETTLE_SECONDS", 0.2)  # the fake never exits by itself
    return log


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie left for a slow init to reap counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _gone_soon(pid: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _servers(log: Path) -> list[int]:
    return [int(line.split()[1]) for line in log.read_text().splitlines() if line.startswith("server")]


def _source(tmp_path: Path) -> Path:
    source = tmp_path / "report.docx"
    source.write_bytes(b"PK")
    return source


def _started_pid(lo: office.Started) -> int:
    assert lo.pid is not None
    deadline = time.monotonic() + 10
    while not Path(os.environ["FAKE_OFFICE_LOG"]).exists():  # the fake has logged itself
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return lo.pid


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no process groups on Windows: no early start")


def test_the_started_office_converts_and_is_gone_after(tmp_path: Path, fake: Path) -> None:
    """convert() on the started LibreOffice writes the output; when it returns, LibreOffice has exited."""
    with office.started() as lo:
        pid = _started_pid(lo)
        (out,) = lo.convert([_source(tmp_path)], "pdf", tmp_path / "out")
        assert out.read_bytes().startswith(b"%PDF") and not _alive(pid)
    assert _servers(fake) == [pid]


def test_an_error_in_the_block_stops_the_started_office(tmp_path: Path, fake: Path) -> None:
    """An exception while the .docx is made (before any conversion) stops LibreOffice on the way out."""
    with pytest.raises(RuntimeError, match="docx"), office.started() as lo:
        pid = _started_pid(lo)
        raise RuntimeError("docx failed")
    assert not _alive(pid)


def test_a_failed_conversion_is_a_chinese_error_and_stops_the_office(tmp_path: Path, fake: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """When LibreOffice writes nothing, the conversion is tried on its own once more, then fails in Chinese;
    the started LibreOffice is gone."""
    monkeypatch.setenv("FAKE_OFFICE_FAIL", "1")
    with pytest.raises(OfficeConversionError, match=r"LibreOffice 未能生成 report\.pdf"), office.started() as lo:
        pid = _started_pid(lo)
        lo.convert([_source(tmp_path)], "pdf", tmp_path / "out")
    assert not _alive(pid)


def test_a_killed_run_leaves_no_office_waiting(tmp_path: Path, fake: Path) -> None:
    """kill -9 of the process that started LibreOffice: its guard stops LibreOffice, which would wait forever."""
    holder = textwrap.dedent("""
        import time
        from toolkit import office
        with office.started() as lo:
            print(lo.pid, flush=True)
            time.sleep(120)
    """)
    with subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())
        deadline = time.monotonic() + 10
        while not fake.exists():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert _alive(pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert _gone_soon(pid)


def _workbook(tmp_path: Path, *, broken: bool) -> Path:
    spec = load_spec("2021")
    data = sample_report(spec, 4)
    if broken:
        data = data.with_value("s3.granted.total", data.number("s3.granted.total") + 1)
    return build_template(spec, tmp_path / "年报.xlsx", data=data)


def test_report_to_pdf_hands_the_work_to_the_office_started_before_the_read(tmp_path: Path, fake: Path) -> None:
    """make_report(to="pdf") starts one LibreOffice and converts with it (no second start); none is left."""
    outcome = make_report(_workbook(tmp_path, broken=False), to="pdf", output=tmp_path / "r.pdf")
    assert outcome.path == tmp_path / "r.pdf" and outcome.path.read_bytes().startswith(b"%PDF")
    log = fake.read_text().splitlines()
    assert [line.split()[0] for line in log] == ["server", "convert"]
    assert not _alive(_servers(fake)[0])


def test_a_refused_report_stops_the_early_office_and_writes_nothing(tmp_path: Path, fake: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook with errors is refused before any conversion: the LibreOffice started for it is stopped."""
    started: list[office.Started] = []
    init = office.Started.__init__

    def recording(self: office.Started, *args: object) -> None:
        init(self, *args)  # type: ignore[arg-type]
        started.append(self)

    monkeypatch.setattr(office.Started, "__init__", recording)
    workbook = _workbook(tmp_path, broken=True)
    outcome = make_report(workbook, to="pdf", output=tmp_path / "r.pdf")
    assert outcome.refused and not (tmp_path / "r.pdf").exists()
    assert len(started) == 1 and started[0].pid is not None and not _alive(started[0].pid)
    assert not fake.exists() or "convert" not in fake.read_text()


@pytest.mark.libreoffice
def test_the_real_office_takes_the_forwarded_conversion_and_exits(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """With LibreOffice itself: started early, it converts the forwarded .docx to a PDF, and no LibreOffice
    process of that profile is left when convert() returns."""
    from toolkit.render import render_report

    monkeypatch.setenv("GK_CACHE_DIR", str(tmp_path / "cache"))
    spec = load_spec("2021")
    docx = render_report(spec, sample_report(spec, 4), "docx", tmp_path / "r.docx")
    with office.started() as lo:
        (pdf,) = lo.convert([docx], "pdf", tmp_path / "out")
        profile = office.profile_dir().as_uri()
        left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _alive(int(p.name))
                and profile.encode() in _cmdline(p)]
        assert left == []
    assert pdf.read_bytes().startswith(b"%PDF")


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.libreoffice
def test_a_killed_report_leaves_no_real_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kill -9 of a run while LibreOffice starts: its guard stops every LibreOffice process of the profile, and
    the next conversion on that profile works."""
    monkeypatch.setenv("GK_CACHE_DIR", str(tmp_path / "cache"))
    holder = "import time\nfrom toolkit import office\nwith office.started() as lo:\n    print(lo.pid, flush=True)\n" \
             "    time.sleep(120)\n"
    with subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        pid = int(proc.stdout.readline())
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    profile = office.profile_dir().as_uri().encode()
    deadline = time.monotonic() + 15
    while True:
        left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _alive(int(p.name))
                and profile in _cmdline(p)]
        if not left:
            break
        assert time.monotonic() < deadline, left
        time.sleep(0.1)
    assert not _alive(pid)
    source = tmp_path / "note.txt"
    source.write_text("政府信息公开工作年度报告\n", encoding="utf-8")
    (pdf,) = office.convert([source], "pdf", tmp_path / "out")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_prestarted_office_is_taken_over_by_the_next_early(tmp_path: Path, fake: Path) -> None:
    """prestart() starts LibreOffice; early() hands that very instance out (no second start) and stops it."""
    office.prestart()
    try:
        with office.early() as lo:
            assert lo is not None
            pid = _started_pid(lo)
            lo.convert([_source(tmp_path)], "pdf", tmp_path / "out")
        assert _servers(fake) == [pid] and not _alive(pid) and office._PENDING is None
    finally:
        office._stop_pending()


def test_a_prestarted_office_nobody_takes_is_stopped_at_exit(tmp_path: Path, fake: Path) -> None:
    """A process that prestarts LibreOffice and ends without converting leaves no LibreOffice behind."""
    code = "from toolkit import office; office.prestart(); print(office._PENDING[1].pid, flush=True)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert _gone_soon(int(proc.stdout))


def _toolkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_command_line_starts_office_first_only_for_pdf(tmp_path: Path, fake: Path) -> None:
    """`toolkit report F --to pdf` starts one LibreOffice before anything else and converts with it; `--to docx`
    starts none; a refused `--to pdf` (exit 1) leaves none running."""
    good = _workbook(tmp_path, broken=False)
    done = _toolkit("report", str(good), "--to", "docx", "-o", str(tmp_path / "r.docx"))
    assert done.returncode == 0, done.stderr
    assert not fake.exists()
    done = _toolkit("report", str(good), "--to", "pdf", "-o", str(tmp_path / "r.pdf"))
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in fake.read_text().splitlines()] == ["server", "convert"]
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF") and not _alive(_servers(fake)[0])
    fake.unlink()
    bad = tmp_path / "bad"
    bad.mkdir()
    refused = _toolkit("report", str(_workbook(bad, broken=True)), "-t", "pdf", "-o", str(tmp_path / "x.pdf"))
    assert refused.returncode == 1 and not (tmp_path / "x.pdf").exists()
    assert all(_gone_soon(pid) for pid in (_servers(fake) if fake.exists() else []))
