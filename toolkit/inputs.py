"""What counts as an input of a run: files as given, folders searched for workbooks, glob patterns expanded,
and what is left out and why (lock files, the toolkit's own outputs, files that are not workbooks, folders that
cannot be read), counted so that the folder summary can say so.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from toolkit.record import field, record

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et"})
"""Suffixes picked up from folders (the unusable ones become error rows that say how to convert)."""

SUMMARY_NAME = "校验汇总.xlsx"
"""Default name of the summary workbook written into the checked folder."""


SKIP_REASONS = ("copy", "summary", "lock", "other", "folder")
"""Why a file or folder is left out of a folder run (``batch.skip.<reason>`` in the messages)."""


def skip_reason(path: Path) -> str | None:
    """Why the folder scan leaves ``path`` out: ``lock`` (Office/WPS owner files, LibreOffice locks, our temporary
    files), ``copy`` (highlighted copies), ``summary`` (校验汇总.xlsx), ``other`` (not a workbook), else None."""
    name = path.name
    if name.startswith(("~$", ".~lock.", ".~gk-")):
        return "lock"
    if name.endswith((".校验.xlsx", ".再校验.xlsx")):
        return "copy"
    if name == SUMMARY_NAME:
        return "summary"
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return "other"
    return None


def _skipped(path: Path) -> bool:
    """Office/WPS owner files, LibreOffice locks, our own outputs."""
    return skip_reason(path) not in (None, "other")


@record
class InputScan:
    """The files a run will handle, and what the scan of folders left out and why."""

    paths: list[Path] = field(default_factory=list)
    """Files to handle, in order, no duplicates."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Reason (see :data:`SKIP_REASONS`) → how many files or folders were left out for it."""

    def skip(self, reason: str) -> None:
        """Count one more left out for ``reason``."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    @property
    def skipped_total(self) -> int:
        """How many were left out."""
        return sum(self.skipped.values())


def is_folder(path: Path) -> bool:
    """``path.is_dir()``, False for a path the system cannot even look up (over PATH_MAX, a name over 255 bytes):
    such a path is then taken as a file, and reading it says why it cannot be used."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True  # it is not a pattern to expand: let reading it say what is wrong


def _walk(folder: Path, scan: InputScan) -> list[Path]:
    found = []

    def unreadable(_exc: OSError) -> None:
        scan.skip("folder")

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs.sort()
        for name in files:
            path = Path(root, name)
            reason = skip_reason(path)
            if reason is None:
                found.append(path)
            else:
                scan.skip(reason)
    return sorted(found)


def scan_inputs(inputs: Iterable[Path]) -> InputScan:
    """Files as given; folders searched recursively for workbooks; unexpanded glob patterns expanded.

    Lock files (``~$*``, ``.~lock.*#``), the toolkit's own outputs and temporary files, files that are not
    workbooks and folders that cannot be read are left out of folders and globs, and counted by reason. A file
    named on its own is always taken. Order is stable (sorted within a folder), duplicates removed.
    """
    scan = InputScan()
    found: list[Path] = []
    for item in inputs:
        path = Path(item)
        if is_folder(path):
            found += _walk(path, scan)
        elif not _exists(path) and any(c in str(path) for c in "*?["):  # glob.has_magic, without importing glob
            import glob

            for p in sorted(Path(p) for p in glob.glob(str(path), recursive=True)):
                if not p.is_file():
                    continue
                if _skipped(p):
                    scan.skip(skip_reason(p) or "other")
                else:
                    found.append(p)
        else:
            found.append(path)
    seen: set[str] = set()
    for p in found:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            scan.paths.append(p)
    return scan


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """The files of :func:`scan_inputs` (what it left out is dropped)."""
    return scan_inputs(inputs).paths


def single_file(inputs: Sequence[Path]) -> Path | None:
    """The file when ``inputs`` is one file (not a folder, not a pattern): it is checked on its own, with no
    summary workbook; None when ``inputs`` is a folder or several files (``api.check_folder``)."""
    if len(inputs) != 1 or is_folder(Path(inputs[0])):
        return None
    paths = scan_inputs(inputs).paths
    return paths[0] if len(paths) == 1 and not is_folder(paths[0]) else None


def default_summary(inputs: Sequence[Path]) -> Path:
    """Where a folder run writes its summary by default: ``校验汇总.xlsx`` in the one folder given, else in the
    current folder."""
    folder = Path(inputs[0]) if len(inputs) == 1 and is_folder(Path(inputs[0])) else Path(".")
    return folder / SUMMARY_NAME
