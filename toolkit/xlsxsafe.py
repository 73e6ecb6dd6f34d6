"""The safety gate every workbook passes before any parser (calamine, openpyxl, defusedxml) touches it.

:func:`open_package` reads the file once, classifies it (missing, empty, .xls/.et, encrypted, .docx renamed,
macro-enabled …) and checks the zip with bounded work: member count, declared and *actually inflated* sizes
(headers are not trusted: every XML part is inflated here, chunk by chunk, with its CRC checked), compression
ratio, no DTD or entity declaration in any XML part (billion laughs, external entities), and the area each
worksheet spans (calamine allocates a sheet's whole used range at once, so two far-apart cells would exhaust
memory). The parsers then read exactly the bytes that were checked. Each refusal is a Chinese
:class:`~toolkit.errors.WorkbookError` subclass naming the file.
"""

from __future__ import annotations

import errno
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.budget import (
    FILE_BUDGET_BYTES,
    FILE_BUDGET_SECONDS,
    LIMITS,
    MB,
    Limits,
    available_memory,
    worker_count,
)
from toolkit.errors import (
    EncryptedWorkbookError,
    HostileWorkbookError,
    LegacyFormatError,
    MacroWorkbookError,
    NotAWorkbookError,
    WorkbookError,
)
from toolkit.messages import msg
from toolkit.xmlscan import NeedPrecise, XmlScan

__all__ = ["FILE_BUDGET_BYTES", "FILE_BUDGET_SECONDS", "LIMITS", "MB", "Limits", "Package", "available_memory",
           "inspect_file", "open_package", "worker_count"]

KEPT_PARTS = frozenset({"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"})
"""Small structural parts kept in memory after the check (the reader parses them)."""

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 1 * MB
_TARGET = re.compile(rb"""\sTarget\s*=\s*["']([^"']*)["']""")
_RELS = "xl/_rels/workbook.xml.rels"


@dataclass
class Package:
    """A checked .xlsx: its bytes, its parts, and the small structural parts already inflated."""

    path: Path
    """The file."""
    blob: bytes
    """The file's bytes as checked (parsers read these, not the file again)."""
    infos: dict[str, zipfile.ZipInfo]
    """Part name → zip entry."""
    limits: Limits = LIMITS
    """The limits it was checked against."""
    parts: dict[str, bytes] = field(default_factory=dict)
    """Inflated ``KEPT_PARTS`` (those present)."""

    def read(self, name: str) -> bytes:
        """A part's bytes (already checked: bounded, CRC-verified, no DTD); KeyError if there is no such part."""
        if name in self.parts:
            return self.parts[name]
        return b"".join(_inflate(self, self.infos[name], self.limits.max_total_bytes))


def inspect_file(path: Path | str, *, limits: Limits = LIMITS) -> None:
    """Raise the right :class:`~toolkit.errors.WorkbookError` if ``path`` is not a safe, readable .xlsx."""
    open_package(Path(path), limits=limits)


def open_package(path: Path, *, limits: Limits = LIMITS) -> Package:
    """Read and check ``path``; the returned package is safe to hand to calamine, openpyxl or defusedxml."""
    blob = _read_file(path, limits)
    if blob.startswith(_CFB):
        _refuse_cfb(path, blob)
    if not blob.startswith(b"PK"):
        raise NotAWorkbookError(_what_is(blob[:4096]), path=path)
    _check_entry_count(path, blob, limits)
    try:
        infos = zipfile.ZipFile(io.BytesIO(blob)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OverflowError, struct.error,
            NotImplementedError) as exc:
        raise WorkbookError(msg("xlsxsafe.truncated"), path=path, reason=type(exc).__name__) from None
    package = Package(path, blob, _check_entries(path, infos, limits), limits)
    _classify(package)
    _scan_parts(package, limits)
    _normalise_targets(package)
    return package


def _read_file(path: Path, limits: Limits) -> bytes:
    try:
        if path.is_dir():
            raise WorkbookError(msg("xlsxsafe.directory"), path=path)
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise WorkbookError(msg("xlsxsafe.too_large", size=_size(size), limit=_size(limits.max_file_bytes)),
                                path=path)
        with path.open("rb") as fh:
            blob = fh.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise WorkbookError(msg("xlsxsafe.missing"), path=path) from None
    except OSError as exc:
        key = "untrusted.input_too_long" if exc.errno == errno.ENAMETOOLONG else "xlsxsafe.unopenable"
        raise WorkbookError(msg(key), path=path) from None
    if not blob:
        raise NotAWorkbookError(msg("xlsxsafe.empty"), path=path)
    if len(blob) > limits.max_file_bytes:
        raise WorkbookError(msg("xlsxsafe.too_large", size=_size(len(blob)), limit=_size(limits.max_file_bytes)),
                            path=path)
    return blob


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.0f} KB"


def _refuse_cfb(path: Path, blob: bytes) -> None:
    """An OLE compound file: encrypted OOXML, or a legacy .xls/.et, or a .doc/.ppt. Always raises."""

    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in blob

    if has("EncryptionInfo") or has("EncryptedPackage"):
        raise EncryptedWorkbookError(msg("xlsxsafe.encrypted"), path=path)
    if has("WordDocument"):
        raise NotAWorkbookError(msg("xlsxsafe.office_doc", kind=msg("reader.kind.doc")), path=path)
    if has("PowerPoint Document"):
        raise NotAWorkbookError(msg("xlsxsafe.office_doc", kind=msg("reader.kind.ppt")), path=path)
    raise LegacyFormatError(msg("xlsxsafe.legacy"), path=path)


def _what_is(head: bytes) -> str:
    """The message for a file that is not a zip: say what it is when that is easy to tell."""
    if head.startswith(b"%PDF"):
        return msg("xlsxsafe.office_doc", kind=msg("reader.kind.pdf"))
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return msg("xlsxsafe.save_as", kind=msg("reader.kind.xml2003"))
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in text[:1024]:
        return msg("xlsxsafe.save_as", kind=msg("reader.kind.html"))
    if b"\x00" in head[:1024] or any(b < 0x09 for b in head[:256]):
        return msg("xlsxsafe.not_workbook")
    return msg("xlsxsafe.save_as", kind=msg("reader.kind.text"))


def _check_entry_count(path: Path, blob: bytes, limits: Limits) -> None:
    """Refuse a central directory with too many entries before zipfile builds one object per entry."""
    at = blob.rfind(b"PK\x05\x06", max(0, len(blob) - 65_557))
    if at < 0 or at + 22 > len(blob):
        return  # zipfile reports the broken zip
    (count,) = struct.unpack_from("<H", blob, at + 10)
    if count == 0xFFFF and at >= 20 and blob[at - 20 : at - 16] == b"PK\x06\x07":
        (z64,) = struct.unpack_from("<Q", blob, at - 12)
        if z64 + 40 <= len(blob) and blob[z64 : z64 + 4] == b"PK\x06\x06":
            (count,) = struct.unpack_from("<Q", blob, z64 + 32)
    if count > limits.max_members:
        raise HostileWorkbookError(msg("xlsxsafe.too_many_members", count=count, limit=limits.max_members), path=path)


def _check_entries(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.max_members:
        raise HostileWorkbookError(msg("xlsxsafe.too_many_members", count=len(infos), limit=limits.max_members),
                                   path=path)
    by_name: dict[str, zipfile.ZipInfo] = {}
    total = 0
    folded: dict[str, str] = {}
    for info in infos:
        if info.filename in by_name:
            raise HostileWorkbookError(msg("xlsxsafe.duplicate", member=info.filename), path=path)
        twin = folded.setdefault(info.filename.casefold(), info.filename)
        if twin != info.filename:  # OPC part names ignore case: readers would disagree on which one is meant
            raise HostileWorkbookError(msg("xlsxsafe.case_twin", member=info.filename, twin=twin), path=path)
        by_name[info.filename] = info
        total += info.file_size
        if info.flag_bits & 0x1:
            raise EncryptedWorkbookError(msg("xlsxsafe.zip_encrypted", member=info.filename), path=path)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookError(msg("xlsxsafe.method", member=info.filename), path=path)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise HostileWorkbookError(msg("xlsxsafe.ratio", member=info.filename, ratio=f"{ratio:.0f}"), path=path)
    if total > limits.max_total_bytes:
        raise HostileWorkbookError(msg("xlsxsafe.too_big", size=_size(total), limit=_size(limits.max_total_bytes)),
                                   path=path)
    return by_name


_OTHER_PACKAGES = (
    ("word/document.xml", "xlsxsafe.office_doc", "reader.kind.docx"),
    ("ppt/presentation.xml", "xlsxsafe.office_doc", "reader.kind.pptx"),
    ("xl/workbook.bin", "xlsxsafe.save_as", "reader.kind.xlsb"),
    ("content.xml", "xlsxsafe.save_as", "reader.kind.ods"),
)


def _classify(package: Package) -> None:
    """Not a workbook at all (a .docx renamed …), or a macro-enabled one: refuse."""
    lower = {name.lower() for name in package.infos}
    if "xl/workbook.xml" not in lower:
        for part, key, kind in _OTHER_PACKAGES:
            if part in lower:
                raise NotAWorkbookError(msg(key, kind=msg(kind)), path=package.path)
        raise NotAWorkbookError(msg("xlsxsafe.no_workbook"), path=package.path)
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in lower):
        raise MacroWorkbookError(msg("xlsxsafe.macro"), path=package.path)


def _inflate(package: Package, info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
    """A part's bytes in chunks, never more than declared nor than ``budget``; CRC checked at the end."""
    path, blob, name = package.path, package.blob, info.filename
    start = info.header_offset
    if blob[start : start + 4] != b"PK\x03\x04" or start + 30 > len(blob):
        raise WorkbookError(msg("xlsxsafe.corrupt_member", member=name, reason="文件头损坏"), path=path)
    name_len, extra_len = struct.unpack_from("<HH", blob, start + 26)
    begin = start + 30 + name_len + extra_len
    end = begin + info.compress_size
    if end > len(blob):
        raise WorkbookError(msg("xlsxsafe.truncated"), path=path)
    raw = memoryview(blob)[begin:end]
    limit = min(info.file_size, budget)
    produced = crc = 0
    decomp = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        for pos in range(0, max(len(raw), 1), _CHUNK):
            piece = bytes(raw[pos : pos + _CHUNK])
            while piece:
                if decomp is None:
                    out, piece = piece, b""
                else:
                    out = decomp.decompress(piece, _CHUNK)
                    piece = decomp.unconsumed_tail
                produced += len(out)
                if produced > limit:
                    _too_much(package, info)
                crc = zlib.crc32(out, crc)
                yield out
        if decomp is not None:
            out = decomp.flush()
            produced += len(out)
            if produced > limit:
                _too_much(package, info)
            crc = zlib.crc32(out, crc)
            yield out
            if not decomp.eof:
                raise WorkbookError(msg("xlsxsafe.truncated"), path=path)
    except zlib.error:
        raise WorkbookError(msg("xlsxsafe.corrupt_member", member=name, reason="压缩数据损坏"), path=path) from None
    if produced != info.file_size or crc != info.CRC:
        raise WorkbookError(msg("xlsxsafe.corrupt_member", member=name, reason="校验和不符"), path=path)


def _too_much(package: Package, info: zipfile.ZipInfo) -> None:
    """More bytes came out than declared (or than the whole budget): the headers lie."""
    raise HostileWorkbookError(msg("xlsxsafe.size_lie", member=info.filename), path=package.path)


def _sheet_parts(package: Package) -> set[str]:
    """Parts calamine may read as worksheets: every target of the workbook's relationships, and xl/worksheets/."""
    parts = {name for name in package.infos if name.lower().startswith("xl/worksheets/")}
    for raw in _TARGET.findall(package.parts.get(_RELS, b"")):
        target = raw.decode("utf-8", "replace").replace("\\", "/")
        parts |= {target, target.lstrip("/"), posixpath.normpath(posixpath.join("xl", target)),
                  posixpath.normpath(target.lstrip("/")).lstrip("/")}
    folded = {p.casefold() for p in parts}
    return parts | {name for name in package.infos if name.casefold() in folded}


def _scan_part(
    package: Package, name: str, limits: Limits, budget: int, *, measure: bool, precise: bool
) -> tuple[XmlScan, bytes | None]:
    """Inflate and scan one XML part; its bytes when it is one of ``KEPT_PARTS``."""
    scan = XmlScan(package.path, name, max_cells=limits.max_cells, max_tag_bytes=limits.max_tag_bytes,
                   measure=measure, precise=precise, budget=limits.budget())
    keep: list[bytes] | None = [] if name in KEPT_PARTS else None
    if keep is not None and package.infos[name].file_size > limits.max_structure_bytes:
        size = _size(package.infos[name].file_size)
        raise HostileWorkbookError(msg("xlsxsafe.too_big", size=f"{name} {size}",
                                       limit=_size(limits.max_structure_bytes)), path=package.path)
    for chunk in _inflate(package, package.infos[name], budget):
        scan.feed(chunk)
        if keep is not None:
            keep.append(chunk)
    scan.close()
    scan.area = scan.finish_area()
    return scan, b"".join(keep) if keep is not None else None


def _scan_parts(package: Package, limits: Limits) -> None:
    """Inflate every XML part with bounds, refusing DTDs, macro content types and oversized sheets.

    The structural parts go first, so that the workbook's relationships tell which parts are sheets.
    """
    budget = limits.max_total_bytes
    first = ("[Content_Types].xml", _RELS, _WORKBOOK)
    names = [n for n in first if n in package.infos] + [n for n in package.infos if n not in first]
    cells = area = elements = 0
    sheets: set[str] | None = None
    detail: str | None = None
    for name in names:
        if not name.lower().endswith(_XML_SUFFIXES):
            continue
        if sheets is None and name not in first:
            sheets = _sheet_parts(package)
            detail = _merge_detail_part(package)
        measure = sheets is not None and name in sheets
        try:
            scan, kept = _scan_part(package, name, limits, budget, measure=measure, precise=False)
        except NeedPrecise:
            scan, kept = _scan_part(package, name, limits, budget, measure=measure, precise=True)
        budget -= package.infos[name].file_size
        if name == detail and scan.cells <= limits.max_merge_detail_cells:
            continue  # our own merge's 各单位明细: bounded by its own budget (and its area, checked in the scan)
        cells += scan.cells
        area += scan.area
        elements += scan.elements
        if cells > min(limits.max_cells, limits.max_content_cells) or area > 2 * limits.max_cells:
            raise HostileWorkbookError(msg("xlsxsafe.too_many_cells", count=max(cells, area)), path=package.path)
        if elements > limits.max_elements:
            raise HostileWorkbookError(msg("xlsxsafe.too_many_elements", member=name, count=elements,
                                           limit=limits.max_elements), path=package.path)
        if kept is not None:
            package.parts[name] = kept
            if name == "[Content_Types].xml" and b"macroenabled" in package.parts[name].lower():
                raise MacroWorkbookError(msg("xlsxsafe.macro"), path=package.path)


_WORKBOOK = "xl/workbook.xml"
_DETAIL_SHEET = re.compile(rb"""<(?:[\w.-]+:)?sheet\s[^>]*name\s*=\s*["']\xe5\x90\x84\xe5\x8d\x95\xe4\xbd\x8d"""
                           rb"""\xe6\x98\x8e\xe7\xbb\x86["'][^>]*>""")
_RID = re.compile(rb"""\s(?:[\w.-]+:)?id\s*=\s*["']([^"']+)["']""")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>")
_ID = re.compile(rb"""\sId\s*=\s*["']([^"']+)["']""")


def _merge_detail_part(package: Package) -> str | None:
    """The part of the 各单位明细 sheet of a workbook ``toolkit merge`` wrote (marked ``GK.format``): one column per
    unit, so it may hold up to :attr:`Limits.max_merge_detail_cells`; None for any other workbook."""
    from toolkit.ooxml import resolve_target

    book = package.parts.get(_WORKBOOK, b"")
    sheet = _DETAIL_SHEET.search(book)
    if sheet is None or b'name="GK.format"' not in book:
        return None
    rid = _RID.search(sheet.group())
    if rid is None:
        return None
    for rel in _RELATIONSHIP.findall(package.parts.get(_RELS, b"")):
        found, target = _ID.search(rel), _TARGET.search(rel)
        if found is not None and target is not None and found.group(1) == rid.group(1):
            part = resolve_target(target.group(1).decode("utf-8", "replace"))
            return part if part in package.infos else None
    return None


def _normalise_targets(package: Package) -> None:
    """Rewrite the workbook's relationship targets that Excel resolves but calamine does not (``..`` or ``.``
    segments, backslashes, a part name in other case) as plain relative targets, and re-pack the checked bytes,
    so that every parser reads the sheets Excel shows. Rare: a normal workbook is left as it is."""
    from toolkit.ooxml import resolve_target

    rels = package.parts.get(_RELS)
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

    fixed = _TARGET.sub(canonical, rels)
    if fixed == rels:
        return
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, info in package.infos.items():
            data = fixed if name == _RELS else package.read(name)
            zout.writestr(zipfile.ZipInfo(name, date_time=info.date_time), data, zipfile.ZIP_DEFLATED)
    package.blob = out.getvalue()
    package.infos = {info.filename: info for info in zipfile.ZipFile(io.BytesIO(package.blob)).infolist()}
    package.parts[_RELS] = fixed
