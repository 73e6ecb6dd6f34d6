"""Speed and memory against their anchors, each measured in the same run (issue 16). Not part of the test suite.

Run:  python benchmarks/run.py             (all: about ten minutes on 2 cores)
      python benchmarks/run.py --quick     (small folders, three runs each: a smoke run, about two minutes)
      python benchmarks/run.py --python /path/to/venv/bin/python   (an existing regular install instead)
      python benchmarks/run.py --only folders,merge                 (some sections: processes, copies, folders,
                                                                      merge, robustness)

By default the toolkit is built as a wheel and installed with pip into a fresh venv in a temporary folder (byte-
compiled, not editable: what a user runs); the dependencies are those of the running environment. The script then
runs itself under that venv's python, so every figure is of the installed package.

Every line is a ratio to its anchor, both measured side by side: runs alternate (toolkit, anchor, toolkit, ...)
and the medians are compared, so the load of a shared machine falls on both. The anchors: ``python -c pass``, a
python-calamine process that opens the workbook and reads every sheet, an openpyxl load, an openpyxl load and save,
and LibreOffice's own ``soffice --convert-to pdf`` with a warm profile. Absolute times are context only; on a
shared 2-core machine they move by 20–30 %.

Memory of a folder run is the peak of the sum of the resident sizes of the whole process tree, sampled every 50 ms
(shared pages counted in every process: an upper bound). The workbooks are generated, then saved by LibreOffice.

The tests hold no wall-clock assertion; the bounds they once asserted are figures here (``robustness``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
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

from benchkit import CALAMINE_FOLDER, CALAMINE_ONE, REPO, regular_install, run, side_by_side, timed_with_memory, units

ROWS: list[tuple[str, str, str, bool | None]] = []
JOBS = 2
"""Worker processes for the folder runs (the targets are stated for 2 cores)."""
REFERENCE = "（参考）"


def report(name: str, figure: str, target: str, ok: bool | None) -> None:
    """Record and print one line: what, the measured ratio (and its parts), the target, the verdict."""
    ROWS.append((name, figure, target, ok))
    verdict = "" if target == REFERENCE else "无法测量" if ok is None else ("达标" if ok else "未达标")
    print(f"{name:<44} {figure:>40}   目标 {target:<14} {verdict}", flush=True)


def ratio_line(name: str, mine: float, anchor: float, target: float, unit: str = "ms") -> None:
    """``name: mine / anchor = ratio`` against ``≤ target``."""
    ratio = mine / anchor
    shown = f"{mine * 1000:.0f} / {anchor * 1000:.0f}" if unit == "ms" else f"{mine:.2f} / {anchor:.2f}"
    report(name, f"{shown} {unit} = {ratio:.2f}", f"≤ {target}", ratio <= target)


def processes(work: Path, one: Path, runs: int) -> None:
    """One check, --help, report --to pdf: whole processes against theirs."""
    py = sys.executable
    toolkit = [py, "-m", "toolkit"]
    t_check, t_calamine, t_openpyxl = side_by_side([
        lambda: run([*toolkit, "check", str(one), "--no-annotate"]),
        lambda: run([py, "-c", CALAMINE_ONE, str(one)]),
        lambda: run([py, "-c", f"import openpyxl; openpyxl.load_workbook({str(one)!r})"]),
    ], runs)
    ratio_line("check 一个文件 / calamine 打开并读取（进程）", t_check, t_calamine, 3.0)
    report("check 一个文件 / openpyxl 载入（进程）", f"{t_check * 1000:.0f} / {t_openpyxl * 1000:.0f} ms = "
           f"{t_check / t_openpyxl:.2f}", REFERENCE, None)
    t_help, t_pass = side_by_side([lambda: run([*toolkit, "--help"]), lambda: run([py, "-c", "pass"])], runs)
    ratio_line("toolkit --help / python -c pass", t_help, t_pass, 5)

    t_template = statistics.median(side_by_side(
        [lambda: run([*toolkit, "template", "--year", "2026", "-o", str(work / "t.xlsx"), "--overwrite"])], runs))
    report("toolkit template（进程）", f"{t_template * 1000:.0f} ms", "< 500 ms", t_template < 0.5)
    docx = work / "r.docx"
    t_docx = side_by_side([lambda: run([*toolkit, "report", str(one), "--to", "docx", "-o", str(docx),
                                        "--overwrite"])], runs)[0]
    report("toolkit report --to docx（进程）", f"{t_docx * 1000:.0f} ms", "< 1000 ms", t_docx < 1.0)

    from toolkit.office import find_soffice

    soffice = find_soffice()
    if soffice is None:
        report("report --to pdf / soffice 直接转换", "（未安装 LibreOffice）", "≤ 1.15", None)
        return
    from toolkit.api import read
    from toolkit.render import build_report
    from toolkit.render.docx import write_docx
    from toolkit.render.fonts import installed_families
    from toolkit.spec import load_spec

    data = read(one)  # the very .docx the PDF path converts (it names the faces installed here)
    pdf_docx = work / "pdf-path.docx"
    write_docx(build_report(load_spec(data.format_id), data, []), pdf_docx, installed=installed_families())
    profile = Path(tempfile.mkdtemp(prefix="gk-bench-profile-"))
    try:
        direct = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                  "--outdir", str(work / "direct"), str(pdf_docx)]
        cpu: dict[str, list[float]] = {"pdf": [], "soffice": []}
        t_pdf, t_soffice = side_by_side([
            _cpu_of(cpu["pdf"], lambda: run([*toolkit, "report", str(one), "--to", "pdf", "-o", str(work / "r.pdf"),
                                             "--overwrite"])),
            _cpu_of(cpu["soffice"], lambda: run(direct, ok=(0,))),
        ], max(3, runs // 2))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ratio_line("report --to pdf / soffice 直接转换 docx（进程）", t_pdf, t_soffice, 1.15)
    c_pdf, c_soffice = (statistics.median(c[1:]) for c in (cpu["pdf"], cpu["soffice"]))  # [0]: the warm-up
    report("report --to pdf / soffice 直接转换（CPU 时间，进程树）",
           f"{c_pdf * 1000:.0f} / {c_soffice * 1000:.0f} ms = {c_pdf / c_soffice:.2f}", REFERENCE, None)


def _cpu_of(times: list[float], fn: Callable[[], object]) -> Callable[[], object]:
    """``fn``, appending to ``times`` the CPU seconds (user + system) its child processes used on each call: less
    moved by the load of a shared machine than wall time (LibreOffice started early overlaps wall time, not CPU)."""
    import resource

    def timed() -> object:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = fn()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        return result

    return timed


def _children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children and their own children."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def copies(work: Path, broken: Path, runs: int, count: int) -> None:
    """The highlighted copy against an openpyxl load (and load + save), in this process; copies per second of a
    folder over 2 processes."""
    import openpyxl

    from toolkit.annotate import annotate_workbook
    from toolkit.api import check_file

    result = check_file(broken, annotate=False)
    target, saved = work / "b.校验.xlsx", work / "b.openpyxl.xlsx"
    t_copy, t_load, t_save = side_by_side([
        lambda: annotate_workbook(broken, result, target),
        lambda: openpyxl.load_workbook(broken),
        lambda: openpyxl.load_workbook(broken).save(saved),
    ], max(runs, 15))
    ratio_line("标注副本 / openpyxl 载入（进程内）", t_copy, t_load, 0.3)
    report("标注副本 / openpyxl 载入并保存（进程内）", f"{t_copy * 1000:.0f} / {t_save * 1000:.0f} ms = "
           f"{t_copy / t_save:.2f}", REFERENCE, None)
    folder = work / "copies"
    units([broken], folder, count)
    check = [sys.executable, "-m", "toolkit", "check", str(folder), "-j", str(JOBS),
             "--summary", str(work / "汇总copies.xlsx"), "--overwrite"]
    rates, plain = [], []
    for _ in range(max(1, runs // 3)):  # alternating with the same folder checked without copies
        for old in folder.glob("*.校验.xlsx"):
            old.unlink()
        rates.append(count / timed_with_memory(check)[0])
        plain.append(count / timed_with_memory([*check, "--no-annotate"])[0])
    shutil.rmtree(folder, ignore_errors=True)
    rate, without = statistics.median(rates), statistics.median(plain)
    report(f"标注副本（文件夹 {count} 个，{JOBS} 进程，含校验）", f"{rate:.0f} 份/秒", "≥ 100 份/秒", rate >= 100)
    extra = (1 / rate - 1 / without) * JOBS * 1000  # per file, in one worker
    report(f"  同一文件夹不写副本（{JOBS} 进程）", f"{without:.0f} 份/秒，副本每份多 {extra:.1f} ms", REFERENCE, None)


def folders(work: Path, sources: list[Path], sizes: tuple[int, ...], runs: int) -> None:
    """Folder checks (--no-annotate) against a 2-process calamine read of the same folder; the tree's memory."""
    peaks = []
    for n in sizes:
        folder = work / f"folder{n}"
        units(sources, folder, n)
        mine, anchor, peak = [], [], []
        cpu: dict[str, list[float]] = {"mine": [], "anchor": []}
        check = [sys.executable, "-m", "toolkit", "check", str(folder), "--no-annotate", "-j", str(JOBS),
                 "--summary", str(work / f"汇总{n}.xlsx"), "--overwrite"]
        calamine = [sys.executable, "-c", CALAMINE_FOLDER, str(folder), str(JOBS)]
        for _ in range(runs):
            before = _children_cpu()
            elapsed, mb = timed_with_memory(check)
            between = _children_cpu()
            mine.append(elapsed)
            peak.append(mb)
            anchor.append(timed_with_memory(calamine, ok=(0,))[0])
            cpu["mine"].append(between - before)
            cpu["anchor"].append(_children_cpu() - between)
        shutil.rmtree(folder, ignore_errors=True)
        t_mine, t_anchor = statistics.median(mine), statistics.median(anchor)
        ratio_line(f"文件夹 {n} 个 --no-annotate / calamine {JOBS} 进程读取", t_mine, t_anchor, 1.5, unit="s")
        c_mine, c_anchor = statistics.median(cpu["mine"]), statistics.median(cpu["anchor"])
        report(f"文件夹 {n} 个 / calamine 读取（CPU 时间，进程树）",  # less moved by the load of a shared machine
               f"{c_mine:.2f} / {c_anchor:.2f} s = {c_mine / c_anchor:.2f}", REFERENCE, None)
        # The "≥ 600 files/s where the floor is 900" is the ratio above in files per second (600 = 900 / 1.5):
        # shown for context, with the rate that ratio asks of this machine, not judged a second time.
        floor = n / t_anchor
        report(f"文件夹 {n} 个（每秒）/ calamine（每秒）",
               f"{n / t_mine:.0f} / {floor:.0f} 个/秒（比值目标即 ≥ {floor / 1.5:.0f}）", REFERENCE, None)
        peaks.append(statistics.median(peak))
        report(f"文件夹 {n} 个 峰值内存（进程树）", f"{peaks[-1]:.0f} MB", "< 300 MB", peaks[-1] < 300)
    if len(peaks) > 1:
        growth = peaks[-1] / peaks[0]
        report(f"内存随文件数增长（{sizes[-1]} 对 {sizes[0]}）", f"×{growth:.2f}", "≈ 平（≤ ×1.25）", growth <= 1.25)


def merge(work: Path, sources: list[Path], organs: list[str], n: int, runs: int) -> None:
    """``toolkit merge`` of n distinct units against a serial calamine read of the same n."""
    folder = work / f"merge{n}"
    units(sources, folder, n, organs)
    out = work / "合并.xlsx"
    cpu: dict[str, list[float]] = {"merge": [], "read": []}
    t_merge, t_read = side_by_side([
        _cpu_of(cpu["merge"], lambda: run([sys.executable, "-m", "toolkit", "merge", str(folder), "-o", str(out),
                                           "--overwrite"], ok=(0,))),
        _cpu_of(cpu["read"], lambda: run([sys.executable, "-c", CALAMINE_FOLDER, str(folder), "1"], ok=(0,))),
    ], max(1, runs // 3))
    shutil.rmtree(folder, ignore_errors=True)
    ratio_line(f"merge {n} 个单位 / calamine 串行读取", t_merge, t_read, 1.0, unit="s")
    c_merge, c_read = (statistics.median(c[1:]) for c in (cpu["merge"], cpu["read"]))  # [0]: the warm-up
    report(f"merge {n} 个单位 / calamine 串行读取（CPU 时间，进程树）",
           f"{c_merge:.2f} / {c_read:.2f} s = {c_merge / c_read:.2f}", REFERENCE, None)


def robustness(work: Path, runs: int) -> None:
    """The bounds on reading, refusing and checking bad input (formerly asserted by the tests)."""
    sys.path.insert(0, str(REPO / "tests"))
    from hostile.make_corpus import make_corpus  # type: ignore[import-not-found]

    from toolkit.api import check_file, read
    from toolkit.sample import sample_report
    from toolkit.spec import load_spec
    from toolkit.template import build_template
    from toolkit.workbook.safety import inspect_file

    spec = load_spec("2021")
    marker = build_template(spec, work / "marker.xlsx", data=sample_report(spec, 7))
    t_read = side_by_side([lambda: read(marker)], max(runs, 21))[0]
    report("读取一个填报表（进程内）", f"{t_read * 1000:.1f} ms", "< 20 ms", t_read < 0.02)

    def slowest(fns: list[Callable[[], object]]) -> float:
        worst = 0.0
        for fn in fns:
            start = time.perf_counter()
            with contextlib.suppress(Exception):  # a refusal is the expected outcome of most cases
                fn()
            worst = max(worst, time.perf_counter() - start)
        return worst

    cases = make_corpus(work / "hostile")
    t_gate = slowest([functools.partial(inspect_file, p) for p in cases.values()])
    report(f"安全闸门（{len(cases)} 个有害/损坏文件，最慢一个）", f"{t_gate * 1000:.0f} ms", "< 2000 ms", t_gate < 2)
    t_case = slowest([functools.partial(check_file, p, output=work / "hostile-copy.xlsx", overwrite=True)
                      for p in cases.values()])
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
    slowest([functools.partial(read, p) for p in damaged])
    t_damaged = time.perf_counter() - start
    report("读取 120 个随机损坏的工作簿（合计）", f"{t_damaged:.2f} s", "< 10 s", t_damaged < 10)


def inputs(work: Path) -> tuple[Path, Path, list[Path], list[str]]:
    """(one clean workbook, one with an error, the clean sources, their organs): generated, saved by LibreOffice."""
    from benchkit import libreoffice_saved

    from toolkit.sample import sample_report
    from toolkit.spec import load_spec
    from toolkit.template import build_template

    spec = load_spec("2021")
    made = work / "made"
    made.mkdir()
    organs = [f"来源{'甲乙丙丁戊'[seed - 1]}单位" for seed in range(1, 6)]  # no digit: LibreOffice keeps one run
    generated = [build_template(spec, made / f"s{seed}.xlsx", data=sample_report(spec, seed, organ=organ))
                 for seed, organ in zip(range(1, 6), organs, strict=True)]
    broken = build_template(spec, made / "broken.xlsx",
                            data=sample_report(spec, 2, organ="有错单位").with_value("s3.granted.total", 999))
    saved = libreoffice_saved([*generated, broken], work / "saved")
    return saved[0], saved[-1], saved[:-1], organs


SECTIONS = ("processes", "copies", "folders", "merge", "robustness")
"""The groups of figures, in the order they run; ``--only`` picks some of them."""


def measure(quick: bool, only: set[str]) -> None:
    """Every figure (or those of the ``only`` sections), in this (installed) interpreter."""
    import toolkit

    runs = 3 if quick else 7
    print(f"toolkit：{Path(toolkit.__file__).parent}\n负载（1 分钟平均）：{os.getloadavg()[0]:.2f}，"
          f"{os.cpu_count()} 核\n", flush=True)
    work = Path(tempfile.mkdtemp(prefix="gk-bench-"))
    try:
        one, broken, clean, organs = inputs(work)
        if "processes" in only:
            processes(work, one, runs)
        if "copies" in only:
            copies(work, broken, runs, 100 if quick else 300)
        if "folders" in only:
            folders(work, [*clean, broken], (200, 1000) if quick else (1000, 5000), 1 if quick else 3)
        if "merge" in only:
            merge(work, clean, organs, 200 if quick else 1000, runs)
        if "robustness" in only:
            robustness(work, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    met = sum(1 for r in ROWS if r[3])
    missed = sum(1 for r in ROWS if r[3] is False)
    print(f"\n{met} 项达标，{missed} 项未达标（{os.cpu_count()} 核，结束时负载 {os.getloadavg()[0]:.2f}）")


def main() -> None:
    """Install the toolkit (or take ``--python``), then measure under that interpreter."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small folders and three runs each")
    parser.add_argument("--python", help="the python of an existing regular (non-editable) install")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, of: {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if only - set(SECTIONS):
        parser.error(f"unknown section(s): {', '.join(sorted(only - set(SECTIONS)))}")
    if args.inside:
        measure(args.quick, only)
        return
    work = Path(tempfile.mkdtemp(prefix="gk-bench-install-"))
    try:
        python = args.python or str(regular_install(work))
        proc = subprocess.run([python, str(Path(__file__).resolve()), "--inside", "--only", ",".join(sorted(only)),
                               *(["--quick"] if args.quick else [])],
                              check=False, cwd=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    raise SystemExit(proc.returncode)


if __name__ == "__main__":
    main()
