"""Speed and memory benchmarks with their targets (issue 7). Not part of the test suite.

Run:  python benchmarks/run.py            (all, about three minutes on 2 cores)
      python benchmarks/run.py --quick    (smaller folders, fewer runs, for a smoke run)

Each figure is the median over repeated runs and is printed beside its target. The benchmark makes its own
workbooks from random consistent data in a temporary folder. Commands run as whole processes, the way a user
runs them; the toolkit is byte-compiled first, as an installed package is (``PYTHONDONTWRITEBYTECODE`` is
dropped for the child processes, so a development checkout is not charged for compiling its sources).

Peak memory of a folder run is that of the whole process tree: the main process's peak plus, for each worker,
the peak of the largest child (``getrusage`` reports only the largest child; psutil is not a dependency). Shared
pages are counted in every process, so the figure is an upper bound.

The 1-minute load average is printed first: on a shared 2-core machine other work slows every figure.

The tests hold no wall-clock assertion (they would fail on a loaded machine for no fault of the code); the time
bounds they once asserted are figures here: reading a marker workbook, refusing each hostile file at the gate,
checking each hostile or broken case, and reading a batch of randomly damaged workbooks.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import toolkit
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template

ROWS: list[tuple[str, str, str, bool | None]] = []
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
JOBS = 2
"""Worker processes for the folder runs (the target is stated for 2 cores)."""
FOLDER_RUNS = 3
"""Folder runs per size (each a fresh process); the median is reported."""


REFERENCE = "（参考）"
"""Target column of a figure shown for reference only (no target of its own)."""


def report(name: str, figure: str, target: str, ok: bool | None) -> None:
    """Record and print one line: name, measured figure, target, verdict (None: not measurable)."""
    ROWS.append((name, figure, target, ok))
    verdict = REFERENCE if target == REFERENCE else "无法测量" if ok is None else ("达标" if ok else "未达标")
    print(f"{name:<40} {figure:>24}   目标 {target:<16} {verdict}", flush=True)


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``fn`` over ``runs`` calls (one warm-up call first)."""
    return median_side_by_side([fn], runs)[0]


def median_side_by_side(fns: list[Callable[[], object]], runs: int) -> list[float]:
    """Median wall time of each of ``fns``, run in turn in the same loop so that both see the same load."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, bucket in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return [statistics.median(bucket) for bucket in times]


def make_folder(folder: Path, n: int, sources: list[Path]) -> list[Path]:
    """n workbooks in ``folder`` (copies of a few distinct generated ones, renamed per unit)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        target = folder / f"单位{i:05d}.xlsx"
        shutil.copyfile(sources[i % len(sources)], target)
        paths.append(target)
    return paths


def run_cmd(args: list[str]) -> Callable[[], object]:
    """A callable running a command quietly and checking it did not crash (exit 0 or 1 allowed)."""

    def call() -> object:
        proc = subprocess.run(args, capture_output=True, check=False, env=ENV)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(args[1:])} → {proc.returncode}: "
                               f"{proc.stderr.decode('utf-8', 'replace')[-500:]}")
        return proc

    return call


FOLDER_RUN = """
import resource, sys, time
from pathlib import Path
from toolkit.batch import check_many, write_summary
paths = [Path(p) for p in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()]
start = time.perf_counter()
rows = list(check_many(paths, jobs=int(sys.argv[3]), annotate=sys.argv[4] == "annotate"))
write_summary(rows, Path(sys.argv[2]))
elapsed = time.perf_counter() - start
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(len(rows) / elapsed, (me + int(sys.argv[3]) * child) / 1024)
"""


def folder_run(paths: list[Path], jobs: int, summary: Path, *, annotate: bool = False) -> tuple[float, float]:
    """(workbooks per second, peak RSS of the process tree in MB) for checking a folder and writing its summary
    (with a highlighted copy of each workbook when ``annotate``)."""
    listing = Path(str(summary) + ".list")
    listing.write_text("\n".join(str(p) for p in paths), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", FOLDER_RUN, str(listing), str(summary), str(jobs),
                           "annotate" if annotate else "plain"],
                          capture_output=True, text=True, check=True, env=ENV)
    rate, peak = proc.stdout.split()
    return float(rate), float(peak)


def slowest_seconds(fns: list[Callable[[], object]]) -> float:
    """Wall time of the slowest of ``fns`` (each run once; exceptions are part of the work)."""
    worst = 0.0
    for fn in fns:
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # a refusal is the expected outcome of most cases
            fn()
        worst = max(worst, time.perf_counter() - start)
    return worst


def robustness(work: Path, runs: int) -> None:
    """The bounds on reading, refusing and checking bad input (formerly asserted by the tests)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from hostile.make_corpus import make_corpus

    from toolkit.api import check_file
    from toolkit.reader import read_workbook
    from toolkit.xlsxsafe import inspect_file

    spec = load_spec("2021")
    marker = build_template(spec, work / "marker.xlsx", data=sample_report(spec, 7))
    t_read = median_seconds(lambda: read_workbook(marker), max(runs, 21))
    report("读取一个填报表（进程内）", f"{t_read * 1000:.1f} ms", "< 20 ms", t_read < 0.02)

    cases = make_corpus(work / "hostile")
    t_gate = slowest_seconds([lambda p=p: inspect_file(p) for p in cases.values()])
    report(f"安全闸门（{len(cases)} 个有害/损坏文件，最慢一个）", f"{t_gate * 1000:.0f} ms", "< 2000 ms", t_gate < 2)
    t_case = slowest_seconds([lambda p=p: check_file(p, output=work / "hostile-copy.xlsx") for p in cases.values()])
    report("校验有害/损坏文件（含副本，最慢一个）", f"{t_case * 1000:.0f} ms", "< 5000 ms", t_case < 5)

    rng = random.Random(2026)
    blob = marker.read_bytes()
    damaged = []
    for i in range(120):
        flipped = bytearray(blob)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        damaged.append(work / f"damaged{i}.xlsx")
        damaged[-1].write_bytes(bytes(flipped))
    start = time.perf_counter()
    slowest_seconds([lambda p=p: read_workbook(p) for p in damaged])
    t_damaged = time.perf_counter() - start
    report("读取 120 个随机损坏的工作簿（合计）", f"{t_damaged:.2f} s", "< 10 s", t_damaged < 10)


def main() -> None:
    """Generate inputs, measure every target, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller folders and fewer runs")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    compileall.compile_dir(str(Path(toolkit.__file__).parent), quiet=1)
    print(f"负载（1 分钟平均）：{os.getloadavg()[0]:.2f}，{os.cpu_count()} 核\n", flush=True)
    spec = load_spec("2021")
    work = Path(tempfile.mkdtemp(prefix="gk-bench-"))
    try:
        one = build_template(spec, work / "one.xlsx", data=sample_report(spec, 1, organ="示例镇"))
        toolkit_cmd = [sys.executable, "-m", "toolkit"]

        t_check, t_openpyxl = median_side_by_side([
            run_cmd([*toolkit_cmd, "check", str(one), "--no-annotate"]),
            run_cmd([sys.executable, "-c", f"import openpyxl; openpyxl.load_workbook({str(one)!r})"]),
        ], runs)
        ratio = t_check / t_openpyxl
        report("check 一个文件 / openpyxl 载入（进程）",
               f"{t_check * 1000:.0f} / {t_openpyxl * 1000:.0f} ms = {ratio:.2f}", "≤ 1.00", ratio <= 1.0)

        t_help = median_seconds(run_cmd([*toolkit_cmd, "--help"]), runs)
        report("toolkit --help", f"{t_help * 1000:.0f} ms", "< 300 ms", t_help < 0.3)

        t_template = median_seconds(run_cmd([*toolkit_cmd, "template", "--year", "2026",
                                             "-o", str(work / "t.xlsx")]), runs)
        report("toolkit template（进程）", f"{t_template * 1000:.0f} ms", "< 500 ms", t_template < 0.5)

        try:
            t_report = median_seconds(run_cmd([*toolkit_cmd, "report", str(one), "--to", "docx",
                                               "-o", str(work / "r.docx")]), runs)
        except RuntimeError as exc:
            print(f"  （toolkit report 不可用：{str(exc).strip().splitlines()[-1][:100]}）", flush=True)
            report("toolkit report --to docx（进程）", "—", "< 1000 ms", None)
        else:
            report("toolkit report --to docx（进程）", f"{t_report * 1000:.0f} ms", "< 1000 ms", t_report < 1.0)

        from toolkit.annotate import annotate_workbook
        from toolkit.api import check_file

        broken = build_template(spec, work / "broken.xlsx",
                                data=sample_report(spec, 2).with_value("s3.granted.total", 999))
        result = check_file(broken, annotate=False)
        t_annotate = median_seconds(lambda: annotate_workbook(broken, result, work / "b.校验.xlsx"), runs)
        report("标注副本（每秒份数，单进程）", f"{1 / t_annotate:.1f} 份/秒", REFERENCE, None)
        copies = make_folder(work / "copies", 100 if args.quick else 200, [broken])
        copy_rate = statistics.median(folder_run(copies, JOBS, work / "汇总copies.xlsx", annotate=True)[0]
                                      for _ in range(FOLDER_RUNS))
        shutil.rmtree(work / "copies", ignore_errors=True)
        report(f"标注副本（文件夹，{JOBS} 进程，含校验）", f"{copy_rate:.1f} 份/秒", "≥ 20 份/秒", copy_rate >= 20)

        sources = [one, broken] + [build_template(spec, work / f"src{seed}.xlsx",
                                                  data=sample_report(spec, seed, organ=f"单位{seed}"))
                                   for seed in range(3, 6)]
        sizes = (200, 1000) if args.quick else (1000, 5000)
        peaks = []
        for n in sizes:
            paths = make_folder(work / f"folder{n}", n, sources)
            results = [folder_run(paths, JOBS, work / f"汇总{n}.xlsx") for _ in range(FOLDER_RUNS)]
            shutil.rmtree(work / f"folder{n}", ignore_errors=True)
            rate = statistics.median(r[0] for r in results)
            peak = statistics.median(r[1] for r in results)
            peaks.append(peak)
            report(f"文件夹 {n} 个（{JOBS} 进程，无副本，含汇总）", f"{rate:.0f} 个/秒", "≥ 300 个/秒", rate >= 300)
            report(f"文件夹 {n} 个 峰值内存（进程树）", f"{peak:.0f} MB", "< 300 MB", peak < 300)
        growth = peaks[-1] / peaks[0]
        report(f"内存随文件数增长（{sizes[1]} 对 {sizes[0]}）", f"×{growth:.2f}", "≈ 平（≤ ×1.25）", growth <= 1.25)
        robustness(work, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    met = sum(1 for r in ROWS if r[3])
    missed = sum(1 for r in ROWS if r[3] is False)
    unknown = sum(1 for r in ROWS if r[3] is None and r[2] != REFERENCE)
    print(f"\n{met} 项达标，{missed} 项未达标" + (f"，{unknown} 项无法测量" if unknown else "")
          + f"（{os.cpu_count()} 核，结束时负载 {os.getloadavg()[0]:.2f}）")


if __name__ == "__main__":
    main()
