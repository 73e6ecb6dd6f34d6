"""The highlighted copy against an openpyxl load of the same file, side by side in one run (issue 16, item 4).

Run:  python benchmarks/annotate_copy.py            (about a minute on 2 cores)
      python benchmarks/annotate_copy.py --quick    (fewer runs)

Inputs: a standard workbook with errors (made by the template builder from random consistent data, then broken in
two places, as the tests' fixture is) and, when LibreOffice is installed, the same workbook saved by LibreOffice.
Each is checked once; then, alternating in one loop so both see the same machine load, the figures are:

- **copy**: ``annotate_workbook`` with the checked package, as ``check`` calls it (the file is read once, by the
  check); **copy + gate**: the same with the safety gate's read of the file (``open_package``) included;
- **openpyxl load**: ``openpyxl.load_workbook`` of the same file (the anchor); **openpyxl load + save**: what a
  copy cost before, for reference;
- **copies/s on 2 cores**: two processes making copies at once, total copies per second of wall time.

Medians over the runs; the target is copy / openpyxl load ≤ 0.3 and ≥ 100 copies/s on 2 cores.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

from benchkit import side_by_side

from toolkit.annotate import annotate_workbook
from toolkit.api import check_file
from toolkit.rules.findings import CheckResult
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template
from toolkit.workbook.safety import open_package


def broken_workbook(folder: Path) -> Path:
    """有错的年报.xlsx: 三 does not balance in one column, a 四 total disagrees with its parts."""
    data = sample_report(load_spec("2021"), 4)
    data = data.with_value("s3.carried_forward.natural", data.number("s3.carried_forward.natural") + 3)
    data = data.with_value("s4.cases.review_maintained", data.number("s4.cases.review_maintained") + 1)
    return build_template(load_spec("2021"), folder / "有错的年报.xlsx", data=data)


class Copier:
    """Makes numbered copies of one checked workbook in a scratch folder (each copy a new file, as in a run)."""

    def __init__(self, source: Path, result: CheckResult, folder: Path, *, gate: bool = False) -> None:
        self.source, self.result, self.folder, self.gate = source, result, folder, gate
        self.package = open_package(source)
        self.n = 0

    def __call__(self) -> Path:
        self.n += 1
        target = self.folder / f"副本{self.n}.xlsx"
        package = open_package(self.source) if self.gate else self.package
        done = annotate_workbook(self.source, self.result, target, package=package)
        target.unlink()
        return done


def _load(path: Path) -> object:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


def _load_save(path: Path) -> None:
    wb = _load(path)
    wb.save(io.BytesIO())  # type: ignore[attr-defined]


def _worker(job: tuple[str, int]) -> int:
    source, count = Path(job[0]), job[1]
    result = check_file(source, annotate=False)
    with tempfile.TemporaryDirectory() as scratch:
        copier = Copier(source, result, Path(scratch))
        for _ in range(count):
            copier()
    return count


def copies_per_second(source: Path, count: int, jobs: int = 2) -> float:
    """Copies per second of wall time with ``jobs`` processes each making ``count`` copies (start-up excluded)."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(jobs) as pool:
        pool.map(_worker, [(str(source), 2)] * jobs)  # warm: imports, spec
        start = time.perf_counter()
        pool.map(_worker, [(str(source), count)] * jobs)
        return jobs * count / (time.perf_counter() - start)


def measure(label: str, source: Path, scratch: Path, runs: int, count: int) -> bool:
    """Print the figures for one input; True when both targets are met."""
    result = check_file(source, annotate=False)
    copy, gated = Copier(source, result, scratch), Copier(source, result, scratch, gate=True)
    t_copy, t_gated, t_load, t_save = side_by_side(
        [copy, gated, lambda: _load(source), lambda: _load_save(source)], runs)
    rate = copies_per_second(source, count)
    ratio = t_copy / t_load
    print(f"{label}（{source.stat().st_size // 1024} KB，{len(result.findings)} 项问题）")
    print(f"  标注副本                     {t_copy * 1000:7.1f} ms")
    print(f"  标注副本（含安全检查读文件） {t_gated * 1000:7.1f} ms   比 openpyxl 载入 {t_gated / t_load:.2f}")
    print(f"  openpyxl 载入（基准）        {t_load * 1000:7.1f} ms")
    print(f"  openpyxl 载入+保存（旧做法） {t_save * 1000:7.1f} ms")
    print(f"  副本 / openpyxl 载入 = {ratio:.2f}   目标 ≤ 0.30   {'达标' if ratio <= 0.3 else '未达标'}")
    print(f"  2 个进程：{rate:.0f} 份/秒          目标 ≥ 100    {'达标' if rate >= 100 else '未达标'}")
    return ratio <= 0.3 and rate >= 100


def main() -> int:
    """Measure and print; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    args = parser.parse_args()
    runs, count = (7, 40) if args.quick else (21, 200)
    print(f"1 分钟平均负载 {os.getloadavg()[0]:.2f}（2 核机器上其他任务会拖慢每个数字）")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = broken_workbook(folder)
        inputs = [("模板生成的工作簿", source)]
        from toolkit.office import convert, find_soffice

        if find_soffice() is not None:
            (saved,) = convert([source], "xlsx", folder / "lo")
            inputs.append(("LibreOffice 另存的工作簿", saved))
        scratch = folder / "copies"
        scratch.mkdir()
        for label, path in inputs:
            ok = measure(label, path, scratch, runs, count) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
