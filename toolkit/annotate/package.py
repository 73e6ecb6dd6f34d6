"""The copy's package: workbook.xml with the 校验结果 sheet first and active, relationships and content types
extended, and the zip written with every part the copy does not change copied as it is (its compressed bytes,
so byte for byte the user's part)."""

from __future__ import annotations

import functools
import os
import posixpath
import re
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

from toolkit.annotate.tokens import (
    Element,
    attr,
    attr_any_prefix,
    children,
    insert_at,
    quoted,
    rel_prefix,
    root,
    set_attr,
    splice,
    text,
)
from toolkit.workbook.container import STORED, Entry
from toolkit.workbook.safety import Package

WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

_KEPT = 16
"""How many distinct structural parts (workbook.xml, relationships, content types) the pure functions that patch
or read them keep their results for (bytes compared whole: a hit is exact)."""
_AFTER_NAMES = (b"calcPr", b"oleSize", b"customWorkbookViews", b"pivotCaches", b"smartTagPr", b"smartTagTypes",
                b"webPublishing", b"fileRecoveryPr", b"webPublishObjects", b"extLst")
"""What follows ``definedNames`` in workbook.xml (ECMA-376 CT_Workbook)."""


_LOCAL_NAME = re.compile(rb"""<(?P<p>(?:[\w.-]+:)?)definedName(?=[\s/>])(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
                         rb"""\s*/?>""")
"""A defined name's start tag (attribute-aware: a comment attribute may hold ">")."""


class Unusable(ValueError):
    """The package holds something the copy cannot carry over faithfully (the copy is then refused); ``part``
    names the part where that was found, when it is known."""

    def __init__(self, reason: str, part: str | None = None) -> None:
        super().__init__(reason)
        self.part = part


def _unescape(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8", "replace"))


@functools.lru_cache(maxsize=_KEPT)
def patch_workbook(xml: bytes, sheet_name: str, rid: str, replaced: str | None, print_titles: str) -> bytes:
    """workbook.xml with the sheet ``sheet_name`` (relationship ``rid``) first and active; ``replaced`` is the rId
    of an older sheet of that name, whose entry and sheet-local names go (it is written anew). Every sheet-local
    defined name follows its sheet to its new position; the new sheet's header row is its print title.

    A pure function of its arguments, kept for the last few: a folder's units filled in one template share their
    workbook.xml byte for byte, and LibreOffice's, with its hundreds of defined names, costs most to patch."""
    top = root(xml)
    kids = children(xml, top)
    p = top.prefix
    sheets = next((k for k in kids if k.name == b"sheets"), None)
    if sheets is None or sheets.empty:
        raise Unusable("no sheets")
    entries = [e for e in children(xml, sheets) if e.name == b"sheet"]
    old_index = next((i for i, e in enumerate(entries)
                      if replaced is not None and attr_any_prefix(e.start_tag(xml), b"id") == replaced.encode()), None)
    ids = [int(v) for e in entries if (v := attr(e.start_tag(xml), b"sheetId") or b"").isdigit()]
    sheet_id = int(attr(entries[old_index].start_tag(xml), b"sheetId") or b"0") if old_index is not None else 0
    if not sheet_id:
        sheet_id = max(ids, default=0) + 1
    mapping: dict[int, int | None] = {}
    position = 1
    for i in range(len(entries)):
        if i == old_index:
            mapping[i] = None
        else:
            mapping[i] = position
            position += 1
    rp, declare = rel_prefix(top.start_tag(xml))
    new_sheet = b'<%ssheet%s name="%s" sheetId="%d" %sid="%s"/>' % (p, declare, quoted(sheet_name), sheet_id, rp,
                                                                     rid.encode())
    edits: list[tuple[int, int, bytes]] = [(sheets.tag_end, sheets.tag_end, new_sheet)]
    if old_index is not None:
        edits.append((entries[old_index].start, entries[old_index].end, b""))
    names = next((k for k in kids if k.name == b"definedNames"), None)
    title = b'<%sdefinedName name="_xlnm.Print_Titles" localSheetId="0">%s</%sdefinedName>' % (
        p, text(print_titles), p)
    if names is None or names.empty:
        block = b"<%sdefinedNames>%s</%sdefinedNames>" % (p, title, p)
        if names is not None:
            edits.append((names.start, names.end, block))
        else:
            at = insert_at(xml, top, kids, _AFTER_NAMES)
            edits.append((at, at, block))
    else:
        edits.append((names.tag_end, names.tag_end, title))
        for found in _local_names(xml, names):
            tag = found.group()
            local = attr(tag, b"localSheetId")
            if local is None:
                continue
            if not re.fullmatch(rb"[0-9]{1,5}", local):
                raise Unusable("localSheetId")
            moved = mapping.get(int(local), int(local) + 1)
            if moved is None:
                close = b"" if tag.endswith(b"/>") else b"</" + found.group("p") + b"definedName"
                end = xml.index(b">", xml.index(close, found.end())) + 1 if close else found.end()
                edits.append((found.start(), end, b""))
            else:
                edits.append((found.start(), found.end(), set_attr(tag, b"localSheetId", b"%d" % moved)))
    for views in (k for k in kids if k.name == b"bookViews"):
        for view in children(xml, views):
            tag = view.start_tag(xml)
            new = set_attr(set_attr(tag, b"activeTab", None), b"firstSheet", None)
            if new != tag:
                edits.append((view.start, view.tag_end, new))
    return splice(xml, edits)


def _local_names(xml: bytes, names: Element) -> list[re.Match[bytes]]:
    """The start tags of the ``definedName`` elements in ``names`` whose tag holds ``localSheetId``, in order.

    Found from each occurrence of the bytes back to the ``<`` that opens their tag (an attribute value holds no
    ``<``), not by matching every name's tag: LibreOffice writes hundreds of names, a few of them sheet-local."""
    found: list[re.Match[bytes]] = []
    pos, seen = names.tag_end, -1
    while (at := xml.find(b"localSheetId", pos, names.inner_end)) >= 0:
        pos = at + 12
        start = xml.rfind(b"<", names.tag_end, at)
        match = _LOCAL_NAME.match(xml, start, names.inner_end) if start > seen else None
        if match is not None and match.end() > at:
            found.append(match)
            seen = start
    return found


def sheet_entries(xml: bytes, rels: Relationships, package: Package) -> list[tuple[str, str, str | None]]:
    """(name, relationship id, part or None) of each sheet in workbook.xml, in tab order."""
    from toolkit.workbook.opc import resolve_target

    folded = {n.casefold(): n for n in package.infos}
    found: list[tuple[str, str, str | None]] = []
    for name, rid in _sheet_tags(xml):
        target = rels.target(rid)
        part = folded.get(resolve_target(target).casefold()) if target else None
        found.append((name, rid, part))
    return found


@functools.lru_cache(maxsize=_KEPT)
def _sheet_tags(xml: bytes) -> tuple[tuple[str, str], ...]:
    """(name, relationship id) of each ``<sheet>`` of a workbook.xml (a pure function of its bytes, kept)."""
    top = root(xml)
    sheets = next((k for k in children(xml, top) if k.name == b"sheets"), None)
    if sheets is None or sheets.empty:
        raise Unusable("no sheets")
    found: list[tuple[str, str]] = []
    for entry in children(xml, sheets):
        if entry.name != b"sheet":
            continue
        tag = entry.start_tag(xml)
        found.append((_unescape(attr(tag, b"name") or b""), _unescape(attr_any_prefix(tag, b"id") or b"")))
    return tuple(found)


class Relationships:
    """A relationships part being extended with new targets."""

    def __init__(self, xml: bytes | None) -> None:
        self.source, self.top, entries, ids = _parse_relationships(xml or _EMPTY_RELS)
        self.entries: list[tuple[str, str, str]] = list(entries)
        """(Id, Type, Target) of each relationship, the unescaped values."""
        self.ids = set(ids)
        self.added: list[bytes] = []

    def target(self, rid: str) -> str | None:
        """The target of relationship ``rid``."""
        return next((t for i, _, t in self.entries if i == rid), None)

    def of_type(self, kind: str) -> str | None:
        """The target of the first relationship of type ``kind``."""
        return next((t for _, k, t in self.entries if k == kind), None)

    def add(self, kind: str, target: str) -> str:
        """A new relationship; its Id."""
        n = len(self.ids) + 1
        while f"rId{n}" in self.ids:
            n += 1
        rid = f"rId{n}"
        self.ids.add(rid)
        self.added.append(b'<%sRelationship Id="%s" Type="%s" Target="%s"/>' % (
            self.top.prefix, rid.encode(), quoted(kind), quoted(target)))
        return rid

    def xml(self) -> bytes:
        """The extended part."""
        return splice(self.source, [(self.top.inner_end, self.top.inner_end, b"".join(self.added))])


_EMPTY_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
               b'"http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')


@functools.lru_cache(maxsize=_KEPT)
def _parse_relationships(source: bytes) -> tuple[bytes, Element, tuple[tuple[str, str, str], ...], frozenset[str]]:
    """A relationships part read for :class:`Relationships`: its bytes (an empty root opened), document element,
    internal relationships and every Id (a pure function of the bytes, kept: a folder's units share them)."""
    top = root(source)
    if top.empty:
        source = source[:top.start] + b"<%sRelationships></%sRelationships>" % (top.prefix, top.prefix)
        top = root(source)
    entries = []
    ids = set()
    for rel in children(source, top):
        tag = rel.start_tag(source)
        ids.add(_unescape(attr(tag, b"Id") or b""))
        if attr(tag, b"TargetMode") == b"External":
            continue
        entries.append((_unescape(attr(tag, b"Id") or b""), _unescape(attr(tag, b"Type") or b""),
                        _unescape(attr(tag, b"Target") or b"")))
    return source, top, tuple(entries), frozenset(ids)


def rels_path(part: str) -> str:
    """The relationships part of ``part``: ``xl/worksheets/sheet1.xml`` → ``xl/worksheets/_rels/sheet1.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def relative(target: str, source_part: str) -> str:
    """``target`` (a part name) as a relationship target from ``source_part``."""
    return posixpath.relpath(target, posixpath.dirname(source_part))


def add_content_types(xml: bytes, overrides: list[tuple[str, str]], defaults: list[tuple[str, str]]) -> bytes:
    """[Content_Types].xml with an Override per new part and the Defaults it lacks."""
    return _add_content_types(xml, tuple(overrides), tuple(defaults))


@functools.lru_cache(maxsize=_KEPT)
def _add_content_types(xml: bytes, overrides: tuple[tuple[str, str], ...],
                       defaults: tuple[tuple[str, str], ...]) -> bytes:
    """:func:`add_content_types` (a pure function of its arguments, kept: a folder's copies mostly repeat them)."""
    top = root(xml)
    p = top.prefix
    have_parts, have_ext = set(), set()
    for kid in children(xml, top):
        tag = kid.start_tag(xml)
        if kid.name == b"Override":
            have_parts.add(_unescape(attr(tag, b"PartName") or b"").casefold())
        elif kid.name == b"Default":
            have_ext.add(_unescape(attr(tag, b"Extension") or b"").casefold())
    new = [b'<%sDefault Extension="%s" ContentType="%s"/>' % (p, quoted(ext), quoted(kind))
           for ext, kind in defaults if ext.casefold() not in have_ext]
    new += [b'<%sOverride PartName="/%s" ContentType="%s"/>' % (p, quoted(part), quoted(kind))
            for part, kind in overrides if f"/{part}".casefold() not in have_parts]
    return splice(xml, [(top.tag_end, top.tag_end, b"".join(new))])


def unused_name(package: Package, taken: set[str], pattern: str) -> str:
    """The first ``pattern.format(n)`` (n = 1, 2 …) that names no part, whatever the case."""
    folded = {n.casefold() for n in package.infos} | {n.casefold() for n in taken}
    n = 1
    while pattern.format(n).casefold() in folded:
        n += 1
    name = pattern.format(n)
    taken.add(name)
    return name


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((max(year, 1980) - 1980) << 9) | (month << 5) | day


def _stored(package: Package, info: Entry) -> memoryview:
    """A part's bytes as stored in the zip (compressed), from the checked blob. A part nothing read was never
    inflated, so its local header is checked here: a broken one refuses the copy (:class:`Unusable`)."""
    start, blob = info.header_offset, package.blob
    if blob[start:start + 4] != b"PK\x03\x04" or start + 30 > len(blob):
        raise Unusable("local header", info.filename)
    name_len, extra_len = struct.unpack_from("<HH", blob, start + 26)
    begin = start + 30 + name_len + extra_len
    if begin + info.compress_size > len(blob):
        raise Unusable("truncated part", info.filename)
    return memoryview(blob)[begin:begin + info.compress_size]


def head(package: Package, name: str, size: int = 16384) -> bytes:
    """About the first ``size`` bytes of a part (the whole part when it is smaller): enough to see a sheet's views
    without inflating its cells. Bounded (at most ``size`` bytes in and out) and only searched for bytes, never
    parsed: a part that must be rewritten is then read, and scanned, whole (:meth:`Package.read`)."""
    if name in package.parts:
        return package.parts[name]  # inflated by the check already
    info = package.infos[name]
    raw = _stored(package, info)[:size]
    if info.compress_type == STORED:
        return bytes(raw)
    try:
        return zlib.decompressobj(-15).decompress(raw, size)
    except zlib.error:
        raise Unusable("corrupt part", name) from None


def _open_for_writing(target: Path) -> BinaryIO:
    """``target`` opened for writing from its start, truncated only when it is not empty already.

    The copy is written into the empty temporary file the atomic writer made (:func:`toolkit.fileio.atomic_path`).
    Opening it with ``"wb"`` would truncate it, and ext4 (``auto_da_alloc``, on by default) starts flushing a file
    that was truncated to zero when it is closed, so that a rewrite-by-truncation survives a crash: 2–4 ms a copy,
    most of its cost. An empty file has nothing to lose; it is opened without ``O_TRUNC``.
    """
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
    try:
        if os.fstat(fd).st_size:
            os.ftruncate(fd, 0)
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def _deflate(data: bytes) -> tuple[bytes, int]:
    """A changed part's deflated bytes and CRC (level 1: 3× faster than 6, XML parts ~15% larger)."""
    return zlib.compress(data, 1, -15), zlib.crc32(data)


_deflate_shared = functools.lru_cache(maxsize=_KEPT)(_deflate)
""":func:`_deflate` kept for the structural parts, which a folder's copies mostly repeat byte for byte (a patched
workbook.xml is the very bytes object :func:`patch_workbook` kept, whose hash Python keeps too)."""


def _shared(name: str) -> bool:
    """A part a folder's copies mostly share: workbook.xml, its relationships, the content types, the styles."""
    return name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml") or name.lower().endswith(
        "styles.xml")


def write_package(package: Package, changed: dict[str, bytes], dropped: set[str], target: Path) -> None:
    """Write the copy to ``target``: the parts in the source's order, ``changed`` ones (new or replaced) deflated,
    the rest copied as their compressed bytes; new parts at the end; ``dropped`` left out."""
    stamp = package.infos["xl/workbook.xml"].date_time
    central: list[bytes] = []
    offset = 0
    order = [n for n in package.infos if n not in dropped] + [n for n in changed if n not in package.infos]
    with _open_for_writing(target) as out:
        for name in order:
            info = package.infos.get(name)
            encoded = name.encode("utf-8")
            flags = 0x800 if not encoded.isascii() else 0
            if name in changed or info is None:
                data = changed[name]
                raw: bytes | memoryview
                raw, crc = _deflate_shared(data) if _shared(name) else _deflate(data)
                size, method = len(data), 8
                when = info.date_time if info is not None else stamp
                attributes = info.external_attr & 0xFFFF if info is not None else 0
            else:
                raw = _stored(package, info)
                crc, size, method = info.CRC, info.file_size, info.compress_type
                when, attributes = info.date_time, info.external_attr & 0xFFFF  # MS-DOS attributes (made by 2.0, DOS)
            dos_time, dos_date = _dos_time(when)
            fixed = struct.pack("<HHHHHIII", 20, flags, method, dos_time, dos_date, crc, len(raw), size)
            out.write(b"PK\x03\x04" + fixed + struct.pack("<HH", len(encoded), 0) + encoded)
            out.write(raw)
            central.append(b"PK\x01\x02" + struct.pack("<H", 20) + fixed
                           + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, attributes, offset) + encoded)
            offset += 30 + len(encoded) + len(raw)
        directory = b"".join(central)
        out.write(directory)
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), len(directory),
                                              offset, 0))


def element_named(xml: bytes, parent: Element, name: bytes) -> Element | None:
    """The first child of ``parent`` called ``name``."""
    return next((k for k in children(xml, parent) if k.name == name), None)
