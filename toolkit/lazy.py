"""A module-level regular expression compiled the first time it is used.

Compiling a pattern costs far more than most matches, and a one-file ``toolkit check`` imports modules whose
patterns it never runs (the label matcher's, the importer's, the reader's fallbacks). ``_CELL =
pattern(rb"…", re.DOTALL)`` reads as ``re.compile`` and is used as a compiled pattern (``_CELL.match(xml)``);
the real compile happens on the first attribute looked up, whose bound method is then kept on the object, so
later calls cost what the compiled pattern's own methods cost.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import AnyStr


class _Lazy:
    __slots__ = ("__dict__", "_flags", "_source")

    def __init__(self, source: str | bytes, flags: int) -> None:
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str) -> object:
        value = getattr(re.compile(self._source, self._flags), name)
        self.__dict__[name] = value  # a bound method of the compiled pattern: the next lookup finds it here
        return value

    def __repr__(self) -> str:
        return f"pattern({self._source!r})"


def pattern(source: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(source, flags)``, done on first use."""
    return _Lazy(source, flags)  # type: ignore[return-value]  # behaves as the pattern (attributes, methods)
