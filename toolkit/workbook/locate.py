"""What a locator finds: where a workbook's cells, info fields and texts are (:class:`Located`), whether the
template's marker names found them (:mod:`toolkit.workbook.by_names`) or the printed labels did
(:mod:`toolkit.workbook.by_labels`)."""

from __future__ import annotations

from toolkit.data import LabelSeen, Location, TextValue
from toolkit.record import field, record
from toolkit.workbook.a1 import split_a1
from toolkit.workbook.book import Book


@record
class Located:
    """Where a workbook's cells, info fields and texts are (what a locator found)."""

    format_id: str
    """The format the workbook is read in."""
    mode: str
    """``names`` or ``labels``."""
    cells: dict[str, Location] = field(default_factory=dict)
    """Cell key → where its value is."""
    info: dict[str, tuple[object, Location]] = field(default_factory=dict)
    """Info field id → (raw value, where)."""
    texts: dict[str, TextValue] = field(default_factory=dict)
    """Narrative sections found."""
    labels: list[LabelSeen] = field(default_factory=list)
    """Labels that differ from the official text."""


def value_at(book: Book, sheet: str, cell: str) -> object:
    """The value calamine reads at ``sheet!cell`` (None when empty or there is no such sheet)."""
    grid = book.grid(sheet)
    return grid.get(*split_a1(cell)) if grid is not None else None
