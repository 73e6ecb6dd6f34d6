"""Reading the 说明 a unit wrote for its warnings: the 说明 sheet the template provides (规则编号 | 说明), or a 说明
column the unit added to the 校验 sheet (matched by the rule's title in its 校验项目 column).

It reads through the check's own :class:`~toolkit.workbook.book.Book` (the bytes the safety gate checked, calamine
opened once), cell values only, at most :data:`MAX_ROWS` rows and :data:`MAX_TEXT` characters per 说明.
"""

from __future__ import annotations

from toolkit.data import Location
from toolkit.rules.findings import CellRef
from toolkit.spec.models import ReportSpec
from toolkit.workbook.a1 import column_letters

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

    from toolkit.workbook.book import Book

MAX_ROWS = 500
"""Rows read from each sheet."""

MAX_TEXT = 2_000
"""Characters kept of one 说明."""


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()[:MAX_TEXT]


def _rows(book: Book, name: str) -> list[list[Any]]:
    """The sheet's first :data:`MAX_ROWS` rows from A1 (None for empty cells); [] when calamine cannot read it."""
    from toolkit.errors import HostileWorkbookError, WorkbookError

    try:
        grid = book.grid(name)
    except HostileWorkbookError:
        raise
    except WorkbookError:  # a sheet calamine cannot read holds no 说明 we can use
        return []
    if grid is None:
        return []
    width = grid.left + max((len(line) for line in grid.rows), default=0)
    return [[grid.get(r, c) for c in range(width)] for r in range(min(MAX_ROWS, grid.top + len(grid.rows)))]


def read_explanations(book: Book, spec: ReportSpec) -> dict[str, tuple[str, CellRef]]:
    """Rule id → (说明 text, where it is) for every non-blank 说明 in the workbook (empty when it has none)."""
    from toolkit.template.explain import RULE_ID_COLUMN, TEXT_COLUMN, sheet_name

    rules = {r.id: r for r in spec.rules}
    found: dict[str, tuple[str, CellRef]] = {}
    names = set(book.sheet_names)
    name = sheet_name()
    if name in names:
        for r, row in enumerate(_rows(book, name)):
            cells = row + [None] * (TEXT_COLUMN + 1 - len(row))
            rule_id, text = _text(cells[RULE_ID_COLUMN]), _text(cells[TEXT_COLUMN])
            if rule_id in rules and text:
                where = Location(name, f"{column_letters(1 + TEXT_COLUMN)}{r + 1}")
                found[rule_id] = (text, CellRef(f"notes.{rule_id}", rules[rule_id].title.zh, where))
    checks = spec.sheets.get("checks")
    if checks in names:
        by_title = {r.title.zh: r.id for r in spec.rules}
        for rule_id, entry in _checks_column(checks, _rows(book, str(checks)), by_title, rules).items():
            found.setdefault(rule_id, entry)
    return found


def _checks_column(title: str, rows: list[list[Any]], by_title: dict[str, str],
                   rules: dict[str, Any]) -> dict[str, tuple[str, CellRef]]:
    """A 说明 column the unit added to the 校验 sheet: its header in the first rows, rule titles in column C."""
    column = None
    for row in rows[:6]:
        for c, value in enumerate(row):
            if _text(value) == "说明":
                column = c
    found: dict[str, tuple[str, CellRef]] = {}
    if column is None:
        return found
    for r, row in enumerate(rows):
        cells = row + [None] * (max(column, 2) + 1 - len(row))
        rule_id = by_title.get(_text(cells[2]))
        text = _text(cells[column])
        if rule_id and text and text != "说明" and rule_id not in found:
            where = Location(title, f"{column_letters(1 + column)}{r + 1}")
            found[rule_id] = (text, CellRef(f"notes.{rule_id}", rules[rule_id].title.zh, where))
    return found
