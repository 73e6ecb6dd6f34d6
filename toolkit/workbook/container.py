"""The file and its zip directory, before any part is unpacked: read once within its size limit, told apart from
what it is not (empty, an OLE file — encrypted, .xls/.et, .doc —, a PDF, HTML or text), its directory listed and
every entry size-checked (count, duplicates, case twins, encryption, method, declared sizes, compression ratio);
and :func:`inflate`, which unpacks one entry in bounded chunks, never trusting its header, CRC checked.

The zip directory is read here (:func:`read_directory`), not by :mod:`zipfile`: the gate unpacks entries itself
anyway, and ``import zipfile`` brings shutil, bz2, lzma, threading, importlib.util and pathlib — a tenth of a
one-file check's instructions — to parse 46 bytes an entry. The reader gives what ``zipfile.ZipFile.infolist()``
gives for the same bytes (entries, names, sizes, offsets, and a refusal where zipfile raises BadZipFile); a test
holds the two together on real, generated and mutated archives."""

from __future__ import annotations

import errno
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from stat import S_ISDIR

from toolkit.budget import MB, Limits
from toolkit.errors import (
    EncryptedWorkbookError,
    HostileWorkbookError,
    LegacyFormatError,
    NotAWorkbookError,
    WorkbookError,
)
from toolkit.messages import msg

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 * MB


STORED = 0
DEFLATED = 8
"""The two compression methods an OOXML package uses (zipfile's ZIP_STORED and ZIP_DEFLATED)."""


class Entry:
    """One entry of the zip directory: the fields of ``zipfile.ZipInfo`` the gate and the copy use."""

    __slots__ = ("CRC", "compress_size", "compress_type", "date_time", "external_attr", "file_size", "filename",
                 "flag_bits", "header_offset")

    def __init__(self, filename: str, flag_bits: int, compress_type: int, crc: int, compress_size: int,
                 file_size: int, header_offset: int, date_time: tuple[int, int, int, int, int, int],
                 external_attr: int) -> None:
        self.filename = filename
        """The part name as zipfile gives it (UTF-8 when flagged, else cp437; cut at a NUL)."""
        self.flag_bits = flag_bits
        self.compress_type = compress_type
        self.CRC = crc
        self.compress_size = compress_size
        self.file_size = file_size
        self.header_offset = header_offset
        """Where its local header starts in the file (the offset of prepended bytes added, as zipfile does)."""
        self.date_time = date_time
        self.external_attr = external_attr

    def __repr__(self) -> str:
        return f"Entry({self.filename!r}, size={self.file_size}, at={self.header_offset})"


class BadZip(Exception):
    """The zip directory cannot be read (zipfile would raise BadZipFile or NotImplementedError)."""


_EOCD = struct.Struct("<4s4H2LH")
_LOCATOR64 = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")


def _end_record(blob: bytes) -> tuple[int, int, int, bool]:
    """(offset of the directory as recorded, its size, where the end record starts, whether it is zip64)."""
    size = len(blob)
    at = size - _EOCD.size
    if not (at >= 0 and blob[at:at + 4] == b"PK\x05\x06" and blob[-2:] == b"\0\0"):  # a comment follows it
        floor = max(size - (1 << 16) - _EOCD.size, 0)
        at = blob.rfind(b"PK\x05\x06", floor)
        if at < 0 or at + _EOCD.size > size:
            raise BadZip("File is not a zip file")
    fields = _EOCD.unpack_from(blob, at)
    dir_size, dir_offset, zip64 = fields[5], fields[6], False
    locator = at - _LOCATOR64.size
    if locator >= 0:
        sig, disk, _, disks = _LOCATOR64.unpack_from(blob, locator)
        if sig == b"PK\x06\x07":
            if disk != 0 or disks > 1:
                raise BadZip("zipfiles that span multiple disks are not supported")
            record = locator - _EOCD64.size
            if record >= 0:
                big = _EOCD64.unpack_from(blob, record)
                if big[0] == b"PK\x06\x06":
                    dir_size, dir_offset, zip64 = big[8], big[9], True
    return dir_offset, dir_size, at, zip64


def _zip64_extra(extra: bytes, file_size: int, compress_size: int, offset: int) -> tuple[int, int, int]:
    """The sizes and offset with the ZIP64 extra field's values where the fixed fields say 0xFFFFFFFF."""
    while len(extra) >= 4:
        kind, length = struct.unpack_from("<HH", extra)
        if length + 4 > len(extra):
            raise BadZip(f"Corrupt extra field {kind:04x} (size={length})")
        if kind == 0x0001:
            data = extra[4:length + 4]
            try:
                if file_size in (0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF):
                    (file_size,), data = struct.unpack_from("<Q", data), data[8:]
                if compress_size == 0xFFFF_FFFF:
                    (compress_size,), data = struct.unpack_from("<Q", data), data[8:]
                if offset == 0xFFFF_FFFF:
                    (offset,) = struct.unpack_from("<Q", data)
            except struct.error:
                raise BadZip("Corrupt zip64 extra field") from None
        extra = extra[length + 4:]
    return file_size, compress_size, offset


def _unicode_path(extra: bytes) -> str | None:
    """The name an Info-ZIP Unicode Path field (0x7075) gives an entry, or None: zip readers (calamine's among
    them) take it instead of the entry's own name, so a name differing from it is refused."""
    pos = 0
    while pos + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, pos)
        if kind == 0x7075 and size >= 5:
            return extra[pos + 9:pos + 4 + size].decode("utf-8", "replace")
        pos += 4 + size
    return None


class TooManyEntries(Exception):
    """The directory holds more entries than allowed (the argument: how many it holds)."""


def read_directory(blob: bytes, max_entries: int | None = None) -> list[Entry]:
    """The entries of the zip in ``blob``, in directory order, as ``zipfile.ZipFile(...).infolist()`` lists them;
    :class:`BadZip` where zipfile would refuse the archive, :class:`TooManyEntries` (with their number, counted
    without making them) past ``max_entries``, whatever the end record claims. Nothing is unpacked and no entry is
    trusted yet: the caller checks them (:func:`open_zip`)."""
    dir_offset, dir_size, end_at, zip64 = _end_record(blob)
    concat = end_at - dir_size - dir_offset - (56 + 20 if zip64 else 0)  # bytes prepended to the archive
    start = dir_offset + concat
    if start < 0:
        raise BadZip("Bad offset for central directory")
    directory = blob[start:start + dir_size]
    entries: list[Entry] = []
    unpack, fixed, pos = _CENTRAL.unpack_from, _CENTRAL.size, 0
    while pos < dir_size:
        if pos + fixed > len(directory):
            raise BadZip("Truncated central directory")
        (sig, _made, _system, extract, _reserved, flags, method, time, date, crc, compress_size, file_size,
         name_len, extra_len, comment_len, _disk, _internal, external, offset) = unpack(directory, pos)
        if sig != b"PK\x01\x02":
            raise BadZip("Bad magic number for central directory")
        pos += fixed
        raw = directory[pos:pos + name_len]
        extra = directory[pos + name_len:pos + name_len + extra_len]
        pos += name_len + extra_len + comment_len
        if extract > 63:
            raise BadZip(f"zip file version {extract / 10:.1f}")
        try:
            name = raw.decode("utf-8" if flags & 0x800 else "ascii")
        except UnicodeDecodeError:
            if flags & 0x800:
                raise BadZip("file name is not UTF-8") from None
            name = raw.decode("cp437")
        if "\0" in name:
            name = name[:name.index("\0")]
        if os.sep != "/" and os.sep in name:
            name = name.replace(os.sep, "/")
        if extra:
            file_size, compress_size, offset = _zip64_extra(extra, file_size, compress_size, offset)
            other = _unicode_path(extra)
            if other is not None and other != name:  # another reader would know the entry by this name
                raise BadZip("entry with a second name (Info-ZIP Unicode Path)")
        stamp = ((date >> 9) + 1980, (date >> 5) & 0xF, date & 0x1F, time >> 11, (time >> 5) & 0x3F, (time & 0x1F) * 2)
        entries.append(Entry(name, flags, method, crc, compress_size, file_size, offset + concat, stamp, external))
        if max_entries is not None and len(entries) > max_entries:
            raise TooManyEntries(len(entries) + _count_rest(directory, pos, dir_size))
    return entries


def _count_rest(directory: bytes, pos: int, end: int) -> int:
    """How many directory records follow ``pos`` (as far as they can be told apart)."""
    count = 0
    while pos + 46 <= min(end, len(directory)) and directory.startswith(b"PK\x01\x02", pos):
        name_len, extra_len, comment_len = struct.unpack_from("<3H", directory, pos + 28)
        pos += 46 + name_len + extra_len + comment_len
        count += 1
    return count


def open_zip(path: Path, limits: Limits) -> tuple[bytes, dict[str, Entry]]:
    """The file's bytes and its checked zip directory (part name → entry); nothing is unpacked yet."""
    blob = _read_file(path, limits)
    if blob.startswith(_CFB):
        _refuse_cfb(path, blob)
    if not blob.startswith(b"PK"):
        raise NotAWorkbookError(_what_is(blob[:4096]), path=path)
    _check_entry_count(path, blob, limits)
    try:
        infos = read_directory(blob, limits.max_members)
    except TooManyEntries as exc:
        raise HostileWorkbookError(msg("xlsxsafe.too_many_members", count=exc.args[0], limit=limits.max_members),
                                   path=path) from None
    except (BadZip, struct.error) as exc:
        raise WorkbookError(msg("xlsxsafe.truncated"), path=path, reason=type(exc).__name__) from None
    return blob, _check_entries(path, infos, limits)


def _read_file(path: Path, limits: Limits) -> bytes:
    try:
        measured = path.stat()
        if S_ISDIR(measured.st_mode):
            raise WorkbookError(msg("xlsxsafe.directory"), path=path)
        size = measured.st_size
        if size > limits.max_file_bytes:
            raise WorkbookError(msg("xlsxsafe.too_large", size=size_text(size), limit=size_text(limits.max_file_bytes)),
                                path=path)
        with path.open("rb") as fh:
            # the size measured, and a byte more: asking for the whole limit at once costs a 100 MB buffer
            blob = fh.read(size + 1)
            if len(blob) > size:  # it grew since it was measured (or is no regular file): read on, within the limit
                blob += fh.read(max(0, limits.max_file_bytes + 1 - len(blob)))
    except FileNotFoundError:
        raise WorkbookError(msg("xlsxsafe.missing"), path=path) from None
    except OSError as exc:
        key = "untrusted.input_too_long" if exc.errno == errno.ENAMETOOLONG else "xlsxsafe.unopenable"
        raise WorkbookError(msg(key), path=path) from None
    if not blob:
        raise NotAWorkbookError(msg("xlsxsafe.empty"), path=path)
    if len(blob) > limits.max_file_bytes:
        raise WorkbookError(msg("xlsxsafe.too_large", size=size_text(len(blob)),
                                limit=size_text(limits.max_file_bytes)), path=path)
    return blob


def size_text(n: int) -> str:
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
    """Refuse a central directory with too many entries before one object is built per entry."""
    at = blob.rfind(b"PK\x05\x06", max(0, len(blob) - 65_557))
    if at < 0 or at + 22 > len(blob):
        return  # read_directory reports the broken zip
    (count,) = struct.unpack_from("<H", blob, at + 10)
    if count == 0xFFFF and at >= 20 and blob[at - 20 : at - 16] == b"PK\x06\x07":
        (z64,) = struct.unpack_from("<Q", blob, at - 12)
        if z64 + 40 <= len(blob) and blob[z64 : z64 + 4] == b"PK\x06\x06":
            (count,) = struct.unpack_from("<Q", blob, z64 + 32)
    if count > limits.max_members:
        raise HostileWorkbookError(msg("xlsxsafe.too_many_members", count=count, limit=limits.max_members), path=path)


def _check_entries(path: Path, infos: list[Entry], limits: Limits) -> dict[str, Entry]:
    if len(infos) > limits.max_members:
        raise HostileWorkbookError(msg("xlsxsafe.too_many_members", count=len(infos), limit=limits.max_members),
                                   path=path)
    by_name: dict[str, Entry] = {}
    total = 0
    folded: dict[str, str] = {}
    for info in infos:
        if info.filename in by_name:
            raise HostileWorkbookError(msg("xlsxsafe.duplicate", member=info.filename), path=path)
        if "\\" in info.filename:  # calamine looks a part up with "\\" read as "/": two names for one part
            raise HostileWorkbookError(msg("xlsxsafe.backslash", member=info.filename), path=path)
        twin = folded.setdefault(info.filename.casefold(), info.filename)
        if twin != info.filename:  # OPC part names ignore case: readers would disagree on which one is meant
            raise HostileWorkbookError(msg("xlsxsafe.case_twin", member=info.filename, twin=twin), path=path)
        by_name[info.filename] = info
        total += info.file_size
        if info.flag_bits & 0x1:
            raise EncryptedWorkbookError(msg("xlsxsafe.zip_encrypted", member=info.filename), path=path)
        if info.compress_type not in (STORED, DEFLATED):
            raise WorkbookError(msg("xlsxsafe.method", member=info.filename), path=path)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise HostileWorkbookError(msg("xlsxsafe.ratio", member=info.filename, ratio=f"{ratio:.0f}"), path=path)
    if total > limits.max_total_bytes:
        raise HostileWorkbookError(msg("xlsxsafe.too_big", size=size_text(total),
                                       limit=size_text(limits.max_total_bytes)), path=path)
    return by_name


def inflate(path: Path, blob: bytes, info: Entry, budget: int) -> Iterator[bytes]:
    """A part's bytes in chunks, never more than declared nor than ``budget``; CRC checked at the end."""
    name = info.filename
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
    decomp = zlib.decompressobj(-15) if info.compress_type == DEFLATED else None
    try:
        for pos in range(0, max(len(raw), 1), _CHUNK):
            piece: bytes | memoryview = raw[pos : pos + _CHUNK]  # zlib reads the compressed bytes in place
            while piece:
                if decomp is None:
                    out, piece = bytes(piece), b""
                else:
                    out = decomp.decompress(piece, _CHUNK)
                    piece = decomp.unconsumed_tail
                produced += len(out)
                if produced > limit:
                    _too_much(path, info)
                crc = zlib.crc32(out, crc)
                yield out
        if decomp is not None:
            out = decomp.flush()
            produced += len(out)
            if produced > limit:
                _too_much(path, info)
            crc = zlib.crc32(out, crc)
            yield out
            if not decomp.eof:
                raise WorkbookError(msg("xlsxsafe.truncated"), path=path)
    except zlib.error:
        raise WorkbookError(msg("xlsxsafe.corrupt_member", member=name, reason="压缩数据损坏"), path=path) from None
    if produced != info.file_size or crc != info.CRC:
        raise WorkbookError(msg("xlsxsafe.corrupt_member", member=name, reason="校验和不符"), path=path)


def _too_much(path: Path, info: Entry) -> None:
    """More bytes came out than declared (or than the whole budget): the headers lie."""
    raise HostileWorkbookError(msg("xlsxsafe.size_lie", member=info.filename), path=path)


