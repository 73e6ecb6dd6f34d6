"""Checking many workbooks at once (a supervising office's folder of returns): input expansion, parallel
checks across processes, and the summary rows. One broken file is a row with its error, never the end.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et"})
"""Suffixes picked up from folders (the unusable ones become error rows that say how to convert)."""

SUMMARY_NAME = "校验汇总.xlsx"
"""Default name of the summary workbook written into the checked folder."""


def _skipped(path: Path) -> bool:
    """Office/WPS owner files, LibreOffice locks, our own outputs."""
    name = path.name
    return (
        name.startswith(("~$", ".~lock.", ".~gk-"))
        or name.endswith((".校验.xlsx", ".再校验.xlsx"))
        or name == SUMMARY_NAME
    )


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched recursively for workbooks; unexpanded glob patterns expanded.

    Lock files (``~$*``, ``.~lock.*#``) and the toolkit's own outputs are skipped. Order is stable (sorted
    within a folder), duplicates removed.
    """
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES
                            and not _skipped(p))
        elif not path.exists() and glob.has_magic(str(path)):
            found += sorted(Path(p) for p in glob.glob(str(path), recursive=True)
                            if Path(p).is_file() and not _skipped(Path(p)))
        else:
            found.append(path)
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


@dataclass
class UnitRow:
    """One line of the folder summary: a unit's workbook and how its check went."""

    file: Path
    """The workbook."""
    organ: str = ""
    """Organ named in it."""
    year: int | None = None
    """Report year."""
    format_id: str = ""
    """Format checked against."""
    errors: int = 0
    """Error-level findings."""
    warnings: int = 0
    """Warnings."""
    exit_code: int = 0
    """0 clean, 1 errors, 2 unusable."""
    problem: str = ""
    """For an unusable file: the Chinese message saying why."""
    annotated: Path | None = None
    """The highlighted copy, when written."""
    result: dict[str, Any] = field(default_factory=dict)
    """The full result as JSON-ready data (``CheckResult.to_dict``) or the error's ``to_dict``."""

    @property
    def status(self) -> str:
        """通过 / 有警告 / 有错误 / 无法读取."""
        return {0: "有警告" if self.warnings else "通过", 1: "有错误"}.get(self.exit_code, "无法读取")


def check_one(path: Path, options: dict[str, Any]) -> UnitRow:
    """Check one file for the folder run; never raises for bad input (the row carries the error)."""
    from toolkit.api import check_file

    try:
        result = check_file(path, **options)
    except ToolkitError as exc:
        return UnitRow(file=path, exit_code=exc.exit_code, problem=str(exc), result=exc.to_dict())
    return UnitRow(
        file=path, organ=result.organ, year=result.year, format_id=result.format_id, errors=result.errors,
        warnings=result.warnings, exit_code=result.exit_code, annotated=result.annotated,
        result=result.to_dict(options.get("lang", "zh")),
    )


def _check_chunk(args: tuple[list[Path], dict[str, Any]]) -> list[UnitRow]:
    paths, options = args
    return [check_one(p, options) for p in paths]


def check_many(
    paths: list[Path],
    *,
    jobs: int | None = None,
    annotate: bool = True,
    lang: str = "zh",
    skip: Collection[str] = (),
    format_id: str | None = None,
    previous: Path | dict[str, Path] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[UnitRow]:
    """Check ``paths`` in parallel over ``jobs`` processes (default: all cores); yields rows in input order.

    ``previous`` is last year's workbook, or organ name → last year's workbook (see ``api.check_file``).
    ``progress(n)`` is called as each chunk of n files completes. With one job (or few files) it runs in
    this process, which is faster than starting workers.
    """
    options: dict[str, Any] = {"annotate": annotate, "lang": lang, "skip": tuple(skip), "format_id": format_id,
                               "previous": previous}
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(paths) < 8:
        for p in paths:
            row = check_one(p, options)
            if progress:
                progress(1)
            yield row
        return
    from concurrent.futures import ProcessPoolExecutor  # not at module level: `check one.xlsx` never starts a pool

    size = max(1, min(16, len(paths) // (jobs * 4)))  # ~80 ms of work: a short tail, a smooth progress bar
    chunks = [(paths[i:i + size], options) for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for rows in pool.map(_check_chunk, chunks):
            if progress:
                progress(len(rows))
            yield from rows


SUMMARY_COLUMNS = ("序号", "单位", "年度", "格式", "错误", "警告", "状态", "文件", "标注副本", "说明")
"""Header of the summary workbook (and of the terminal summary table)."""


def write_summary(rows: Iterable[UnitRow], target: Path) -> Path:
    """Write ``校验汇总.xlsx``: one row per unit, links to each file and highlighted copy; atomic.

    Streamed (openpyxl write-only mode): memory stays flat and 5,000 rows take well under a second.
    """
    from toolkit.fileio import write_atomic

    def write(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("校验汇总")
        for letter, width in zip("ABCDEFGHIJ", (6, 24, 8, 6, 6, 6, 10, 30, 34, 60), strict=True):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A2"

        def styled(value: object, *, font: Font | None = None, fill: PatternFill | None = None) -> WriteOnlyCell:
            cell = WriteOnlyCell(ws, value)
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            return cell

        bold, grey = Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
        ws.append([styled(name, font=bold, fill=grey) for name in SUMMARY_COLUMNS])
        fills = {status: PatternFill("solid", fgColor=colour)
                 for status, colour in {"有错误": "FFC7CE", "无法读取": "FFC7CE", "有警告": "FFEB9C",
                                        "通过": "C6EFCE"}.items()}
        link_font = Font(color="0563C1", underline="single")
        folder = target.resolve().parent
        count = 0
        for count, row in enumerate(rows, start=1):
            links = []
            for link, text in ((row.file, row.file.name), (row.annotated, row.annotated.name if row.annotated else "")):
                cell = styled(text)
                if link is not None:
                    cell.hyperlink = os.path.relpath(link.resolve(), folder)
                    cell.font = link_font
                links.append(cell)
            ws.append([count, row.organ, row.year, row.format_id, row.errors, row.warnings,
                       styled(row.status, fill=fills[row.status]), *links, row.problem])
        ws.auto_filter.ref = f"A1:J{count + 1}"
        wb.save(tmp)

    return write_atomic(target, write)
