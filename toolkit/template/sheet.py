"""The worksheet class of every sheet the template writer makes: xlsxwriter's, with its formula preparation cut
short where it would change nothing.

xlsxwriter prepares every formula it writes (cells, and since 3.3 every conditional format and data validation
too) by trying ~130 regular expressions on it, one per newer Excel function it prefixes with ``_xlfn.``
(``\\bFILTER\\(`` → ``_xlfn._xlws.FILTER(``): ~0.2 ms a formula, a third of a template's time, on formulas that
use only SUM, IF, ABS and AND. Every one of those expressions ends with ``(`` and matches within the name before
it, so a formula none of whose names would be prefixed comes back as it went in, stripped of its ``=`` and braces.
:meth:`Sheet._prepare_formula` asks xlsxwriter itself, once per distinct name, whether it would prefix that name
(with a character before it, which only widens what matches), and hands any formula with such a name, or with
``_xlfn.`` already, to xlsxwriter's own method. A test holds the two methods together on every formula of both
formats' templates and on formulas with the newer functions.
"""

from __future__ import annotations

import re

from xlsxwriter.worksheet import Worksheet

_CALL = re.compile(r"([\w.]*)\(")
"""Each ``(`` with the whole name before it (letters, digits, ``_`` and ``.``; empty for a bare parenthesis)."""


class Sheet(Worksheet):  # type: ignore[misc]  # xlsxwriter ships no type information (pyproject)
    """xlsxwriter's :class:`Worksheet` with a shorter way through :meth:`_prepare_formula`."""

    _kept_names: dict[str, bool] = {}  # noqa: RUF012 (one table for every sheet: a pure function of xlsxwriter)
    """Name → whether xlsxwriter leaves ``+NAME(`` as it is (for any formula)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        text = formula[1:] if formula.startswith("{") else formula  # as xlsxwriter strips it
        text = text[1:] if text.startswith("=") else text
        text = text[:-1] if text.endswith("}") else text
        if "_xlfn." not in text and all(self._kept(call.group(1)) for call in _CALL.finditer(text)):
            return text
        return str(super()._prepare_formula(formula, expand_future_functions))

    def _kept(self, name: str) -> bool:
        kept = self._kept_names.get(name)
        if kept is None:
            probe = f"+{name}("
            kept = self._kept_names[name] = super()._prepare_formula(probe, True) == probe
        return kept
