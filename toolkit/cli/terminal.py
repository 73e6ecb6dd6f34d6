"""The desk's terminal output (rich): the roster, the returns written, a comparison. Unit strings are escaped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from toolkit.desk.sheets import printable


def _text(value: object) -> str:
    return escape(printable("" if value is None else value))


def print_table(console: Console, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A titled table of plain cells."""
    table = Table(title=_text(title), show_lines=False, title_justify="left")
    for name in header:
        table.add_column(_text(name), overflow="fold")
    for row in rows:
        table.add_row(*(_text(v) for v in row))
    console.print(table)
