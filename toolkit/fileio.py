"""Safe file output: every file the toolkit writes appears whole or not at all, never over an input, never over
an existing file unless asked, and a full disk or an over-long path is a Chinese message, not a traceback.

Temporary files are named ``.~gk-<pid>-<random><suffix>`` beside their target; one left behind by a run that was
killed (its process is gone) is removed by the next write into that folder.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import os
import re
import stat
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from toolkit.errors import OutputError
from toolkit.messages import msg

TEMP_PREFIX = ".~gk-"
"""Start of every temporary file name (the folder scan skips them)."""

_TEMP_PID = re.compile(r"^\.~gk-(\d+)-")
STALE_AGE = 24 * 3600
"""A temporary file without a process id in its name (an older version's) is stale after a day."""

Inputs = Path | Collection[Path] | None
"""The input file(s) an output may never be."""

_ERRNO_KEYS = {
    errno.ENOSPC: "fileio.no_space",
    errno.EDQUOT: "fileio.no_space",
    errno.EFBIG: "fileio.too_big",
    errno.ENAMETOOLONG: "fileio.too_long",
    errno.EACCES: "fileio.denied",
    errno.EPERM: "fileio.denied",
    errno.EROFS: "fileio.read_only_fs",
}


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file (resolving links and case where the OS does)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return os.path.abspath(a) == os.path.abspath(b)


def _as_list(inputs: Inputs) -> list[Path]:
    if inputs is None:
        return []
    if isinstance(inputs, str | os.PathLike):
        return [Path(inputs)]
    return [Path(p) for p in inputs]


def lock_file(target: Path) -> Path | None:
    """The lock file Excel/WPS (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an open ``target``."""
    for lock in (target.with_name("~$" + target.name), target.with_name(f".~lock.{target.name}#")):
        with contextlib.suppress(OSError):
            if lock.exists():
                return lock
    return None


def os_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (itself, or its cause or context, as writers wrap them), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError) and current.errno is not None:
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def os_error_text(exc: OSError) -> str:
    """A Chinese sentence for an OSError met while writing (disk full, name too long, permission …)."""
    key = _ERRNO_KEYS.get(exc.errno or 0)
    if key is not None:
        return msg(key)
    return msg("fileio.os_error", reason=exc.strerror or type(exc).__name__)


def check_output(target: Path, *, inputs: Inputs = None, overwrite: bool = True,
                 suffixes: Collection[str] = ()) -> None:
    """Raise :class:`OutputError` (in Chinese, naming ``target``) unless ``target`` may be written.

    Refused: one of ``inputs`` (even with ``overwrite``), a folder, a device or pipe, a suffix not in
    ``suffixes`` (when given; the first is the one suggested), an existing file unless ``overwrite``, a file
    open in Excel/WPS/LibreOffice, a folder that does not exist.
    """
    target = Path(target)
    try:
        for source in _as_list(inputs):
            if same_file(target, source):
                raise OutputError(msg("fileio.is_input"), path=target)
        exists = target.exists()
        if exists and target.is_dir():
            raise OutputError(msg("fileio.is_directory"), path=target)
        if exists and not stat.S_ISREG(target.stat().st_mode):
            raise OutputError(msg("fileio.not_regular"), path=target)
        if suffixes and target.suffix.lower() not in suffixes:
            expected = next(iter(suffixes))
            raise OutputError(msg("fileio.wrong_suffix", expected="、".join(suffixes),
                                  kind=msg(f"fileio.kind.{expected.lstrip('.')}"),
                                  suggestion=target.with_suffix(expected).name), path=target)
        if exists and not overwrite:
            raise OutputError(msg("fileio.exists"), path=target)
        lock = lock_file(target) if exists else None
        if lock is not None:
            raise OutputError(msg("fileio.locked", lock=lock.name), path=target)
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(msg("fileio.no_folder", folder=folder), path=target)
    except OSError as exc:
        raise OutputError(os_error_text(exc), path=target) from None


@functools.cache
def _new_file_mode() -> int:
    """Permissions of a newly created file (0o666 less the umask), as ``open()`` would give it."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs. A zombie (dead, not yet reaped: a killed run's worker whose new parent,
    a container's init, reaps slowly) answers ``kill(pid, 0)`` but writes nothing any more: it counts as dead."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or no permission to ask: keep its file
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True when Linux's /proc says ``pid`` is a zombie (state Z or X); False where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[-1].split()  # the name in (…) may hold spaces or ')'
    except OSError:
        return False
    return bool(fields) and fields[0] in (b"Z", b"X")


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the temporary files a killed run left in ``folder`` (their process is gone); returns them."""
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        match = _TEMP_PID.match(entry.name)
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stale = (not _alive(int(match.group(1)))) if match else now - entry.stat().st_mtime > STALE_AGE
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


@functools.cache
def _cleaned(folder: str) -> bool:
    remove_stale_temps(Path(folder))
    return True


def _discard(exc: BaseException) -> None:
    """Free, now and quietly, what a writer that failed left open: a half-written zip whose ``close`` at exit
    would fail again on a full disk and print "Exception ignored … OSError" after our message."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            if current.__traceback__ is not None:
                traceback.clear_frames(current.__traceback__)
            current = current.__cause__ or current.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook


@contextlib.contextmanager
def atomic_path(target: Path, *, protect: Inputs = None, overwrite: bool = True,
                suffixes: Collection[str] = ()) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is renamed over ``target`` in one step.

    On any exception the temporary file is removed and ``target`` is left as it was. :func:`check_output`
    decides first whether ``target`` may be written (``protect`` are the inputs). The result gets the
    permissions of the file it replaces, or those of a new file. An OSError while writing (disk full, name
    too long, no permission), also one a writer wrapped in its own exception, is raised as
    :class:`OutputError` in Chinese.
    """
    target = Path(target)
    check_output(target, inputs=protect, overwrite=overwrite, suffixes=suffixes)
    folder = target.parent if str(target.parent) else Path(".")
    with contextlib.suppress(OSError):
        _cleaned(os.path.abspath(folder))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=target.suffix[:16],
                                        dir=folder)
    except OSError as exc:
        raise OutputError(os_error_text(exc), path=target) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _new_file_mode()
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except OutputError:
            raise
        except Exception as exc:
            cause = os_error(exc)
            if cause is None:
                raise
            message = os_error_text(cause)
            _discard(exc)
            raise OutputError(message, path=target) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_atomic(target: Path, write: Callable[[Path], object], *, protect: Inputs = None, overwrite: bool = True,
                 suffixes: Collection[str] = ()) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``target`` atomically; returns ``target``."""
    with atomic_path(target, protect=protect, overwrite=overwrite, suffixes=suffixes) as tmp:
        write(tmp)
    return Path(target)
