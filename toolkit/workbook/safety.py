"""The safety gate every workbook passes before any parser (calamine, openpyxl, defusedxml) touches it.

:func:`open_package` reads the file once (:mod:`toolkit.workbook.container`: classified, its zip directory listed and
every entry size-checked), refuses what is not a plain .xlsx (a .docx renamed, macro-enabled …), and scans with
bounded work every XML part a parser will read: inflated chunk by chunk with its CRC checked (headers are not
trusted), no DTD or entity declaration (billion laughs, external entities), bounded elements, style records,
merges and string lengths, and the area each worksheet spans (calamine allocates a sheet's whole used range at
once, so two far-apart cells would exhaust memory). The parsers then read exactly the bytes that were checked.

With ``lazy=True`` only the parts read at once are scanned when the file is opened (content types, the package and
workbook relationships, workbook.xml, and every workbook relationship target that is not a worksheet: shared
strings, styles, theme …); a worksheet is scanned when it is first read (:meth:`Package.check_sheet`,
:meth:`Package.read`), against the same budgets, counted over every part scanned. A part nothing reads is listed
and size-checked from the zip directory but never unpacked. Each refusal is a Chinese
:class:`~toolkit.errors.WorkbookError` subclass naming the file.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable
from pathlib import Path

from toolkit.budget import LIMITS, MB, Limits
from toolkit.errors import HostileWorkbookError, MacroWorkbookError, NotAWorkbookError
from toolkit.lazy import pattern
from toolkit.messages import msg
from toolkit.record import field, record
from toolkit.workbook.container import Entry, inflate, open_zip, read_directory, size_text
from toolkit.workbook.marker import FORMAT_NAME
from toolkit.workbook.opc import TARGET, readings, resolve_target
from toolkit.workbook.xmlscan import NeedPrecise, XmlScan

__all__ = ["KEPT_PARTS", "Package", "inspect_file", "open_package"]

WORKBOOK = "xl/workbook.xml"
RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
KEPT_PARTS = frozenset({CONTENT_TYPES, WORKBOOK, RELS})
"""Structural parts always scanned first and kept in memory (the reader parses them)."""
_FIRST = (CONTENT_TYPES, ROOT_RELS, RELS, WORKBOOK)
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_KEEP_BYTES = 1 * MB
"""Scanned parts up to this size are kept inflated (the reader looks at a sheet's XML after calamine)."""
_WHOLE_BYTES = 1 * MB
"""Parts up to this size are inflated whole and scanned in one piece (larger ones chunk by chunk)."""
_ODS_PARTS = frozenset({"content.xml", "styles.xml", "meta.xml", "settings.xml"})
"""What calamine's OpenDocument fallback would read if its .xlsx reading failed: scanned when present."""
_PREFIX = rb"""(?:[^\s<>/!?="':]+:)*"""
"""An element's namespace prefix as calamine reads it (its reader takes the name after the last colon, whatever
the bytes before it: non-ASCII ones too)."""
_SHEET = pattern(rb"""<""" + _PREFIX + rb"""sheet\s(?:[^>"']|"[^"]*"|'[^']*')*>""")
_ATTRIBUTE = pattern(rb"""\s([^\s=/<>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RELATIONSHIP = pattern(rb"""<""" + _PREFIX + rb"""Relationship\s(?:[^>"']|"[^"]*"|'[^']*')*>""")
_NOT_MARKUP = pattern(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
"""Comments, CDATA sections and processing instructions: what an XML reader does not take for elements (blanked
before the elements are looked for, so that a quote in a comment cannot hide the tag after it)."""
_OFFICE_DOCUMENT = (b'/relationships/officeDocument"', b"/relationships/officeDocument'")
"""How the package relationship to the workbook part ends its type (calamine compares the type's last bytes)."""
_READ_AT_OPEN = frozenset({b"sharedStrings", b"styles"})
"""Relationship types whose targets calamine reads when it opens a workbook."""
_DETAIL_SHEET = "各单位明细"
_OTHER_PACKAGES = (
    ("word/document.xml", "xlsxsafe.office_doc", "reader.kind.docx"),
    ("ppt/presentation.xml", "xlsxsafe.office_doc", "reader.kind.pptx"),
    ("xl/workbook.bin", "xlsxsafe.save_as", "reader.kind.xlsb"),
    ("content.xml", "xlsxsafe.save_as", "reader.kind.ods"),
)
"""Other packages a renamed file may be: the part that tells each."""


@record
class Package:
    """A checked .xlsx: its bytes, its parts, the parts scanned so far and what they cost together."""

    path: Path
    """The file."""
    blob: bytes
    """The file's bytes as checked (parsers read these, not the file again)."""
    infos: dict[str, Entry]
    """Part name → zip entry."""
    limits: Limits = LIMITS
    """The limits it is checked against."""
    parts: dict[str, bytes] = field(default_factory=dict)
    """Inflated parts kept after their scan (``KEPT_PARTS`` and small scanned parts)."""
    scanned: set[str] = field(default_factory=set)
    """Parts scanned (every part a parser may read must be in here first)."""
    sheet_parts: set[str] = field(default_factory=set)
    """Parts a parser may read as worksheets (their cells are measured)."""
    detail: str | None = None
    """The 各单位明细 sheet's part of a workbook ``toolkit merge`` wrote (its own cell budget)."""
    cells: int = 0
    area: int = 0
    elements: int = 0
    budget: int = 0
    """Bytes that may still be inflated in all (starts at ``limits.max_total_bytes``)."""
    sheet_index: dict[str, set[str]] | None = None
    """Sheet name without whitespace → the parts a parser may take for it (made on first use)."""
    entries: list[tuple[str, bytes]] | None = None
    """(name without whitespace, relationship id) of workbook.xml's sheets (read once)."""
    relationships: list[dict[bytes, list[bytes]]] | None = None
    """The workbook relationships' attributes (read once)."""

    def read(self, name: str) -> bytes:
        """A part's bytes, scanned first if it was not (bounded, CRC-verified, no DTD); KeyError if absent."""
        if name in self.parts:
            return self.parts[name]
        info = self.infos[name]
        if name.lower().endswith(_XML_SUFFIXES) and name not in self.scanned:
            kept = _scan(self, name)
            if kept is not None:
                return kept
        return b"".join(inflate(self.path, self.blob, info, self.limits.max_total_bytes))

    def check(self, names: Iterable[str]) -> None:
        """Scan each of ``names`` that is an XML part not scanned yet (before a parser may read it)."""
        for name in names:
            if name in self.infos and name not in self.scanned and name.lower().endswith(_XML_SUFFIXES):
                _scan(self, name)

    def check_sheet(self, sheet: str) -> None:
        """Scan every part a parser may read as the worksheet called ``sheet`` (and its relationships)."""
        self.check(_sheet_candidates(self, sheet))

    def check_all(self) -> None:
        """Scan every XML part (before a parser that reads the whole package, such as openpyxl)."""
        self.check(self.infos)


def inspect_file(path: Path | str, *, limits: Limits = LIMITS) -> None:
    """Raise the right :class:`~toolkit.errors.WorkbookError` if ``path`` is not a safe, readable .xlsx."""
    open_package(Path(path), limits=limits)


def open_package(path: Path, *, limits: Limits = LIMITS, lazy: bool = False) -> Package:
    """Read and check ``path``; the returned package is safe to hand to calamine, openpyxl or defusedxml.

    Every XML part is scanned now unless ``lazy``: then worksheets are scanned as they are read (see the module)."""
    blob, infos = open_zip(path, limits)
    package = Package(path, blob, infos, limits, budget=limits.max_total_bytes)
    _classify(package)
    package.check(_FIRST)
    _workbook_where_expected(package)
    if b"macroenabled" in package.parts.get(CONTENT_TYPES, b"").lower():
        raise MacroWorkbookError(msg("xlsxsafe.macro"), path=package.path)
    package.sheet_parts = _sheet_parts(package)
    package.detail = _merge_detail_part(package)
    if lazy:
        package.check(_read_at_open(package))
    else:
        package.check_all()
    _normalise_targets(package)
    return package


def _workbook_where_expected(package: Package) -> None:
    """The package relationship to the workbook must lead to xl/: calamine reads the workbook, its relationships,
    shared strings and styles from the folder of that relationship's target (whatever its file name), while every
    check here reads xl/workbook.xml. Every writer puts it there; a package that points elsewhere is refused.
    Each reading of each target counts, and a relationship type the elements here were not read for (hidden in a
    form they were not found in) refuses the package too."""
    rels = package.parts.get(ROOT_RELS)
    if rels is None:
        return  # no package relationships: calamine finds no workbook and reads nothing
    found = 0
    for attrs in _relationships_of(rels):
        if not any(kind.endswith(_OFFICE_DOCUMENT[0][:-1]) for kind in attrs.get(b"Type", ())):
            continue
        found += 1
        if not attrs.get(b"Target"):  # a target written so that it was not read here (no space before it …)
            raise HostileWorkbookError(msg("xlsxsafe.workbook_elsewhere", target="?"), path=package.path)
        for target in attrs.get(b"Target", ()):
            written = {target.decode("utf-8", "replace"), _xml_text(target)}  # as written, and as calamine reads it
            for reading in {form for t in written for form in (t, t.replace("\\", "/"))}:
                folder = reading[:reading.rfind("/") + 1]  # calamine: up to the last "/", one leading "/" dropped
                if (folder[1:] if folder.startswith("/") else folder) != "xl/":
                    raise HostileWorkbookError(msg("xlsxsafe.workbook_elsewhere", target=reading),
                                               path=package.path)
    if sum(rels.count(end) for end in _OFFICE_DOCUMENT) > found:
        raise HostileWorkbookError(msg("xlsxsafe.workbook_elsewhere", target="?"), path=package.path)


def _classify(package: Package) -> None:
    """Not a workbook at all (a .docx renamed …), or a macro-enabled one: refuse. A structural part stored under
    other capitals (``_RELS/.rels``) is refused too: calamine finds parts ignoring case, the gate by name."""
    structure = {part.casefold() for part in _FIRST}
    for name in package.infos:
        if name not in _FIRST and name.casefold() in structure:
            raise HostileWorkbookError(msg("xlsxsafe.case_twin", member=name, twin=name.casefold()),
                                       path=package.path)
    lower = {name.lower() for name in package.infos}
    if "xl/workbook.xml" not in lower:
        for part, key, kind in _OTHER_PACKAGES:
            if part in lower:
                raise NotAWorkbookError(msg(key, kind=msg(kind)), path=package.path)
        raise NotAWorkbookError(msg("xlsxsafe.no_workbook"), path=package.path)
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lower):
        raise MacroWorkbookError(msg("xlsxsafe.macro"), path=package.path)


def _present(package: Package, names: Iterable[str]) -> set[str]:
    """The package's parts among ``names``, compared case-insensitively as OPC part names are."""
    folded = {n.casefold() for n in names}
    return {name for name in package.infos if name.casefold() in folded}


def _targets(rels: bytes) -> set[str]:
    found: set[str] = set()
    for raw in TARGET.findall(rels):
        found |= readings(raw)
    return found


def _sheet_parts(package: Package) -> set[str]:
    """Parts calamine may read as worksheets: every target of the workbook's relationships (any ``Target=`` in
    the part, however the element around it is written), and xl/worksheets/. The shared strings and styles are
    among them: a sheet entry may name their relationship, and telling which entries calamine reads would mean
    reading workbook.xml as calamine reads it, prefixes, comments and all."""
    parts = {name for name in package.infos if name.lower().startswith("xl/worksheets/")}
    return parts | _present(package, _targets(package.parts.get(RELS, b"")))


def _attributes(element: bytes) -> dict[bytes, list[bytes]]:
    """An element's attributes (local name → values: ``r:id`` and ``x:id`` are both ``id``), read one by one so
    that no attribute hides in another's value."""
    found: dict[bytes, list[bytes]] = {}
    for match in _ATTRIBUTE.finditer(element):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        found.setdefault(match.group(1).rsplit(b":", 1)[-1], []).append(value)
    return found


def _sheet_entries(package: Package) -> list[tuple[str, bytes]]:
    """(name without whitespace, relationship id) of every ``<sheet>`` in workbook.xml, read from its bytes, so that
    no reading of an odd name escapes the scan."""
    if package.entries is None:
        package.entries = list(_entries_of(package.parts.get(WORKBOOK, b"")))
    return package.entries


def _elements(xml: bytes) -> bytes:
    """``xml`` with its comments, CDATA sections and processing instructions blanked (:data:`_NOT_MARKUP`)."""
    if b"<!" not in xml and b"<?" not in xml:
        return xml
    return _NOT_MARKUP.sub(lambda found: b" " * len(found.group()), xml)


@functools.lru_cache(maxsize=32)
def _entries_of(workbook: bytes) -> tuple[tuple[str, bytes], ...]:
    """:func:`_sheet_entries` of a workbook.xml's bytes (a pure function of them: a folder's units mostly share
    them, so it is kept for the last few distinct ones)."""
    entries: list[tuple[str, bytes]] = []
    for element in _SHEET.findall(_elements(workbook)):
        attrs = _attributes(element)
        names = attrs.get(b"name") or [b""]
        for rid in attrs.get(b"id", ()):
            entries += [("".join(_xml_text(name).split()), rid) for name in names]
    return tuple(entries)


def _relationships(package: Package) -> list[dict[bytes, list[bytes]]]:
    """The attributes of every workbook relationship (read only: they may be shared with other packages)."""
    if package.relationships is None:
        package.relationships = list(_relationships_of(package.parts.get(RELS, b"")))
    return package.relationships


@functools.lru_cache(maxsize=32)
def _relationships_of(rels: bytes) -> tuple[dict[bytes, list[bytes]], ...]:
    """The attributes of every relationship in a relationships part's bytes (kept like :func:`_entries_of`)."""
    return tuple(_attributes(rel) for rel in _RELATIONSHIP.findall(_elements(rels)))


_XML_REF = pattern(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));")
_XML_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _xml_text(raw: bytes) -> str:
    """An attribute's value as an XML reader gives it: character references and the five XML entities resolved,
    nothing else (``html.unescape`` would read ``&#128;`` as "€" where XML, expat and calamine read U+0080)."""
    text = raw.decode("utf-8", "replace")
    if "&" not in text:  # most attributes have no reference to resolve
        return text
    return _XML_REF.sub(_resolve_ref, text)


def _resolve_ref(found: re.Match[str]) -> str:
    decimal, hexadecimal, name = found.groups()
    if name is not None:
        return _XML_ENTITIES[name]
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF else found.group()


def _rel_targets(package: Package) -> dict[bytes, set[str]]:
    """Workbook relationship id → every reading of its target."""
    found: dict[bytes, set[str]] = {}
    for attrs in _relationships(package):
        for rid in attrs.get(b"Id", ()):
            for target in attrs.get(b"Target", ()):
                found.setdefault(rid, set()).update(readings(target))
    return found


def _sheet_candidates(package: Package, sheet: str) -> set[str]:
    """The parts (and their relationship parts) a parser may take for the worksheet ``sheet``."""
    if package.sheet_index is None:
        targets = _rel_targets(package)
        index: dict[str, set[str]] = {}
        unsure: set[str] = set()
        for name, rid in _sheet_entries(package):
            index.setdefault(name, set()).update(targets.get(rid, ()))
            if not _present(package, targets.get(rid, ())):
                unsure.add(name)  # an id no relationship was read for (or naming no part): calamine may differ
        package.sheet_index = {}
        for name, readable in index.items():
            parts = _present(package, readable)
            rels = {f"{p.rpartition('/')[0]}/_rels/{p.rpartition('/')[2]}.rels" for p in parts}
            package.sheet_index[name] = set() if name in unsure else parts | _present(package, rels)
    loose = "".join(sheet.split())
    found = package.sheet_index.get(loose)
    if not found:  # a name read otherwise than here, or an id no relationship was read for: every possible sheet
        return package.sheet_parts
    return found | package.sheet_index.get("", set())


def _read_at_open(package: Package) -> set[str]:
    """What calamine reads when it opens the package besides the structural parts: the shared strings and the
    styles (by their usual names and by relationship type), and what its OpenDocument fallback would read. (It
    reads the package relationships but not their targets, nor the theme or docProps: the workbook is always
    ``xl/workbook.xml``.)"""
    wanted = {"xl/sharedStrings.xml", "xl/styles.xml"}
    for attrs in _relationships(package):
        if any(kind.rsplit(b"/", 1)[-1] in _READ_AT_OPEN for kind in attrs.get(b"Type", ())):
            for target in attrs.get(b"Target", ()):
                wanted |= readings(target)
    return _present(package, wanted) | {n for n in package.infos if n.lower() in _ODS_PARTS}


def _scan_part(package: Package, name: str, *, precise: bool) -> tuple[XmlScan, bytes | None]:
    """Inflate and scan one XML part; its bytes when it is kept."""
    limits, info = package.limits, package.infos[name]
    scan = XmlScan(package.path, name, max_cells=limits.max_cells, max_tag_bytes=limits.max_tag_bytes,
                   measure=name in package.sheet_parts, precise=precise, budget=limits.budget())
    if name in KEPT_PARTS and info.file_size > limits.max_structure_bytes:
        raise HostileWorkbookError(msg("xlsxsafe.too_big", size=f"{name} {size_text(info.file_size)}",
                                       limit=size_text(limits.max_structure_bytes)), path=package.path)
    if info.file_size <= _WHOLE_BYTES:  # inflated whole (its CRC checked), then scanned without a copy
        chunks = [chunk for chunk in inflate(package.path, package.blob, info, package.budget) if chunk]
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        scan.feed_whole(data)
        scan.area = scan.finish_area()
        return scan, data if name in KEPT_PARTS or info.file_size <= _KEEP_BYTES else None
    keep: list[bytes] | None = [] if name in KEPT_PARTS or info.file_size <= _KEEP_BYTES else None
    for chunk in inflate(package.path, package.blob, info, package.budget):
        scan.feed(chunk)
        if keep is not None:
            keep.append(chunk)
    scan.close()
    scan.area = scan.finish_area()
    return scan, b"".join(keep) if keep is not None else None


def _scan(package: Package, name: str) -> bytes | None:
    """Scan ``name`` and add what it costs to the package's totals, refusing what is over them; its bytes if kept."""
    try:
        scan, kept = _scan_part(package, name, precise=False)
    except NeedPrecise:
        scan, kept = _scan_part(package, name, precise=True)
    package.scanned.add(name)
    package.budget -= package.infos[name].file_size
    limits = package.limits
    if kept is not None:
        package.parts[name] = kept
    if name == package.detail and scan.cells <= limits.max_merge_detail_cells:
        return kept  # our own merge's 各单位明细: bounded by its own budget (and its area, checked in the scan)
    package.cells += scan.cells
    package.area += scan.area
    package.elements += scan.elements
    if package.cells > min(limits.max_cells, limits.max_content_cells) or package.area > 2 * limits.max_cells:
        raise HostileWorkbookError(msg("xlsxsafe.too_many_cells", count=max(package.cells, package.area)),
                                   path=package.path)
    if package.elements > limits.max_elements:
        raise HostileWorkbookError(msg("xlsxsafe.too_many_elements", member=name, count=package.elements,
                                       limit=limits.max_elements), path=package.path)
    return kept


def _merge_detail_part(package: Package) -> str | None:
    """The part of the 各单位明细 sheet of a workbook ``toolkit merge`` wrote (marked ``GK.format``): one column per
    unit, so it may hold up to :attr:`Limits.max_merge_detail_cells`; None for any other workbook."""
    if f'name="{FORMAT_NAME}"'.encode() not in package.parts.get(WORKBOOK, b""):
        return None
    rids = [rid for name, rid in _sheet_entries(package) if name == _DETAIL_SHEET]
    if len(rids) != 1:
        return None
    for attrs in _relationships(package):
        if attrs.get(b"Id") == rids and len(attrs.get(b"Target", ())) == 1:
            part = resolve_target(attrs[b"Target"][0].decode("utf-8", "replace"))
            return part if part in package.infos else None
    return None


def _normalise_targets(package: Package) -> None:
    """Rewrite the workbook's relationship targets that Excel resolves but calamine does not (``..`` or ``.``
    segments, backslashes, a part name in other case) as plain relative targets, and re-pack the checked bytes,
    so that every parser reads the sheets Excel shows. Rare: a normal workbook is left as it is (a re-packed one
    has every part scanned)."""
    rels = package.parts.get(RELS)
    if rels is None:
        return
    folded = {name.casefold(): name for name in package.infos}

    def canonical(match: re.Match[bytes]) -> bytes:
        raw = match.group(1).decode("utf-8", "replace")
        if "://" in raw or raw.startswith("#"):
            return match.group()
        part = folded.get(resolve_target(raw).casefold())
        if part is None or not part.startswith("xl/"):
            return match.group()
        fixed = part.removeprefix("xl/").encode()
        return match.group() if fixed == match.group(1) else match.group().replace(match.group(1), fixed)

    fixed = TARGET.sub(canonical, rels)
    if fixed == rels:
        return
    package.check_all()
    import zipfile  # writing a zip: rare here, so imported only when a workbook needs it

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, info in package.infos.items():
            data = fixed if name == RELS else package.read(name)
            zout.writestr(zipfile.ZipInfo(name, date_time=info.date_time), data, zipfile.ZIP_DEFLATED)
    package.blob = out.getvalue()
    package.infos = {info.filename: info for info in read_directory(package.blob)}
    package.parts[RELS] = fixed
    package.relationships = package.sheet_index = None  # every part is scanned by now
