"""Safe file output: every file the toolkit writes appears whole or not at all, and never over its input."""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from toolkit.errors import OutputError
from toolkit.messages import msg


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file (resolving links and case where the OS does)."""
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def lock_file(target: Path) -> Path | None:
    """The lock file Excel/WPS (``~$name``) or LibreOffice (``.~lock.name#``) keeps beside an open ``target``."""
    for lock in (target.with_name("~$" + target.name), target.with_name(f".~lock.{target.name}#")):
        if lock.exists():
            return lock
    return None


@functools.cache
def _new_file_mode() -> int:
    """Permissions of a newly created file (0o666 less the umask), as ``open()`` would give it."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(target: Path, *, protect: Path | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is renamed over ``target`` in one step.

    On any exception the temporary file is removed and ``target`` is left as it was. ``protect`` (the input
    file) may never be the target, nor may a folder, nor a file open in Excel/WPS/LibreOffice (its lock file
    beside it: on Windows the rename would fail, elsewhere it would replace what the user is looking at). The
    result gets the permissions of the file it replaces, or those of a new file. Errors writing are raised as
    :class:`OutputError` in Chinese.
    """
    target = Path(target)
    if protect is not None and (same_file(target, Path(protect)) or target.resolve() == Path(protect).resolve()):
        raise OutputError("输出文件不能与输入文件相同，原文件不会被修改；请用 -o 指定另一个文件名", path=target)
    if target.is_dir():
        raise OutputError(msg("fileio.is_directory"), path=target)
    lock = lock_file(target) if target.exists() else None
    if lock is not None:
        raise OutputError(msg("fileio.locked", lock=lock.name), path=target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"输出目录“{folder}”不存在", path=target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".~gk-", suffix=target.suffix, dir=folder)
    except OSError as exc:
        reason = exc.strerror or exc
        raise OutputError(f"无法在目录“{folder}”中写入文件（{reason}），请检查目录权限", path=target) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        try:
            mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _new_file_mode()
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(
                f"无法写入（{exc.strerror or exc}）；如文件正在 Excel 或 WPS 中打开，请先关闭", path=target
            ) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_atomic(target: Path, write: Callable[[Path], object], *, protect: Path | None = None) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``target`` atomically; returns ``target``."""
    with atomic_path(target, protect=protect) as tmp:
        write(tmp)
    return Path(target)
