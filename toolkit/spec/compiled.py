"""The format files compiled once: ``formats/<id>.yaml`` parsed, built, checked, and kept as
``<id>.compiled.marshal``.

Parsing the YAML costs more than a whole check of a workbook (and importing PyYAML as much again), and building and
checking the model objects from it as much again; all of it is a pure function of the YAML's content and of the
code that builds and checks it. So the *built* spec is cached beside the YAML (:mod:`toolkit.spec.built` says in
what shape: plain tuples, lists, strings and numbers), marshalled, which the interpreter reads back in a fraction
of a millisecond without importing anything, and :func:`toolkit.spec.built.decode` turns into the records without
checking them again. Marshal data holds values only: loading it runs nothing (it is never a pickle).

The cache's first line is text and records what it was made from — the SHA-256 of the YAML, a checksum of the code
(:func:`toolkit.spec.built.code_digest`) and one of the rest of the file — and the cache is used only while all
three still match, the last checked before the rest is unmarshalled: one that is stale, made by other code,
altered, truncated, unreadable or of another shape is never used; the spec is built from the YAML and the cache
rewritten. It is rewritten with an atomic write (a temporary file renamed over it); where the package folder is
not writable (an installed package owned by root) the spec is kept in memory for the run. The wheel ships the
caches built (``python -m toolkit.dev regenerate`` writes them; a test checks they are current).
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

    from toolkit.spec.models import ReportSpec

CACHE_VERSION = 2
"""Bumped when the cache's own layout changes (2: the built spec, marshalled, instead of the parsed YAML as JSON)."""
MAGIC = b"gk-spec-cache"
"""The first word of a cache file."""
MARSHAL_VERSION = 0
"""Marshal's format 0: no shared references or interning flags, so the same spec always gives the same bytes (the
committed cache is compared byte for byte with a fresh one)."""
FORMATS_DIR = Path(__file__).resolve().parent.parent / "formats"
"""Where the format files (and their caches) are."""


def digest(source: bytes) -> str:
    """SHA-256 of ``source`` in hex, from the interpreter's built-in module where it has one (``hashlib`` would load
    OpenSSL, which costs more than the rest of reading the cache)."""
    if not _SHA256:  # Python 3.11's module, 3.12's, and the OpenSSL one (hashlib) as a last resort
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            try:
                from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
            except ImportError:
                from hashlib import sha256  # type: ignore[assignment,no-redef,unused-ignore]
        _SHA256.append(sha256)
    return str(_SHA256[0](source).hexdigest())


_SHA256: list[Any] = []


def checksum(data: bytes) -> str:
    """CRC-32 of ``data`` in hex: what tells a cache's body from one truncated or altered since its first line was
    written (~20× cheaper than SHA-256 on the ~90 KB body; no one forges it: whoever could would edit the code)."""
    import zlib

    return f"{zlib.crc32(data):08x}"


def yaml_path(format_id: str) -> Path:
    """The format file of ``format_id``."""
    return FORMATS_DIR / f"{format_id}.yaml"


def cache_path(format_id: str) -> Path:
    """The compiled cache of ``format_id``."""
    return FORMATS_DIR / f"{format_id}.compiled.marshal"


def parse_yaml(text: str) -> Any:
    """The YAML ``text`` parsed with the safe loader (libyaml's when PyYAML has it, ≈8× faster); a syntax error is
    a ValueError."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:  # a ValueError for the loader, which reports it in one line
        raise ValueError(str(exc)) from exc


def cached(format_id: str, source: bytes) -> ReportSpec | None:
    """The spec built from ``source`` (the YAML's bytes) as the cache holds it, or None when there is none usable."""
    from toolkit.spec.built import code_digest, decode

    try:
        with open(cache_path(format_id), "rb") as f:
            head, _, body = f.read().partition(b"\n")
        if (head.split(b" ") != [MAGIC, str(CACHE_VERSION).encode(), digest(source).encode(),
                                 checksum(body).encode(), str(code_digest()).encode()]):
            return None
        return decode(marshal.loads(body))
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError):
        return None  # unreadable, or (made by this very code, so never expected) of another shape


def compiled_text(source: bytes, spec: ReportSpec) -> bytes | None:
    """The cache file's bytes for ``spec`` built from ``source``, or None when it cannot hold that spec exactly
    (marshal cannot hold a YAML date, or the spec does not come back from its built form as it is: its repr keeps
    every order and type) or this code cannot be hashed."""
    from toolkit.spec.built import code_digest, decode, encode

    code = code_digest()
    try:
        body = marshal.dumps(encode(spec), MARSHAL_VERSION)
        same = repr(decode(marshal.loads(body))) == repr(spec)
    except (TypeError, ValueError, KeyError, EOFError):
        return None
    if not same or code is None:
        return None
    return b" ".join([MAGIC, str(CACHE_VERSION).encode(), digest(source).encode(), checksum(body).encode(),
                      code.encode()]) + b"\n" + body


def store(format_id: str, data: bytes) -> bool:
    """Write the cache atomically; False (nothing written, the caller keeps it in memory) where it cannot be."""
    import tempfile

    target = cache_path(format_id)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".~gk-", suffix=".marshal", dir=target.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # package data, readable by every user like the YAML beside it
        os.replace(tmp, target)
    except OSError:
        import contextlib  # only here: a check does not import contextlib

        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def source_bytes(format_id: str) -> bytes:
    """The YAML of ``format_id`` as stored."""
    return yaml_path(format_id).read_bytes()
