"""The reading part of one check beside its floor, in one process and one run (issue 16 item 3, brief wb).

Run:  python benchmarks/read_one.py [--wall] [FILE.xlsx ...]   (default: examples/*.xlsx and a LibreOffice-saved copy)

For each workbook, alternating runs of
* calamine — python-calamine opens the file and reads every sheet (``to_python``), the floor;
* reading — what ``toolkit check`` does to read it: the safety gate (lazy: worksheets scanned as read), calamine
  opened once on the checked bytes, the cells located and read (``read_workbook``);
* reading, cold — the same with the caches of workbook.xml's parse cleared first (``workbook.parts._parsed`` and the
  gate's ``_entries_of``/``_relationships_of``): what a unit costs whose workbook.xml no earlier unit shared;
* check — ``api.check_file(path, annotate=False)`` in-process: reading, rules (and 说明, only when a warning needs
  them).
Medians of the process's CPU time (``time.process_time``: on a shared machine other work inflates wall-clock time,
much less the CPU time one process uses) are printed with the ratio reading / calamine (target ≤ 2.0); ``--wall``
measures wall-clock time instead. Absolute figures move by 20–30 % from run to run; the ratio much less.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import python_calamine as calamine

from toolkit import api
from toolkit.workbook import parts, read_workbook, safety
from toolkit.workbook.book import Book
from toolkit.workbook.safety import open_package

ROOT = Path(__file__).resolve().parents[1]
RUNS = 101
TARGET = 2.0


def calamine_all(path: Path) -> None:
    """python-calamine's open-and-read of every sheet."""
    book = calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def reading(path: Path) -> None:
    """The gate, one calamine open, locate and read the cells: the reading part of a check."""
    read_workbook(path, book=Book(open_package(path, lazy=True)))


def reading_cold(path: Path) -> None:
    """:func:`reading` as for a unit whose workbook.xml and relationships were not seen before."""
    parts._parsed.cache_clear()
    safety._entries_of.cache_clear()
    safety._relationships_of.cache_clear()
    reading(path)


def check(path: Path) -> None:
    """A whole in-process check without the highlighted copy."""
    api.check_file(path, annotate=False)


def medians(path: Path, runs: int, clock: Callable[[], float] = time.process_time) -> dict[str, float]:
    """Alternating runs of each measure on ``path``; median milliseconds of each."""
    measures: dict[str, Callable[[Path], None]] = {"calamine": calamine_all, "reading": reading, "cold": reading_cold,
                                                   "check": check}
    times: dict[str, list[float]] = {name: [] for name in measures}
    for fn in measures.values():
        fn(path)  # warm: imports, the spec, the OS cache
    for _ in range(runs):
        for name, fn in measures.items():
            start = clock()
            fn(path)
            times[name].append(clock() - start)
    return {name: statistics.median(ts) * 1000 for name, ts in times.items()}


def libreoffice_copy(source: Path, folder: Path) -> Path | None:
    """``source`` saved by LibreOffice (``soffice --headless --convert-to xlsx``), None without soffice."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    out = folder / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)
    saved = out / source.name
    return saved.rename(out / f"{source.stem}（LibreOffice 另存）.xlsx") if saved.exists() else None


def main(argv: list[str]) -> int:
    clock = time.perf_counter if "--wall" in argv else time.process_time
    argv = [a for a in argv if a != "--wall"]
    with tempfile.TemporaryDirectory(prefix="gk-read-one-") as scratch:
        paths = [Path(a) for a in argv]
        if not paths:
            paths = sorted((ROOT / "examples").glob("*.xlsx"))
            saved = libreoffice_copy(paths[-1], Path(scratch))
            paths += [saved] if saved is not None else []
        print(f"clock: {'wall' if clock is time.perf_counter else 'CPU time of this process'}, median of {RUNS} runs")
        print(f"{'workbook':<40} {'calamine':>9} {'reading':>9} {'ratio':>6} {'cold':>9} {'check':>9}   target "
              f"reading ≤ {TARGET:.1f}× calamine")
        worst = 0.0
        for path in paths:
            m = medians(path, RUNS, clock)
            ratio = m["reading"] / m["calamine"]
            worst = max(worst, ratio)
            print(f"{path.name:<40} {m['calamine']:7.2f}ms {m['reading']:7.2f}ms {ratio:5.2f}× {m['cold']:7.2f}ms "
                  f"{m['check']:7.2f}ms", flush=True)
        print(f"worst ratio {worst:.2f}× ({'met' if worst <= TARGET else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
