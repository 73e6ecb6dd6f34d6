"""Checking many workbooks at once (a supervising office's folder of returns): input expansion, parallel
checks across processes, and the summary rows. One broken file is a row with its error, never the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.inputs import SUMMARY_NAME as SUMMARY_NAME  # the folder run's inputs were long imported from here
from toolkit.inputs import expand_inputs as expand_inputs
from toolkit.inputs import scan_inputs as scan_inputs
from toolkit.messages import msg
from toolkit.record import field, record

TYPE_CHECKING = False  # not typing's: the folder run's parent does not import typing or dataclasses (mypy knows it)
if TYPE_CHECKING:
    from typing import Any


@record
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
    packed: bytes = b""
    """The full result (:attr:`result`), packed: compressed JSON, a tenth of the size of the data it holds, so
    that a folder's rows cost little to send from a worker and to keep (:func:`pack`)."""
    checked: bool = False
    """True when the check ran (its findings are counted) even though the row is exit 2 (the copy failed)."""

    @property
    def result(self) -> dict[str, Any]:
        """The full result as JSON-ready data (``CheckResult.to_dict``) or the error's ``to_dict``."""
        return unpack(self.packed)

    @property
    def status(self) -> str:
        """通过 / 有警告 / 有错误 / 无法读取 / 副本未写出."""
        if self.exit_code == 2 and self.checked:
            return msg("batch.status.copy_failed")
        return {0: "有警告" if self.warnings else "通过", 1: "有错误"}.get(self.exit_code, "无法读取")


@record
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


def pack(result: dict[str, Any]) -> bytes:
    """A JSON-ready result as compressed JSON (:attr:`UnitRow.packed`)."""
    import json
    import zlib

    return zlib.compress(json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def unpack(packed: bytes) -> dict[str, Any]:
    """The result :func:`pack` packed ({} for none)."""
    import json
    import zlib

    return json.loads(zlib.decompress(packed)) if packed else {}


STATUS_COLOURS = {"有错误": "FFC7CE", "无法读取": "FFC7CE", "副本未写出": "FFC7CE", "有警告": "FFEB9C",
                  "通过": "C6EFCE"}
"""Fill of the 状态 cell in the summary workbook."""


def check_one(path: Path, options: dict[str, Any]) -> UnitRow:
    """Check one file for the folder run; never raises (the row carries the error, in Chinese).

    A copy that cannot be written keeps the check's findings in the row (exit 2 for the unit); any unexpected
    failure is that unit's row, never the end of the run.
    """
    from toolkit.checking import check_file

    lang = options.get("lang", "zh")
    try:
        result = check_file(path, **options)
    except ToolkitError as exc:
        return UnitRow(file=path, exit_code=exc.exit_code, problem=str(exc), packed=pack(exc.to_dict()))
    except Exception as exc:  # one unit's bug, memory or recursion failure never stops the run
        problem = msg("batch.unexpected", error=type(exc).__name__)
        return UnitRow(file=path, exit_code=2, problem=problem,
                       packed=pack({"key": "unexpected", "message": problem, "file": str(path)}))
    failed = result.copy_error
    if failed is not None:
        return UnitRow(
            file=path, organ=result.organ, year=result.year, format_id=result.format_id, errors=result.errors,
            warnings=result.warnings, exit_code=result.exit_code, checked=True,
            problem=msg("batch.copy_failed", errors=result.errors, warnings=result.warnings, reason=str(failed)),
            packed=pack({**result.to_dict(lang), "copy_error": failed.to_dict()}),
        )
    return UnitRow(
        file=path, organ=result.organ, year=result.year, format_id=result.format_id, errors=result.errors,
        warnings=result.warnings, exit_code=result.exit_code, annotated=result.annotated,
        packed=pack(result.to_dict(lang)),
    )


def _check_paths(chunk: list[tuple[Path, dict[str, Any]]]) -> list[UnitRow]:
    """The worker's part: check each (path, options) of a chunk."""
    return [check_one(path, options) for path, options in chunk]


def _died(item: tuple[Path, dict[str, Any]]) -> UnitRow:
    path = item[0]
    problem = msg("batch.worker_died")
    return UnitRow(file=path, exit_code=2, problem=problem,
                   packed=pack({"key": "worker-died", "message": problem, "file": str(path)}))


def _failed(item: tuple[Path, dict[str, Any]], error: BaseException) -> UnitRow:
    path = item[0]
    problem = msg("batch.unexpected", error=type(error).__name__)
    return UnitRow(file=path, exit_code=2, problem=problem,
                   packed=pack({"key": "unexpected", "message": problem, "file": str(path)}))


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
    from toolkit.pool import chunk_size, run_chunks

    items = [(p, {**options, "protect": protect[p]} if p in protect else options) for p in paths]
    ready: dict[int, UnitRow] = {}
    next_out = 0
    extra = ("toolkit.annotate", "toolkit.annotate.build", "toolkit.annotate.package") if annotate else ()
    for index, row in run_chunks(_check_paths, items, jobs=jobs, size=chunk_size(len(paths), jobs), died=_died,
                                 failed=_failed, modules=extra):
        row.file = paths[index]  # the caller's own path, not the copy unpickled with the row (memory per unit)
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
SUMMARY_WIDTHS = (6, 24, 8, 6, 6, 6, 10, 30, 34, 60)
"""Column widths of the summary workbook, in characters."""


def write_summary(rows: Iterable[UnitRow], target: Path, *, protect: Collection[Path] = (),
                  overwrite: bool = True) -> Path:
    """Write ``校验汇总.xlsx``: one row per unit, links to each file and highlighted copy; atomic.

    The package is written here, part by part (:mod:`toolkit.summary_xlsx`), the sheet streamed into the zip as
    the rows come: memory stays flat, and 1,000 rows cost ~30 ms where openpyxl's write-only mode took ~0.5 s
    (the folder run's parent writes it after the last unit, while no worker runs). Every text (organ, file name,
    reason) is an inline-string cell, never a formula. ``target`` is never one of ``protect`` (the inputs) and
    replaces an existing file only with ``overwrite``.
    """
    from toolkit.fileio import write_atomic
    from toolkit.summary_xlsx import SummarySheet

    def write(tmp: Path) -> None:
        folder = str(target.resolve().parent)
        parents: dict[str, str] = {}
        with SummarySheet(tmp, "校验汇总", SUMMARY_WIDTHS, STATUS_COLOURS) as sheet:
            sheet.header(SUMMARY_COLUMNS)
            for count, row in enumerate(rows, start=1):
                links = [(None if link is None else _relative_real(link, folder, parents), text)
                         for link, text in ((row.file, row.file.name),
                                            (row.annotated, row.annotated.name if row.annotated else ""))]
                sheet.row([count, row.organ, row.year, row.format_id, row.errors, row.warnings], row.status, links,
                          row.problem)

    return write_atomic(target, write, protect=list(protect), overwrite=overwrite, suffixes=(".xlsx",))


def _relative_real(path: Path, folder: str, parents: dict[str, str]) -> str:
    """``os.path.relpath(os.path.realpath(path), folder)``, with each folder the files are in resolved and made
    relative once (``parents``): a file that is not a symbolic link is there under its own name. (Resolving each
    file anew was ~80% of writing the summary.)"""
    head, name = os.path.split(os.fspath(path))
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.relpath(os.path.realpath(path), folder)
    where = parents.get(head)
    if where is None:
        where = parents[head] = os.path.relpath(os.path.realpath(head or os.curdir), folder)
    return name if where == os.curdir else os.path.join(where, name)
