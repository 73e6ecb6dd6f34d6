"""The file and its zip directory, before any part is unpacked: read once within its size limit, told apart from
what it is not (empty, an OLE file — encrypted, .xls/.et, .doc —, a PDF, HTML or text), its directory listed and
every entry size-checked (count, duplicates, case twins, encryption, method, declared sizes, compression ratio);
and :func:`inflate`, which unpacks one entry in bounded chunks, never trusting its header, CRC checked."""

from __future__ import annotations

import errno
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

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


def open_zip(path: Path, limits: Limits) -> tuple[bytes, dict[str, zipfile.ZipInfo]]:
    """The file's bytes and its checked zip directory (part name → entry); nothing is unpacked yet."""
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
    return blob, _check_entries(path, infos, limits)


def _read_file(path: Path, limits: Limits) -> bytes:
    try:
        if path.is_dir():
            raise WorkbookError(msg("xlsxsafe.directory"), path=path)
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise WorkbookError(msg("xlsxsafe.too_large", size=size_text(size), limit=size_text(limits.max_file_bytes)),
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
        raise HostileWorkbookError(msg("xlsxsafe.too_big", size=size_text(total),
                                       limit=size_text(limits.max_total_bytes)), path=path)
    return by_name


def inflate(path: Path, blob: bytes, info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
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
    decomp = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
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


def _too_much(path: Path, info: zipfile.ZipInfo) -> None:
    """More bytes came out than declared (or than the whole budget): the headers lie."""
    raise HostileWorkbookError(msg("xlsxsafe.size_lie", member=info.filename), path=path)


