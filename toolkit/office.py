"""LibreOffice (headless) as a converter: .docx → .pdf for ``report --to pdf``, and .xlsx → recalculated
.xlsx/.pdf for tests that must see what a spreadsheet application computes.

LibreOffice runs with the toolkit's own profile, in which "recalculate on load" is forced on, so formulas are
evaluated by LibreOffice itself rather than taken from cached values. The profile lives in the user's cache
folder (:func:`profile_dir`) and is reused, so a conversion does not pay LibreOffice's first start (~0.3 s) each
time. A lock (``flock``, held by LibreOffice itself while it runs) gives it to one run at a time: a run that
finds it taken uses a scratch profile ``gk-lo-*`` in the temporary folder instead. A lock left by a killed run is
free as soon as its processes are gone; scratch profiles left behind (even by ``kill -9``) are removed at the next
start. A profile that LibreOffice cannot use any more (a run killed while writing it) is rebuilt once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from toolkit.errors import OfficeConversionError, OfficeMissingError
from toolkit.messages import msg

_CANDIDATES = ("soffice", "libreoffice", "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
               "/Applications/LibreOffice.app/Contents/MacOS/soffice",
               r"C:\Program Files\LibreOffice\program\soffice.exe")

_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
_RECALC_MARK = 'oor:name="OOXMLRecalcMode"'

SCRATCH_PREFIX = "gk-lo-"
"""Name prefix of a scratch profile in the temporary folder."""
STALE_SECONDS = 60
"""A scratch profile this old whose lock is free belongs to no running conversion: it is removed."""
UNLOCKED_STALE_SECONDS = 24 * 3600
"""A scratch profile without a lock file (made by an older version, which held no lock) is removed only when it is
this old: its conversion may still be running."""


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed (``GK_SOFFICE`` overrides)."""
    override = os.environ.get("GK_SOFFICE")
    if override:
        return override if Path(override).exists() or shutil.which(override) else None
    for name in _CANDIDATES:
        found = shutil.which(name) or (name if os.path.isabs(name) and Path(name).exists() else None)
        if found:
            return found
    return None


def cache_dir() -> Path:
    """The toolkit's cache folder: ``GK_CACHE_DIR``, else ``$XDG_CACHE_HOME/gk-toolkit`` (``~/.cache``), or
    ``%LOCALAPPDATA%\\gk-toolkit`` on Windows."""
    override = os.environ.get("GK_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "gk-toolkit"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gk-toolkit"


def profile_dir() -> Path:
    """The reused LibreOffice profile (its lock file ``profile.lock`` beside it)."""
    return cache_dir() / "libreoffice-profile"


def _try_lock(path: Path) -> IO[bytes] | None:
    """``path`` opened and locked exclusively, or None when another process holds it (or locks are not
    available here)."""
    try:
        import fcntl
    except ImportError:  # Windows: every run uses a scratch profile
        return None
    try:
        handle = open(path, "ab")  # noqa: SIM115 - held open for the whole conversion, closed by _locked
    except OSError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def sweep_scratch(folder: Path | None = None) -> list[Path]:
    """Remove the scratch profiles in ``folder`` (default: the temporary folder) that no conversion holds: older
    than :data:`STALE_SECONDS` with their lock free, or than :data:`UNLOCKED_STALE_SECONDS` without a lock file;
    returns those removed."""
    folder = Path(folder or tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for entry in folder.glob(SCRATCH_PREFIX + "*"):
            with contextlib.suppress(OSError):
                if not entry.is_dir() or entry.is_symlink():
                    continue
                lock = entry / "lock"
                age = time.time() - entry.stat().st_mtime
                if age < (STALE_SECONDS if lock.exists() else UNLOCKED_STALE_SECONDS):
                    continue
                held = _try_lock(lock) if lock.exists() else None
                if lock.exists() and held is None:
                    continue  # a conversion (or the LibreOffice it started) is still using it
                try:
                    shutil.rmtree(entry, ignore_errors=True)
                finally:
                    if held is not None:
                        held.close()
                removed.append(entry)
    return removed


def _prepare(profile: Path, *, fresh: bool = False) -> None:
    """Make ``profile`` a LibreOffice profile with recalculation on load (rebuilt when ``fresh``)."""
    if fresh:
        shutil.rmtree(profile, ignore_errors=True)
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    settings = user / "registrymodifications.xcu"
    try:
        present = _RECALC_MARK in settings.read_text(encoding="utf-8", errors="replace")
    except OSError:
        present = False
    if not present:
        settings.write_text(_RECALC_PROFILE, encoding="utf-8")


@contextlib.contextmanager
def _profile() -> Iterator[tuple[Path, IO[bytes] | None, bool]]:
    """(profile folder, its held lock, whether it is the reused one) for one conversion."""
    sweep_scratch()
    shared = profile_dir()
    lock = None
    with contextlib.suppress(OSError):
        shared.parent.mkdir(parents=True, exist_ok=True)
        lock = _try_lock(shared.parent / "profile.lock")
    if lock is not None:
        try:
            yield shared, lock, True
        finally:
            lock.close()
        return
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    held = _try_lock(scratch / "lock")
    try:
        yield scratch, held, False
    finally:
        if held is not None:
            held.close()
        shutil.rmtree(scratch, ignore_errors=True)


_FLAGS = ("--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck")


def _run(soffice: str, profile: Path, lock: IO[bytes] | None, to: str, outdir: Path, inputs: Sequence[Path],
         timeout: float) -> subprocess.CompletedProcess[str]:
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        *_FLAGS,
        "--convert-to", to, "--outdir", str(outdir),
        *[str(p) for p in inputs],
    ]
    fds = (lock.fileno(),) if lock is not None else ()  # LibreOffice holds the lock while it lives
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, pass_fds=fds)
    except subprocess.TimeoutExpired as exc:
        raise OfficeConversionError(msg("office.timeout", seconds=f"{timeout:.0f}")) from exc


def _missing_office() -> OfficeMissingError:
    return OfficeMissingError(msg("office.missing"))


def _outputs(inputs: Sequence[Path], to: str, outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    ext = to.split(":", 1)[0]
    return [outdir / (Path(p).stem + "." + ext) for p in inputs]


def _converted(outputs: list[Path], proc: subprocess.CompletedProcess[str]) -> list[Path]:
    """``outputs``, or the error naming those LibreOffice did not write."""
    missing = [p for p in outputs if not p.exists()]
    if missing:
        names = ", ".join(p.name for p in missing)
        raise OfficeConversionError(msg("office.failed", names=names, code=proc.returncode,
                                        stderr=proc.stderr.strip()[:300]))
    return outputs


def _convert_on(soffice: str, profile: Path, lock: IO[bytes] | None, reused: bool, to: str, outdir: Path,
                inputs: Sequence[Path], outputs: list[Path], timeout: float) -> subprocess.CompletedProcess[str]:
    """One LibreOffice run of its own on ``profile``; the reused profile is rebuilt once when nothing came out."""
    proc = _run(soffice, profile, lock, to, outdir, inputs, timeout)
    if reused and any(not p.exists() for p in outputs):  # perhaps a profile a killed run left half-written
        _prepare(profile, fresh=True)
        proc = _run(soffice, profile, lock, to, outdir, inputs, timeout)
    return proc


def convert(inputs: Sequence[Path], to: str, outdir: Path, *, timeout: float = 300) -> list[Path]:
    """Convert ``inputs`` with one LibreOffice run; returns the output paths in input order.

    ``to`` is a LibreOffice filter spec such as ``pdf``, ``xlsx`` or ``pdf:writer_pdf_Export``. Outputs are
    named like the inputs with the new extension, in ``outdir`` (which must differ from the inputs' folder
    when converting xlsx → xlsx). Formulas are recalculated on load.
    """
    soffice = find_soffice()
    if soffice is None:
        raise _missing_office()
    outputs = _outputs(inputs, to, outdir)
    with _profile() as (profile, lock, reused):
        _prepare(profile)
        proc = _convert_on(soffice, profile, lock, reused, to, outdir, inputs, outputs, timeout)
    return _converted(outputs, proc)


SETTLE_SECONDS = 3.0
"""How long an early-started LibreOffice may take to exit by itself once its conversion is done (it takes ~0.2 s)
before it is stopped."""
_GUARD = ('read line; [ "$line" = done ] && exit 0; kill -TERM -"$1" 2>/dev/null; sleep 5; '
          'kill -KILL -"$1" 2>/dev/null; exit 0')
"""The guard of an early-started LibreOffice, a POSIX shell in a session of its own reading a pipe that only this
process holds: when this process ends without writing ``done`` (killed, even by ``kill -9``), the pipe closes and
the guard stops LibreOffice's process group, which would otherwise wait for work forever."""


class Started:
    """LibreOffice started ahead of its one conversion (see :func:`started`).

    It starts with no document, in a process group of its own, on the profile the conversion will use. The
    conversion is an ordinary ``soffice --convert-to`` on that profile, which LibreOffice forwards to the running
    instance (and waits until it is done); the instance then exits by itself. When it was not ready to take the
    request, or had gone, the second ``soffice`` converts on its own: the result is the same either way."""

    def __init__(self, soffice: str, profile: Path, lock: IO[bytes] | None, reused: bool) -> None:
        self._soffice, self._profile, self._lock, self._reused = soffice, profile, lock, reused
        self._server: subprocess.Popen[bytes] | None = None
        self._guard: subprocess.Popen[bytes] | None = None
        sh = shutil.which("sh") if os.name == "posix" else None
        if sh is None:  # Windows: no process groups to stop; the conversion runs on its own
            return
        fds = (lock.fileno(),) if lock is not None else ()
        self._server = subprocess.Popen(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", *_FLAGS], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, pass_fds=fds)
        self._guard = subprocess.Popen([sh, "-c", _GUARD, "gk-office-guard", str(self._server.pid)],
                                       stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self) -> int | None:
        """The process id (and process group) of the early-started LibreOffice, None where none was started."""
        return None if self._server is None else self._server.pid

    def convert(self, inputs: Sequence[Path], to: str, outdir: Path, *, timeout: float = 300) -> list[Path]:
        """Convert ``inputs`` as :func:`convert` does, handing the work to the started LibreOffice; returns the
        output paths once LibreOffice has exited."""
        outputs = _outputs(inputs, to, outdir)
        args = (self._soffice, self._profile, self._lock)
        if self._server is None:
            return _converted(outputs, _convert_on(*args, self._reused, to, outdir, inputs, outputs, timeout))
        proc = _run(*args, to, outdir, inputs, timeout)
        if all(p.exists() for p in outputs):
            self.stop(settle=SETTLE_SECONDS)
            return _converted(outputs, proc)
        self.stop()  # it took the request and failed, or died: a run of its own decides
        return _converted(outputs, _convert_on(*args, self._reused, to, outdir, inputs, outputs, timeout))

    def stop(self, *, settle: float = 0.0) -> None:
        """Let the started LibreOffice exit by itself within ``settle`` seconds, else stop its process group
        (SIGTERM, then SIGKILL); then dismiss the guard. Safe to call again."""
        server = self._server
        if server is not None and server.returncode is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(settle)
            for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                if server.returncode is not None:
                    break
                with contextlib.suppress(OSError):
                    os.killpg(server.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(grace)
        guard, self._guard = self._guard, None
        if guard is not None:
            with contextlib.suppress(OSError, ValueError):
                assert guard.stdin is not None
                guard.stdin.write(b"done\n")
                guard.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                guard.wait(5)


@contextlib.contextmanager
def started() -> Iterator[Started]:
    """LibreOffice started now, on the profile :func:`convert` would use, so that it gets ready while the caller
    makes the file to convert; ``convert`` on the yielded :class:`Started` hands it the work. However the block
    ends (done, an error, Ctrl+C), LibreOffice is gone when it has; if this process is killed, its guard stops
    LibreOffice. Without LibreOffice, :class:`~toolkit.errors.OfficeMissingError` at once."""
    with early() as office:
        if office is None:
            raise _missing_office()
        yield office


@contextlib.contextmanager
def early() -> Iterator[Started | None]:
    """As :func:`started`, but None where LibreOffice is not installed: for a caller that may not need it (a
    report is refused after its check), so that the missing LibreOffice is reported only where it is needed.
    A LibreOffice :func:`prestart` started is taken over."""
    global _PENDING
    pending, _PENDING = _PENDING, None
    if pending is not None:
        stack, office = pending
        with stack:
            yield office
        return
    with _start() as office:
        yield office


_PENDING: tuple[contextlib.ExitStack, Started | None] | None = None
"""The LibreOffice :func:`prestart` started, until :func:`early` takes it over (or the process exits)."""


@contextlib.contextmanager
def _start() -> Iterator[Started | None]:
    soffice = find_soffice()
    if soffice is None:
        yield None
        return
    with _profile() as (profile, lock, reused):
        _prepare(profile)
        office = Started(soffice, profile, lock, reused)
        try:
            yield office
        finally:
            office.stop()


def prestart() -> None:
    """Start LibreOffice now for a conversion this process will ask for soon (the command line knows before its
    framework is even imported); the next :func:`early` takes it over. If none does, it is stopped at exit (and by
    its guard if this process is killed)."""
    global _PENDING
    if _PENDING is not None:
        return
    stack = contextlib.ExitStack()
    _PENDING = stack, stack.enter_context(_start())
    import atexit

    atexit.register(_stop_pending)


def _stop_pending() -> None:
    global _PENDING
    pending, _PENDING = _PENDING, None
    if pending is not None:
        pending[0].close()
