"""The template's marker, the one home of its protocol: defined names that say where each cell is.

A workbook made by ``toolkit template`` carries workbook-level defined names ``GK.<cell key>``, ``GK.info.<field>``,
``GK.text.<section>`` (a text longer than one cell goes on in ``GK.text.<section>.2`` …) and ``GK.format``, which
names 基本信息's 格式 cell (the format id). Names follow inserted rows and renamed or moved sheets, so the reader
finds the cells wherever they went. Excel compares names case-insensitively, so the reader does too (it folds them
to lower case). A workbook from an earlier version has no ``GK.format`` but a veryHidden sheet ``_toolkit`` whose
A1 says ``gk-toolkit`` and whose B2 holds the format id.

The template writer and the reader both spell names through this module; it imports nothing heavier than
:mod:`toolkit.workbook.a1`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from toolkit.workbook.a1 import parse_reference

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Protocol

    class NamedRange(Protocol):
        """A defined name as the workbook lists it (:class:`toolkit.workbook.parts.DefinedName`)."""

        @property
        def name(self) -> str: ...
        @property
        def text(self) -> str: ...
        @property
        def local_sheet(self) -> int | None: ...

PREFIX = "GK."
"""Every marker name starts so."""
FORMAT_NAME = PREFIX + "format"
"""Names the cell holding the format id."""
MARKER_SHEET = "_toolkit"
"""The veryHidden sheet of an earlier version's template."""
MARKER_TAG = "gk-toolkit"
"""What that sheet's A1 says."""
MARKER_TAG_CELL = "A1"
"""Where it says it."""
MARKER_FORMAT_CELL = "B2"
"""Where that sheet holds the format id."""


def cell_name(key: str) -> str:
    """The name of a table cell: ``s3.new_received.total`` → ``GK.s3.new_received.total``."""
    return f"{PREFIX}{key}"


def info_name(field_id: str) -> str:
    """The name of a 基本信息 field's cell: ``organ`` → ``GK.info.organ``."""
    return f"{PREFIX}info.{field_id}"


def text_name(section_id: str, piece: int = 1) -> str:
    """The name of a narrative section's cell (``piece`` 2, 3 … for the cells a long text spills into)."""
    return f"{PREFIX}text.{section_id}" + (f".{piece}" if piece > 1 else "")


def folded(name: str) -> str:
    """A name as the reader compares it (Excel ignores case in names)."""
    return name.lower()


@functools.lru_cache(maxsize=16)
def folded_cell_names(keys: tuple[str, ...]) -> tuple[str, ...]:
    """``folded(cell_name(key))`` of each key (a format's few hundred cells, looked up on every read)."""
    return tuple(folded(cell_name(key)) for key in keys)


def marker_names(names: Iterable[NamedRange]) -> dict[str, tuple[str, str]]:
    """Folded ``gk.…`` name → (sheet, A1) for every marker name that points at a cell; workbook-level names win
    over sheet-level ones of the same name."""
    local: dict[str, tuple[str, str]] = {}
    workbook: dict[str, tuple[str, str]] = {}
    prefix = folded(PREFIX)
    for name in names:
        key = folded(name.name)
        if key.startswith(prefix):
            ref = parse_reference(name.text)
            if ref is not None:
                (workbook if name.local_sheet is None else local)[key] = ref
    local.update(workbook)
    return local
