"""Part names in an Open Packaging Convention zip, the way Excel reads them: one home for resolving a relationship's
target and for finding a part whatever its case."""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Iterable

from toolkit.lazy import pattern

TARGET = pattern(rb"""\sTarget\s*=\s*["']([^"']*)["']""")
"""A relationship's target attribute in a ``.rels`` part (the raw bytes)."""


@functools.lru_cache(maxsize=4096)
def resolve_target(target: str, base: str = "xl") -> str:
    """A relationship target as a part name, the way Excel resolves it: relative to ``base`` unless absolute,
    backslashes as slashes, ``.`` and ``..`` folded (``/xl/../xl/worksheets/a.xml`` → ``xl/worksheets/a.xml``)."""
    target = target.replace("\\", "/")
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
    return posixpath.normpath(joined).lstrip("/")


@functools.lru_cache(maxsize=4096)
def readings(raw: bytes) -> frozenset[str]:
    """Every part name a reader may take a raw target for (calamine joins it to ``xl/`` as written, Excel folds
    ``..``): the gate checks each of them before a parser can read it."""
    target = raw.decode("utf-8", "replace").replace("\\", "/")
    return frozenset({target, target.lstrip("/"), "xl/" + target, resolve_target(target),
                      posixpath.normpath(target.lstrip("/")).lstrip("/")})


def part_named(names: Iterable[str], part: str | None) -> str | None:
    """The part called ``part`` among ``names``, compared case-insensitively as OPC part names are (None if absent)."""
    if part is None:
        return None
    folded = part.casefold()
    found = None
    for name in names:
        if name == part:
            return name
        if found is None and name.casefold() == folded:
            found = name
    return found
