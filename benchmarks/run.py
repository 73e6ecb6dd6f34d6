"""Speed and memory benchmarks with their targets (issue 7). Not part of the test suite.

Run:  python benchmarks/run.py            (all, about two minutes on 2 cores)
      python benchmarks/run.py --quick    (smaller folders, for a smoke run)

Each figure is the median over repeated runs and is printed beside its target. The benchmark makes its
own workbooks from random consistent data in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from toolkit.template import build_template

from toolkit.sample import sample_report
from toolkit.spec import load_spec

ROWS: list[tuple[str, str, str, bool]] = []


def report(name: str, figure: str, target: str, ok: bool) -> None:
    """Record and print one line: name, measured figure, target, verdict."""
    ROWS.append((name, figure, target, ok))
    print(f"{name:<44} {figure:>22}   目标 {target:<18} {'达标' if ok else '未达标'}", flush=True)


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``fn`` over ``runs`` calls (one warm-up call first)."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_folder(folder: Path, n: int, source: Path) -> list[Path]:
    """n workbooks in ``folder`` (copies of a few distinct generated ones, renamed per unit)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        target = folder / f"单位{i:05d}.xlsx"
        shutil.copyfile(source, target)
        paths.append(target)
    return paths


def run_cmd(args: list[str]) -> Callable[[], object]:
    """A callable running a command quietly and checking it did not crash (exit 0 or 1 allowed)."""

    def call() -> object:
        proc = subprocess.run(args, capture_output=True, check=False)
        if proc.returncode not in (0, 1):
            raise RuntimeError(proc.stderr.decode("utf-8", "replace"))
        return proc

    return call


def folder_run(paths: list[Path], jobs: int, summary: Path) -> tuple[float, float]:
    """(files per second, peak RSS in MB of this process and its workers) for a folder check."""
    code = (
        "import resource,sys,time;from pathlib import Path;"
        "from toolkit.batch import check_many, write_summary;"
        f"paths=[Path(p) for p in open({str(summary) + '.list'!r}, encoding='utf-8').read().splitlines()];"
        "t=time.perf_counter();"
        f"rows=list(check_many(paths, jobs={jobs}, annotate=False));"
        f"write_summary(rows, Path({str(summary)!r}));"
        "dt=time.perf_counter()-t;"
        "me=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "kids=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print(len(rows)/dt, (me+kids)/1024)"
    )
    Path(str(summary) + ".list").write_text("\n".join(str(p) for p in paths), encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    """Generate inputs, measure every target, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller folders and fewer runs")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    spec = load_spec("2021")
    work = Path(tempfile.mkdtemp(prefix="gk-bench-"))
    try:
        one = build_template(spec, work / "one.xlsx", data=sample_report(spec, 1, organ="示例镇"))
        toolkit = [sys.executable, "-m", "toolkit"]

        t_check = median_seconds(run_cmd([*toolkit, "check", str(one), "--no-annotate"]), runs)
        t_openpyxl = median_seconds(run_cmd([sys.executable, "-c",
                                             f"import openpyxl; openpyxl.load_workbook({str(one)!r})"]), runs)
        ratio = t_check / t_openpyxl
        report("check 一个文件 / openpyxl 载入同一文件（进程）", f"{t_check * 1000:.0f} / {t_openpyxl * 1000:.0f} ms = "
               f"{ratio:.2f}", "≤ 1.00", ratio <= 1.0)

        t_help = median_seconds(run_cmd([*toolkit, "--help"]), runs)
        report("toolkit --help", f"{t_help * 1000:.0f} ms", "< 300 ms", t_help < 0.3)

        t_template = median_seconds(run_cmd([*toolkit, "template", "--year", "2026", "-o", str(work / "t.xlsx")]),
                                    runs)
        report("toolkit template（进程）", f"{t_template * 1000:.0f} ms", "< 500 ms", t_template < 0.5)

        t_report = median_seconds(run_cmd([*toolkit, "report", str(one), "--to", "docx",
                                           "-o", str(work / "r.docx")]), runs)
        report("toolkit report --to docx（进程）", f"{t_report * 1000:.0f} ms", "< 1000 ms", t_report < 1.0)

        from toolkit.annotate import annotate_workbook
        from toolkit.api import check_file

        broken = build_template(spec, work / "broken.xlsx",
                                data=sample_report(spec, 2).with_value("s3.granted.total", 999))
        result = check_file(broken, annotate=False)
        t_annotate = median_seconds(lambda: annotate_workbook(broken, result, work / "b.校验.xlsx"), runs)
        report("标注副本（每秒份数）", f"{1 / t_annotate:.1f} 份/秒", "≥ 20 份/秒", 1 / t_annotate >= 20)

        sizes = (200, 1000) if args.quick else (1000, 5000)
        peaks = []
        for n in sizes:
            paths = make_folder(work / f"folder{n}", n, one)
            rate, peak = folder_run(paths, 2, work / f"汇总{n}.xlsx")
            peaks.append(peak)
            report(f"文件夹 {n} 个（2 进程，无副本，含汇总）", f"{rate:.0f} 个/秒", "≥ 300 个/秒", rate >= 300)
            report(f"文件夹 {n} 个 峰值内存（主进程+子进程）", f"{peak:.0f} MB", "< 300 MB", peak < 300)
        growth = peaks[-1] / peaks[0]
        report(f"内存随文件数增长（{sizes[1]} 对 {sizes[0]}）", f"×{growth:.2f}", "≈ 平（≤ ×1.25）", growth <= 1.25)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = [r for r in ROWS if not r[3]]
    print(f"\n{len(ROWS) - len(failed)} 项达标，{len(failed)} 项未达标（{os.cpu_count()} 核）")


if __name__ == "__main__":
    main()
