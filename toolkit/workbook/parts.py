"""The little of SpreadsheetML the reader parses itself: sheets and defined names from ``xl/workbook.xml``
(calamine has no defined-names API), and a cell's type, formula and cached value from a sheet's XML (calamine
returns '' for both an Excel error and a formula saved without its result).

Every part comes from a :class:`toolkit.workbook.safety.Package`, so it is bounded and free of DTDs; the two
structural parts are still parsed defensively, by expat's event interface (what ElementTree parses with, without
building a tree or importing ElementTree): a DOCTYPE or an entity declaration is refused (OPC forbids DTDs in a
package). Sheet XML is only scanned (a regex over checked bytes, ~100× faster than a parse).
"""

from __future__ import annotations

import collections
import functools
import re
from xml.parsers import expat

from toolkit.errors import WorkbookError
from toolkit.lazy import pattern
from toolkit.messages import msg
from toolkit.record import record
from toolkit.workbook.opc import part_named, resolve_target
from toolkit.workbook.safety import Package

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)

WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


@record(frozen=True)
class SheetEntry:
    """A sheet as listed in workbook.xml."""

    name: str
    """The sheet's name (its tab)."""
    state: str
    """``visible``, ``hidden`` or ``veryHidden``."""
    part: str | None
    """Its XML part in the zip (e.g. ``xl/worksheets/sheet3.xml``), None when the relationship is missing."""


if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NamedTuple

    class DefinedName(NamedTuple):
        """A defined name: its text, and its scope (None = workbook-level). A tuple: a template has hundreds, read on
        every check."""

        name: str
        """As written (Excel compares names case-insensitively)."""
        text: str
        """What it refers to, e.g. ``'三 依申请公开'!$D$8``."""
        local_sheet: int | None
        """Index of the sheet it is local to, None for a workbook-level name."""
else:  # the same tuple without importing typing (the check path does not)
    DefinedName = collections.namedtuple("DefinedName", ("name", "text", "local_sheet"))


@record(frozen=True)
class WorkbookXml:
    """What workbook.xml says: sheets in tab order and defined names."""

    sheets: tuple[SheetEntry, ...]
    """Sheets in tab order."""
    names: tuple[DefinedName, ...]
    """Defined names in file order."""

    def sheet(self, name: str) -> SheetEntry | None:
        """The sheet called ``name`` (None if there is none)."""
        return next((s for s in self.sheets if s.name == name), None)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Unparsable(Exception):
    """A structural part that does not parse (its name is the argument)."""


class _Refused(Exception):
    """A DTD or an entity declaration in a structural part."""


def _refuse(*_args: object) -> None:
    raise _Refused


def _parse(data: bytes, part: str, start: Callable[[str, dict[str, str]], None],
           end: Callable[[str], None], text: Callable[[str], None] | None = None) -> None:
    """Parse a small structural part (workbook.xml, its relationships) with expat, calling ``start(tag, attrs)``
    and ``end(tag)`` for each element and ``text`` for character data. Tags and attribute names are
    ``namespace}local`` (ElementTree's ``{namespace}local`` without the brace), or ``local`` outside a namespace.
    :class:`_Unparsable` for what does not parse, a DOCTYPE and an entity declaration."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _Refused, ValueError, LookupError):  # LookupError: an encoding= Python lacks
        raise _Unparsable(part) from None


def _relationships(data: bytes) -> dict[str, str]:
    """Relationship id → resolved target part, of every internal relationship (a child of the root) in a
    relationships part."""
    targets: dict[str, str] = {}
    depth = 0

    def start(_tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 2:
            target = attrs.get("Target", "")
            if attrs.get("TargetMode") != "External" and target:
                targets[attrs.get("Id", "")] = resolve_target(target)

    def end(_tag: str) -> None:
        nonlocal depth
        depth -= 1

    _parse(data, WORKBOOK_RELS, start, end)
    return targets


def parse_workbook(package: Package) -> WorkbookXml:
    """Sheets (with their parts) and defined names of a checked package.

    The two parts are parsed once per distinct content (:func:`_parsed`: a folder's units filled in one template
    mostly share them byte for byte), then the sheets' parts are looked up among this package's own."""
    try:
        workbook = package.read(WORKBOOK_PART)
        rels = package.read(WORKBOOK_RELS) if WORKBOOK_RELS in package.infos else None
    except KeyError:
        raise WorkbookError(msg("reader.bad_structure", part=WORKBOOK_PART), path=package.path) from None
    try:
        sheets, names = _parsed(workbook, rels)
    except _Unparsable as exc:
        raise WorkbookError(msg("reader.bad_structure", part=exc.args[0]), path=package.path) from None
    return WorkbookXml(tuple(SheetEntry(name, state, part_named(package.infos, part)) for name, state, part in sheets),
                       names)


@functools.lru_cache(maxsize=32)
def _parsed(workbook: bytes, rels: bytes | None) -> tuple[tuple[tuple[str, str, str | None], ...],
                                                          tuple[DefinedName, ...]]:
    """(name, state, target part as resolved) of each sheet in tab order, and the defined names in file order, of
    a workbook.xml and its relationships (None when there are none); :class:`_Unparsable` when either does not
    parse. A pure function of the two parts' bytes, kept for the last few distinct ones."""
    targets = _relationships(rels) if rels is not None else {}
    sheets: list[tuple[str, str, str | None]] = []
    names: list[tuple[str, list[str], int | None]] = []  # name, its text's pieces, its sheet; in document order
    # A name's text is ElementTree's .text: what comes between its start tag and the next tag, whichever it is
    text: list[list[str] | None] = [None]  # the pieces of the name whose text is being read, if any

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag.endswith("definedName") and (len(tag) == 11 or tag[-12] == "}"):
            local = attrs.get("localSheetId")
            pieces: list[str] = []
            names.append((attrs.get("name", ""), pieces, int(local) if local and local.isdecimal() else None))
            text[0] = pieces
            return
        text[0] = None
        if tag == "sheet" or tag.endswith("}sheet"):
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), targets.get(rid)))

    def data(chunk: str) -> None:
        pieces = text[0]
        if pieces is not None:
            pieces.append(chunk)

    def end(_tag: str) -> None:
        text[0] = None

    _parse(workbook, WORKBOOK_PART, start, end, data)
    return tuple(sheets), tuple(DefinedName(name, "".join(pieces).strip(), local) for name, pieces, local in names)


@record(frozen=True)
class XmlCell:
    """A cell as stored in the sheet XML."""

    ref: str
    """A1 reference."""
    type: str | None
    """The ``t`` attribute: None/"n" number, "s" shared string, "str" formula text, "e" error, "b", "inlineStr"."""
    formula: str | None
    """The formula text ("" for a shared formula's dependent cell), None when the cell holds no formula."""
    value: str | None
    """The cached ``<v>`` text, None when absent, "" when empty."""


_CELL = pattern(
    rb"<(?P<p>(?:[\w.-]+:)?)c(?=[\s/>])(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)c\s*>)", re.DOTALL
)
_ATTR_R = pattern(rb"""\sr\s*=\s*["']([A-Za-z]{1,3}[0-9]{1,7})["']""")
_ATTR_T = pattern(rb"""\st\s*=\s*["']([A-Za-z]+)["']""")
_F = pattern(rb"<(?:[\w.-]+:)?f(?=[\s/>])[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f\s*>)", re.DOTALL)
_V = pattern(rb"<(?:[\w.-]+:)?v(?=[\s/>])[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?v\s*>)", re.DOTALL)


def _text(raw: bytes | None) -> str:
    text = raw.decode("utf-8", "replace") if raw else ""
    if "&" not in text:  # what html.unescape returns too; most values have no reference to resolve
        return text
    import html

    return html.unescape(text)


def _cell(match: re.Match[bytes]) -> tuple[str, XmlCell] | None:
    """The cell a ``_CELL`` match found, with its reference (None for a cell without one)."""
    ref_match = _ATTR_R.search(match.group("attrs"))
    if ref_match is None:
        return None
    ref = ref_match.group(1).decode("ascii").upper()
    type_match = _ATTR_T.search(match.group("attrs"))
    body = match.group("body") or b""
    f_match = _F.search(body)
    v_match = _V.search(body)
    return ref, XmlCell(
        ref,
        type_match.group(1).decode("ascii") if type_match else None,
        _text(f_match.group(1)) if f_match else None,
        _text(v_match.group(1)) if v_match else None,
    )


def _find_cell(xml: bytes, ref: str) -> XmlCell | None:
    """The cell ``ref`` found by its ``r="D8"`` alone (no pass over the whole sheet); None when that is not sure."""
    at = xml.find(b' r="' + ref.encode("ascii") + b'"')
    start = xml.rfind(b"<", 0, at) if at >= 0 else -1
    if start < 0 or b">" in xml[start:at]:
        return None
    match = _CELL.match(xml, start)
    found = _cell(match) if match is not None else None
    return found[1] if found is not None and found[0] == ref else None


def inspect_cells(xml: bytes, refs: set[str]) -> dict[str, XmlCell]:
    """Type, formula and cached value of the cells ``refs`` (A1, upper case) in one sheet's XML.

    A few cells are found by their references (calamine gives every other value: only its blanks are looked up);
    anything unusual (a cell written otherwise, or absent) is looked for in one pass over the sheet."""
    quick = {ref: _find_cell(xml, ref) for ref in refs} if len(refs) <= 16 else {}
    if quick and all(cell is not None for cell in quick.values()):
        return {ref: cell for ref, cell in quick.items() if cell is not None}
    found: dict[str, XmlCell] = {}
    for match in _CELL.finditer(xml):
        cell = _cell(match)
        if cell is None or cell[0] not in refs:
            continue
        found[cell[0]] = cell[1]
        if len(found) == len(refs):
            break
    return found
