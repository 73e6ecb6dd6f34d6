"""What benchmarks/run.py needs besides the figures: a regular install of the toolkit, timing of whole processes
side by side, the peak memory of a process tree, and the inputs (LibreOffice-saved workbooks, distinct units)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def regular_install(work: Path) -> Path:
    """Build the wheel of this checkout and install it (pip, byte-compiled, not editable) into a fresh venv in
    ``work``; the dependencies come from the running environment (a ``.pth`` line). Returns the venv's python."""
    wheels = work / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
                   check=True, capture_output=True)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    here = [p for p in sys.path if p.endswith("site-packages")]
    (Path(site) / "gk_bench_deps.pth").write_text("\n".join(here) + "\n", encoding="utf-8")
    return python


def run(args: list[str], *, ok: tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess[bytes]:
    """Run a whole process quietly; a crash (an exit outside ``ok``) is an error with its stderr."""
    proc = subprocess.run(args, capture_output=True, check=False, env=ENV)
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(map(str, args))[:200]} → {proc.returncode}: "
                           f"{proc.stderr.decode('utf-8', 'replace')[-800:]}")
    return proc


def side_by_side(fns: list[Callable[[], object]], runs: int) -> list[float]:
    """Median wall time of each of ``fns``, alternating in one loop so that all see the same load (one warm-up)."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, bucket in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (Linux /proc; shared pages counted in each)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


def timed_with_memory(args: list[str], *, ok: tuple[int, ...] = (0, 1)) -> tuple[float, float]:
    """(wall seconds, peak MB of the whole process tree, sampled every 50 ms) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(map(str, args))[:200]} → {proc.returncode}: "
                           f"{err.decode('utf-8', 'replace')[-800:]}")
    return elapsed, peak / 1024 / 1024


def libreoffice_saved(sources: list[Path], folder: Path) -> list[Path]:
    """``sources`` opened and saved again by LibreOffice (what most offices send back), in ``folder``."""
    from toolkit.office import convert

    return convert(sources, "xlsx", folder)


def units(sources: list[Path], folder: Path, n: int, organs: list[str] | None = None) -> list[Path]:
    """n workbooks in ``folder``: copies of ``sources``; with ``organs`` (each source's organ name) every copy is a
    distinct unit, its organ renamed :func:`unit_name` in every XML part (a merge refuses the same organ twice)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        source, target = sources[i % len(sources)], folder / f"单位{i:05d}.xlsx"
        if organs is None:
            shutil.copyfile(source, target)
        else:
            old = organs[i % len(sources)].encode("utf-8")
            with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in zin.infolist():
                    blob = zin.read(info)
                    if info.filename.endswith(".xml"):  # shared strings, and formula results cached in sheets
                        blob = blob.replace(old, unit_name(i).encode())
                    zout.writestr(info, blob)
        paths.append(target)
    return paths


def unit_name(i: int) -> str:
    """单位一〇二号: digits written as Chinese characters (LibreOffice splits 单位102 into runs of two fonts)."""
    return "单位" + "".join("〇一二三四五六七八九"[int(d)] for d in str(i)) + "号"


CALAMINE_ONE = """
import sys
from python_calamine import CalamineWorkbook
for path in sys.argv[1:]:
    book = CalamineWorkbook.from_path(path)
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
"""
"""Open a workbook with python-calamine and read every sheet: the floor of any reader."""

CALAMINE_FOLDER = """
import sys
from pathlib import Path
from multiprocessing import Pool
from python_calamine import CalamineWorkbook

def read(path):
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()

if __name__ == "__main__":
    paths = sorted(Path(sys.argv[1]).glob("*.xlsx"))
    jobs = int(sys.argv[2])
    if jobs == 1:
        for p in paths:
            read(p)
    else:
        with Pool(jobs) as pool:
            pool.map(read, paths, chunksize=16)
"""
"""The same read over a folder, in ``jobs`` processes (1: serially in this one)."""
