"""How much a command costs to start: one ``check --no-annotate`` process against a python-calamine open-and-read
process of the same file, and ``toolkit --help`` against ``python -c pass`` (issue 16, item 1).

Run on a regular (non-editable) install, with the interpreter of that install::

    pip install . && python benchmarks/cli_start.py [--runs 21] [WORKBOOK]

Each of the four commands runs ``--runs`` times, interleaved (one of each in turn, so a load spike on a shared
machine hits all four alike); the medians and the two ratios are printed beside their targets
(check / calamine ≤ 3.0, help / pass ≤ 5). The workbook defaults to the clean 2021 example.

``--instructions`` runs each command once under ``valgrind --tool=callgrind`` instead and prints the instructions
each executes and the same ratios: a figure the load of a shared machine does not move (wall times do, by 20–30%).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "示例区民政局2026年报.xlsx"
CALAMINE = ("from python_calamine import CalamineWorkbook\n"
            "wb = CalamineWorkbook.from_path({path!r})\n"
            "for name in wb.sheet_names:\n    wb.get_sheet_by_name(name).to_python()\n")
TARGETS = {"check": 3.0, "help": 5.0}


MODULE = [sys.executable, "-m", "toolkit"]


def _toolkit() -> list[str]:
    """The installed ``toolkit`` script beside this interpreter (as a user runs it), else ``python -m toolkit``."""
    script = Path(sys.executable).with_name("toolkit")
    return [str(script)] if script.is_file() and "--module" not in sys.argv else MODULE


def _time(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}")
    return elapsed


def _commands(workbook: Path) -> dict[str, list[str]]:
    return {
        "pass": [sys.executable, "-c", "pass"],
        "calamine": [sys.executable, "-c", CALAMINE.format(path=str(workbook))],
        "check": [*_toolkit(), "check", str(workbook), "--no-annotate"],
        "help": [*_toolkit(), "--help"],
    }


def instructions(workbook: Path, cwd: Path) -> dict[str, float]:
    """Instructions each command executes (callgrind's "Collected"), one run each."""
    counts: dict[str, float] = {}
    for name, command in _commands(workbook).items():
        done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                              cwd=cwd, capture_output=True, text=True, check=False)
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found is None:
            raise SystemExit(f"valgrind gave no count for {name}: {done.stderr[-500:]}")
        counts[name] = float(found.group(1))
    return counts


def measure(workbook: Path, runs: int, cwd: Path) -> dict[str, float]:
    """Median seconds of each command over ``runs`` interleaved runs."""
    commands = _commands(workbook)
    for command in commands.values():  # warm the page cache and the byte-code
        _time(command, cwd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(_time(command, cwd))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--module", action="store_true",
                        help="run python -m toolkit (with PYTHONPATH, e.g. another version) instead of the script")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions under valgrind (load-independent) instead of timing")
    args = parser.parse_args()
    workbook = args.workbook.resolve()
    scratch = Path(os.environ.get("TMPDIR", "/tmp"))  # not the checkout: the installed package must be the one run
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    how = "instructions, one run each" if args.instructions else f"{args.runs} interleaved runs"
    print(f"load average (1 min): {load:.2f}; {how}; {' '.join(_toolkit())}")
    if args.instructions:
        median = instructions(workbook, scratch)
        for name in ("pass", "calamine", "check", "help"):
            print(f"  {name:<9}{median[name] / 1e6:8.1f} M instructions")
    else:
        median = measure(workbook, args.runs, scratch)
        for name in ("pass", "calamine", "check", "help"):
            print(f"  {name:<9}{median[name] * 1000:8.1f} ms")
    rows = (("check --no-annotate / calamine open-and-read", median["check"] / median["calamine"], TARGETS["check"]),
            ("toolkit --help / python -c pass", median["help"] / median["pass"], TARGETS["help"]))
    for label, ratio, target in rows:
        print(f"{label:<48}{ratio:6.2f}×   target ≤ {target}   {'ok' if ratio <= target else 'MISSED'}")


if __name__ == "__main__":
    main()
