"""Put a workbook's cached formula results back into a copy of it that openpyxl saved.

openpyxl writes every formula with an empty result (``<f>SUM(…)</f><v></v>``). Excel recalculates on opening,
but WPS and LibreOffice may show the cached result, so a highlighted copy would show blank totals and a blank
校验 sheet until someone edits a cell. The copy changes no value and no formula, so the source's cached
results are still the right ones: each empty result is filled from the same cell of the same sheet in the
source, with its type (number, text, boolean, error). Sheets are matched by name (the copy has a sheet more).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from toolkit.workbook.parts import XmlCell, inspect_cells, parse_workbook
from toolkit.workbook.safety import Package, open_package

_EMPTY_RESULT = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*)>(<f(?:\s[^>]*)?>[^<]*</f>)<v></v></c>')
"""A formula cell with an empty result as openpyxl writes it (formula text holds no "<": it is escaped)."""
_TYPE = re.compile(rb'\st="[^"]*"')
_TYPES = {"str": b' t="str"', "b": b' t="b"', "e": b' t="e"'}


def restore_cached_values(source: Package, copy: Path) -> int:
    """Fill the empty formula results in the .xlsx at ``copy`` from ``source``; returns how many were filled.

    The copy is rewritten in place (it is the caller's temporary file). A cell whose source has no cached
    result, or no formula, is left as it is.
    """
    copied = open_package(copy)
    parts = {s.name: s.part for s in parse_workbook(source).sheets if s.part}
    changed: dict[str, bytes] = {}
    filled = 0
    for sheet in parse_workbook(copied).sheets:
        origin = parts.get(sheet.name)
        if origin is None or sheet.part is None:
            continue
        xml = copied.read(sheet.part)
        refs = {m.group(1).decode("ascii") for m in _EMPTY_RESULT.finditer(xml)}
        if not refs:
            continue
        cached = inspect_cells(source.read(origin), refs)

        def fill(match: re.Match[bytes], cached: dict[str, XmlCell] = cached) -> bytes:
            nonlocal filled
            cell = cached.get(match.group(1).decode("ascii"))
            if cell is None or cell.formula is None or not cell.value:
                return match.group(0)
            filled += 1
            attrs = _TYPE.sub(b"", match.group(2)) + _TYPES.get(cell.type or "n", b"")
            value = escape(cell.value).encode("utf-8")
            return b'<c r="%s"%s>%s<v>%s</v></c>' % (match.group(1), attrs, match.group(3), value)

        new = _EMPTY_RESULT.sub(fill, xml)
        if new != xml:
            changed[sheet.part] = new
    if changed:
        _rewrite(copy, changed)
    return filled


def _rewrite(path: Path, parts: dict[str, bytes]) -> None:
    """Replace ``parts`` in the zip at ``path`` (entries keep their order and compression)."""
    scratch = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info, parts.get(info.filename, zin.read(info.filename)))
        scratch.replace(path)
    finally:
        scratch.unlink(missing_ok=True)
