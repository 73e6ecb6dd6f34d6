"""Checking many workbooks at once (a supervising office's folder of returns): input expansion, parallel
checks across processes, and the summary rows. One broken file is a row with its error, never the end.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.inputs import SUMMARY_NAME as SUMMARY_NAME  # the folder run's inputs were long imported from here
from toolkit.inputs import expand_inputs as expand_inputs
from toolkit.inputs import scan_inputs as scan_inputs
from toolkit.messages import msg


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
    checked: bool = False
    """True when the check ran (its findings are counted) even though the row is exit 2 (the copy failed)."""

    @property
    def status(self) -> str:
        """通过 / 有警告 / 有错误 / 无法读取 / 副本未写出."""
        if self.exit_code == 2 and self.checked:
            return msg("batch.status.copy_failed")
        return {0: "有警告" if self.warnings else "通过", 1: "有错误"}.get(self.exit_code, "无法读取")


@dataclass
class FolderOutcome:
    """What ``api.check_folder`` did: one row per unit, what the scan left out, and the summary workbook."""

    rows: list[UnitRow]
    """One row per input file, in input order."""
    summary: Path | None
    """The summary workbook written (None when it could not be written: see ``summary_error``)."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Reason → how many files or folders the scan of the inputs left out (see ``toolkit.inputs.SKIP_REASONS``)."""
    summary_error: ToolkitError | None = None
    """Why the summary workbook could not be written (the rows are complete all the same)."""

    @property
    def exit_code(self) -> int:
        """The worst unit's exit code; 2 when the summary could not be written."""
        worst = max((r.exit_code for r in self.rows), default=0)
        return max(worst, self.summary_error.exit_code) if self.summary_error is not None else worst

    def to_dict(self) -> list[dict[str, Any]]:
        """The ``--json`` output of a folder run: each unit's result (``CheckResult.to_dict`` or its error)."""
        return [r.result for r in self.rows]


STATUS_COLOURS = {"有错误": "FFC7CE", "无法读取": "FFC7CE", "副本未写出": "FFC7CE", "有警告": "FFEB9C",
                  "通过": "C6EFCE"}
"""Fill of the 状态 cell in the summary workbook."""


def check_one(path: Path, options: dict[str, Any]) -> UnitRow:
    """Check one file for the folder run; never raises (the row carries the error, in Chinese).

    A copy that cannot be written keeps the check's findings in the row (exit 2 for the unit); any unexpected
    failure is that unit's row, never the end of the run.
    """
    from toolkit.api import check_file

    lang = options.get("lang", "zh")
    try:
        result = check_file(path, **options)
    except ToolkitError as exc:
        done = exc.check_result
        if done is None:
            return UnitRow(file=path, exit_code=exc.exit_code, problem=str(exc), result=exc.to_dict())
        return UnitRow(
            file=path, organ=done.organ, year=done.year, format_id=done.format_id, errors=done.errors,
            warnings=done.warnings, exit_code=max(exc.exit_code, done.exit_code), checked=True,
            problem=msg("batch.copy_failed", errors=done.errors, warnings=done.warnings, reason=str(exc)),
            result={**done.to_dict(lang), "copy_error": exc.to_dict()},
        )
    except Exception as exc:  # one unit's bug, memory or recursion failure never stops the run
        problem = msg("batch.unexpected", error=type(exc).__name__)
        return UnitRow(file=path, exit_code=2, problem=problem,
                       result={"key": "unexpected", "message": problem, "file": str(path)})
    return UnitRow(
        file=path, organ=result.organ, year=result.year, format_id=result.format_id, errors=result.errors,
        warnings=result.warnings, exit_code=result.exit_code, annotated=result.annotated,
        result=result.to_dict(lang),
    )


def _check_chunk(args: tuple[list[Path], dict[str, Any], dict[Path, list[Path]]]) -> list[UnitRow]:
    paths, options, protect = args
    return [check_one(p, {**options, "protect": protect[p]} if p in protect else options) for p in paths]


def _worker_init() -> None:
    """In each worker: die with the parent (Linux), so a killed run leaves no orphaned workers."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes
            import signal

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _died(path: Path) -> UnitRow:
    problem = msg("batch.worker_died")
    return UnitRow(file=path, exit_code=2, problem=problem,
                   result={"key": "worker-died", "message": problem, "file": str(path)})


def _isolated(path: Path, options: dict[str, Any], protect: dict[Path, list[Path]]) -> UnitRow:
    """Check ``path`` alone in a fresh process: the way to tell which file killed a worker."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=1, initializer=_worker_init) as pool:
        try:
            return pool.submit(_check_chunk, ([path], options, protect)).result()[0]
        except BrokenProcessPool:
            return _died(path)


def _pooled(paths: list[Path], options: dict[str, Any], protect: dict[Path, list[Path]], jobs: int,
            size: int) -> Iterator[tuple[int, UnitRow]]:
    """(index, row) for every path, checked over ``jobs`` processes in chunks of ``size``, in any order.

    At most two chunks per worker are in flight, so a worker that dies (out of memory, a crash in a parser)
    takes only those with it: their files are checked again one by one, and a file that fails alone again
    is run in a process of its own; if that dies too, its row says so.
    """
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    queue: deque[list[int]] = deque(list(range(i, min(i + size, len(paths)))) for i in range(0, len(paths), size))
    failed: set[int] = set()
    while queue:
        broken: list[list[int]] = []
        with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init) as pool:
            running: dict[Future[list[UnitRow]], list[int]] = {}
            while (queue or running) and not broken:
                while queue and len(running) < 2 * jobs:
                    idxs = queue.popleft()
                    if len(idxs) == 1 and idxs[0] in failed:
                        yield idxs[0], _isolated(paths[idxs[0]], options, protect)
                        continue
                    chunk = ([paths[i] for i in idxs], options, protect)
                    try:
                        running[pool.submit(_check_chunk, chunk)] = idxs
                    except BrokenProcessPool:  # a worker died before this chunk could be handed out
                        queue.appendleft(idxs)
                        break
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    done, _ = wait(running)
                for fut in done:
                    idxs = running.pop(fut)
                    error = fut.exception()
                    if isinstance(error, BrokenProcessPool):
                        broken.append(idxs)
                    elif error is not None:
                        problem = msg("batch.unexpected", error=type(error).__name__)
                        for i in idxs:
                            yield i, UnitRow(file=paths[i], exit_code=2, problem=problem,
                                             result={"key": "unexpected", "message": problem, "file": str(paths[i])})
                    else:
                        yield from zip(idxs, fut.result(), strict=True)
        for idxs in reversed(broken):
            if len(idxs) == 1:
                failed.add(idxs[0])
            queue.extendleft([i] for i in reversed(idxs))


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
    rules: Any = None,
) -> Iterator[UnitRow]:
    """Check ``paths`` in parallel over ``jobs`` processes (default: all cores; never more than the cores, nor
    than the free memory holds at 500 MB a worker: :func:`toolkit.budget.worker_count`); yields rows in input order.

    ``previous`` is last year's workbook, or organ name → last year's workbook (see ``api.check_file``).
    ``progress(n)`` is called as each chunk of n files completes. With one job (or few files) it runs in
    this process, which is faster than starting workers. Every path gives exactly one row, whatever happens
    to it; a highlighted copy never replaces another of the inputs. ``rules``: the office's rules
    (``api.check_file``).
    """
    options: dict[str, Any] = {"annotate": annotate, "lang": lang, "skip": tuple(skip), "format_id": format_id,
                               "previous": previous, "rules": rules}
    protect = _clashes(paths, previous) if annotate else {}
    from toolkit.budget import worker_count

    jobs = worker_count(jobs)
    if jobs <= 1 or len(paths) < 8:
        for p in paths:
            row = check_one(p, {**options, "protect": protect[p]} if p in protect else options)
            if progress:
                progress(1)
            yield row
        return
    size = max(1, min(16, len(paths) // (jobs * 4)))  # ~80 ms of work: a short tail, a smooth progress bar
    ready: dict[int, UnitRow] = {}
    next_out = 0
    for index, row in _pooled(paths, options, protect, jobs, size):
        ready[index] = row
        if progress:
            progress(1)
        while next_out in ready:
            yield ready.pop(next_out)
            next_out += 1


def _clashes(paths: list[Path], previous: Path | dict[str, Path] | None) -> dict[Path, list[Path]]:
    """Inputs whose default copy would be another input (``a.xlsx`` beside ``a.校验.xlsx`` named on its own)."""
    from toolkit.annotate import annotated_path

    inputs = {os.path.realpath(p): p for p in paths}
    if isinstance(previous, Path):
        inputs[os.path.realpath(previous)] = previous
    elif isinstance(previous, dict):
        inputs.update({os.path.realpath(p): p for p in previous.values()})
    clashes = {}
    for p in paths:
        other = inputs.get(os.path.realpath(annotated_path(p)))
        if other is not None:
            clashes[p] = [other]
    return clashes


SUMMARY_COLUMNS = ("序号", "单位", "年度", "格式", "错误", "警告", "状态", "文件", "标注副本", "说明")
"""Header of the summary workbook (and of the terminal summary table)."""


def write_summary(rows: Iterable[UnitRow], target: Path, *, protect: Collection[Path] = (),
                  overwrite: bool = True) -> Path:
    """Write ``校验汇总.xlsx``: one row per unit, links to each file and highlighted copy; atomic.

    Streamed (openpyxl write-only mode): memory stays flat and 5,000 rows take well under a second. Every
    text (organ, file name, reason) is a text cell, never a formula. ``target`` is never one of ``protect``
    (the inputs) and replaces an existing file only with ``overwrite``.
    """
    from toolkit.fileio import write_atomic
    from toolkit.untrusted import set_cell, xml_text

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
            cell = set_cell(WriteOnlyCell(ws), value)
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            return cell

        bold, grey = Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
        ws.append([styled(name, font=bold, fill=grey) for name in SUMMARY_COLUMNS])
        fills = {status: PatternFill("solid", fgColor=colour) for status, colour in STATUS_COLOURS.items()}
        link_font = Font(color="0563C1", underline="single")
        folder = target.resolve().parent
        count = 0
        for count, row in enumerate(rows, start=1):
            links = []
            for link, text in ((row.file, row.file.name), (row.annotated, row.annotated.name if row.annotated else "")):
                cell = styled(text)
                if link is not None:
                    cell.hyperlink = xml_text(os.path.relpath(os.path.realpath(link), folder))
                    cell.font = link_font
                links.append(cell)
            ws.append([count, styled(row.organ), row.year, styled(row.format_id), row.errors, row.warnings,
                       styled(row.status, fill=fills[row.status]), *links, styled(row.problem)])
        ws.auto_filter.ref = f"A1:J{count + 1}"
        wb.save(tmp)

    return write_atomic(target, write, protect=list(protect), overwrite=overwrite, suffixes=(".xlsx",))
