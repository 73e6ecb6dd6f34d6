"""``toolkit serve`` speed (issue 15): start-up and one check through the page, each against its target.

Run:  python benchmarks/serve.py

Start-up is the time from starting ``python -m toolkit serve --no-browser`` to the home page answered (target:
under a second); a check is one multipart upload of the broken example to 校验 until the page with its findings
has arrived (target: under a second), the first one after start-up and the median of the next five. Not part of
the test suite; figures vary with the machine's load (the 1-minute load average is printed first).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from webkit import Server  # type: ignore[import-not-found]  # tests/ is not a package: put on the path above

BROKEN = Path(__file__).resolve().parents[1] / "examples" / "示例区民政局2026年报-有错.xlsx"
RUNS = 5


def main() -> None:
    """Print start-up and check times beside their targets."""
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}")
    data = BROKEN.read_bytes()
    starts: list[float] = []
    firsts: list[float] = []
    checks: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(3):
            began = time.perf_counter()
            server = Server(Path(tmp) / str(run))
            assert server.get("/").status == 200
            starts.append(time.perf_counter() - began)
            try:
                for i in range(RUNS + 1):
                    began = time.perf_counter()
                    reply = server.post("check", files=[("workbook", BROKEN.name, data)])
                    took = time.perf_counter() - began
                    assert "三 依申请公开!J6" in reply.text
                    (firsts if i == 0 else checks).append(took)
            finally:
                server.stop()
    for name, values in (("start-up to home page", starts), ("first check after start", firsts),
                         ("check (median)", checks)):
        figure = statistics.median(values)
        print(f"{name:28s} {figure * 1000:7.0f} ms   target < 1000 ms   {'ok' if figure < 1 else 'SLOW'}")


if __name__ == "__main__":
    main()
