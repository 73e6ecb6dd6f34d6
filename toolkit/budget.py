"""What one input may cost: the workbook gate's limits (:class:`Limits`), the per-file time and memory budget
README states (资源限制), and how many workers a folder run may start so that they fit in memory."""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.record import record

MB = 1024 * 1024


@record(frozen=True)
class Budget:
    """What one part may hold besides its cells (see :class:`Limits`)."""

    max_elements: int
    """Elements (start tags) in the part."""
    max_style_records: int
    """Style records (xf, font, fill, border, numFmt, dxf, cellStyle) in a styles part."""
    max_merges: int
    """Merged ranges in a sheet."""
    max_string_bytes: int
    """Bytes of XML one shared string (``<si>``) or one cell (``<c>``) may take."""


@record(frozen=True)
class Limits:
    """What a workbook may need; anything beyond is refused before it can cost time or memory."""

    max_file_bytes: int = 100 * MB
    """Size of the file on disk (annual-report workbooks are well under 1 MB)."""
    max_members: int = 10_000
    """Parts in the zip."""
    max_total_bytes: int = 200 * MB
    """Uncompressed size of all parts, declared and actually inflated."""
    max_ratio: int = 100
    """Compression ratio allowed for a part larger than ``ratio_floor``."""
    ratio_floor: int = 10 * MB
    """Parts up to this size may compress as well as they like."""
    max_cells: int = 2_000_000
    """Area (rows × columns) one worksheet may span (all worksheets together: twice that)."""
    max_content_cells: int = 100_000
    """Cells written across the workbook (the template has about 3 000). The highlighted copy is made with
    openpyxl, which needs about 25 µs and 1 KB per cell: a sheet of a million rows would take a minute and
    1 GB, so such a workbook is refused up front."""
    max_tag_bytes: int = 4 * MB
    """Longest run of XML from one '<' to the next."""
    max_structure_bytes: int = 16 * MB
    """Size of workbook.xml, its relationships and the content types (parsed into memory as a tree)."""
    max_elements: int = 400_000
    """XML elements across all parts (openpyxl builds an object for most of them: 400 000 take about 5 s and 250 MB)."""
    max_style_records: int = 20_000
    """Style records in styles.xml (the template has 130; openpyxl needs ~0.1 ms and 2 KB for each, so the
    1 000 000 of a hostile 1.6 MB file would take 100 s and 2.4 GB)."""
    max_merges: int = 10_000
    """Merged ranges in one sheet (the template has about 60; openpyxl restyles every covered cell)."""
    max_merge_detail_cells: int = 1_250_000
    """Cells of the 各单位明细 sheet of a workbook ``toolkit merge`` wrote (one column per unit, one row per cell of
    the format: 6 000 units), counted apart from ``max_content_cells``."""
    max_string_bytes: int = 512 * 1024
    """XML one shared string or one cell may take (Excel's limit of 32 767 characters is under 230 KB even
    written as ``_x000D_`` escapes): a 17-million-character organ name is refused, not read."""

    def budget(self) -> Budget:
        """The per-part budget :class:`~toolkit.workbook.xmlscan.XmlScan` enforces."""
        return Budget(self.max_elements, self.max_style_records, self.max_merges, self.max_string_bytes)


LIMITS = Limits()
"""The limits used unless a caller passes others (tests use small ones)."""

FILE_BUDGET_SECONDS = 10
"""What checking one workbook that passes the gate may take at most (README 资源限制); the worst cases the
limits allow take about 5 s on one core of the reference machine."""
FILE_BUDGET_BYTES = 500 * MB
"""Memory one workbook's check may need at most (the worst cases the limits allow: about 350 MB)."""


def available_memory() -> int | None:
    """Bytes of memory this process may still use: the lesser of MemAvailable and the cgroup's free room."""
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        cap = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if cap != "max":
            found.append(max(0, int(cap) - int(used)))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def worker_count(requested: int | None = None, *, cores: int | None = None, memory: int | None = None) -> int:
    """Processes a folder run may use: ``requested`` (default: every core), never more than the cores nor than
    the available memory holds at :data:`FILE_BUDGET_BYTES` per worker; at least one."""
    cores = cores or os.cpu_count() or 1
    memory = memory if memory is not None else available_memory()
    wanted = min(requested or cores, cores)
    if memory is not None:
        wanted = min(wanted, memory // FILE_BUDGET_BYTES)
    return max(1, wanted)
