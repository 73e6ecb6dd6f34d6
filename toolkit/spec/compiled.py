"""The format files compiled once: ``formats/<id>.yaml`` parsed, checked, and kept as ``<id>.compiled.json``.

Parsing the YAML costs more than a whole check of a workbook (and importing PyYAML as much again), so the parsed
form is cached beside it as JSON, which the standard library reads in a millisecond. The cache records the SHA-256
of the YAML it was made from and is used only while that still matches; it is never trusted blindly: one that is
stale, unreadable, of another shape, or that the loader rejects is rebuilt from the YAML. It is rebuilt with an
atomic write (a temporary file renamed over it); where the package folder is not writable (an installed package
owned by root) the parsed form is kept in memory for the run. The wheel ships the caches built
(``python -m toolkit.dev regenerate`` writes them; a test checks they are current).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

CACHE_VERSION = 1
"""Bumped when the cache's own layout changes."""
FORMATS_DIR = Path(__file__).resolve().parent.parent / "formats"
"""Where the format files (and their caches) are."""


def digest(source: bytes) -> str:
    """SHA-256 of ``source`` in hex, from the interpreter's built-in module where it has one (``hashlib`` would load
    OpenSSL, which costs more than the rest of reading the cache)."""
    import importlib

    for name in ("_sha256", "_sha2", "hashlib"):  # Python 3.11, 3.12 on, and the OpenSSL one as a last resort
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "sha256"):
            break
    return str(module.sha256(source).hexdigest())


def yaml_path(format_id: str) -> Path:
    """The format file of ``format_id``."""
    return FORMATS_DIR / f"{format_id}.yaml"


def cache_path(format_id: str) -> Path:
    """The compiled cache of ``format_id``."""
    return FORMATS_DIR / f"{format_id}.compiled.json"


def parse_yaml(text: str) -> Any:
    """The YAML ``text`` parsed with the safe loader (libyaml's when PyYAML has it, ≈8× faster); a syntax error is
    a ValueError."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:  # a ValueError for the loader, which reports it in one line
        raise ValueError(str(exc)) from exc


def cached(format_id: str, source: bytes) -> dict[str, Any] | None:
    """The parsed form of ``source`` (the YAML's bytes) from the cache, or None when there is none usable."""
    try:
        with open(cache_path(format_id), "rb") as f:
            held = json.loads(f.read())
    except (OSError, ValueError):
        return None
    if (not isinstance(held, dict) or held.get("version") != CACHE_VERSION
            or held.get("sha256") != digest(source) or not isinstance(held.get("data"), dict)):
        return None
    data: dict[str, Any] = held["data"]
    return data


def compiled_text(source: bytes, data: Any) -> str | None:
    """The cache file's text for ``data`` parsed from ``source``, or None when JSON cannot hold it exactly
    (a YAML date or a non-string key would come back as something else)."""
    try:
        text = json.dumps({"version": CACHE_VERSION, "sha256": digest(source), "data": data},
                          ensure_ascii=False, indent=1)  # key order is the format's order
    except (TypeError, ValueError):
        return None
    return text + "\n" if data_of(text) == data else None


def data_of(text: str) -> Any:
    """The parsed form held in a cache file's ``text``."""
    return json.loads(text)["data"]


def store(format_id: str, text: str) -> bool:
    """Write the cache atomically; False (nothing written, the caller keeps it in memory) where it cannot be."""
    import tempfile

    target = cache_path(format_id)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".~gk-", suffix=".json", dir=target.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # package data, readable by every user like the YAML beside it
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


def source_bytes(format_id: str) -> bytes:
    """The YAML of ``format_id`` as stored."""
    return yaml_path(format_id).read_bytes()
