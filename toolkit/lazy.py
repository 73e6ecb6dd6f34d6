"""Regular expressions at the cost of a match: compiled on first use, and compiled once per interpreter.

Compiling a pattern costs far more than most matches — the ``re`` compiler is Python code, and a class of Chinese
punctuation (``[，。；：、]``) makes it build a 64 K-entry table: a one-file ``toolkit check`` spent more on
compiling its ~40 patterns than on all its rules. So:

- :func:`pattern`: ``_CELL = pattern(rb"…", re.DOTALL)`` reads as ``re.compile`` and is used as a compiled pattern
  (``_CELL.match(xml)``); the compile happens on the first attribute looked up, whose bound method is then kept on
  the object, so later calls cost what the compiled pattern's own methods cost. A check imports modules whose
  patterns it never runs (the label matcher's, the importer's, the reader's fallbacks).
- :func:`compiled`: ``re.compile`` for a pattern that is used at once (a format's rule parameters), and what
  :func:`pattern` compiles with. What the ``re`` compiler makes of a pattern (its opcodes and group names) is a pure
  function of the pattern, its flags and the interpreter, so it is kept in the toolkit's cache folder, one file per
  interpreter (``re-cpython-311.marshal``: marshal data, values only, nothing in it runs), and a pattern found
  there is handed to the regex engine directly (``_sre.compile``, what ``re.compile`` itself ends with; the engine
  checks the opcodes it is given) — ~50× cheaper than compiling it. The file names the interpreter's exact version
  and regex-engine magic number in its first line, with a checksum of the rest: one of another version, altered or
  truncated is ignored (and rewritten). Patterns compiled afresh are added when the process ends (:func:`save`;
  the hot path calls it before ``os._exit``), atomically, at most :data:`KEEP` of them. Where the folder cannot be
  written, or this interpreter's ``re`` is not built that way, patterns are compiled as ``re.compile`` does.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any, AnyStr

KEEP = 512
"""Most compiled patterns the cache file holds (the newest are kept)."""
MAGIC = b"gk-re-cache"
"""The first word of the cache file."""

_TABLE: dict[tuple[str | bytes, int], tuple[Any, ...]] = {}
"""(pattern, flags) → the arguments of ``_sre.compile`` after the pattern, for this interpreter."""
_STATE = {"loaded": False, "new": False}


class _Lazy:
    __slots__ = ("__dict__", "_flags", "_source")

    def __init__(self, source: str | bytes, flags: int) -> None:
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str) -> object:
        value = getattr(compiled(self._source, self._flags), name)  # type: ignore[type-var]
        self.__dict__[name] = value  # a bound method of the compiled pattern: the next lookup finds it here
        return value

    def __repr__(self) -> str:
        return f"pattern({self._source!r})"


def pattern(source: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(source, flags)``, done on first use."""
    return _Lazy(source, flags)  # type: ignore[return-value]  # behaves as the pattern (attributes, methods)


def compiled(source: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(source, flags)``, from this interpreter's cache of compiled patterns where it holds it."""
    key = (source, int(flags))
    if not _STATE["loaded"]:
        _load()
    entry = _TABLE.get(key)
    if entry is not None:
        try:
            return _engine().compile(source, *entry)  # type: ignore[no-any-return]
        except Exception:  # an entry the engine refuses: compiled afresh below, and replaced
            _TABLE.pop(key, None)
    made, entry = _compile(source, key[1])
    if entry is not None:
        _TABLE[key] = entry
        if not _STATE["new"]:
            _STATE["new"] = True
            import atexit

            atexit.register(save)
    return made


def _engine() -> Any:
    import _sre  # type: ignore[import-not-found]  # the regex engine re compiles for (no stubs)

    return _sre


def _compile(source: AnyStr, flags: int) -> tuple[re.Pattern[AnyStr], tuple[Any, ...] | None]:
    """``source`` compiled as ``re.compile`` does, with what :func:`compiled` needs to make it again (None where
    this interpreter's ``re`` is not built as CPython 3.11–3.13's, or for a debugging flag)."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        if flags & re.DEBUG or not isinstance(source, (str, bytes)):
            raise TypeError
        parsed = _parser.parse(source, flags)
        code = [int(op) for op in _compiler._code(parsed, flags)]
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        entry = (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
        return _engine().compile(source, *entry), entry
    except re.error:  # the pattern's own fault: as re.compile reports it
        raise
    except Exception:  # an interpreter whose re is built otherwise
        return re.compile(source, flags), None


def _header(body: bytes) -> bytes:
    import sys
    import zlib

    engine = _engine()
    return b" ".join([MAGIC, b"1", sys.implementation.name.encode(), b"%x" % sys.hexversion,
                      b"%d" % engine.MAGIC, b"%d" % engine.CODESIZE, b"%08x" % zlib.crc32(body)])


def cache_file() -> str:
    """The cache of this interpreter's compiled patterns: in ``GK_CACHE_DIR``, else ``$XDG_CACHE_HOME/gk-toolkit``
    (``~/.cache``), or ``%LOCALAPPDATA%\\gk-toolkit`` on Windows (where :func:`toolkit.office.cache_dir` is)."""
    import os
    import sys

    folder = os.environ.get("GK_CACHE_DIR")
    if not folder:
        if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
            folder = os.path.join(os.environ["LOCALAPPDATA"], "gk-toolkit")
        else:
            home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
            folder = os.path.join(home, "gk-toolkit")
    return os.path.join(folder, f"re-{sys.implementation.cache_tag}.marshal")


def _load() -> None:
    """Fill the table from the cache file, if there is one this interpreter made."""
    import marshal

    _STATE["loaded"] = True
    try:
        with open(cache_file(), "rb") as f:
            head, _, body = f.read().partition(b"\n")
        if head != _header(body):
            return
        held = marshal.loads(body)
    except (OSError, ValueError, EOFError, TypeError, ImportError, AttributeError):
        return
    if type(held) is dict:
        for key, entry in held.items():
            if type(key) is tuple and type(entry) is tuple:
                _TABLE.setdefault(key, entry)


def save() -> None:
    """Write the patterns compiled afresh by this process into the cache file (with those it held); nothing
    happens where nothing is new or the folder cannot be written."""
    if not _STATE["new"]:
        return
    _STATE["new"] = False
    import contextlib
    import marshal
    import os
    import tempfile

    target = cache_file()
    kept = dict(list(_TABLE.items())[-KEEP:])
    try:
        body = marshal.dumps(kept)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~gk-", suffix=".marshal", dir=os.path.dirname(target))
    except (OSError, ValueError):
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_header(body) + b"\n" + body)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
