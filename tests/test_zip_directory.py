"""The gate's own zip directory reader lists what :mod:`zipfile` lists, and refuses what zipfile refuses, for
real workbooks, archives with the unusual parts of the format (zip64, comments, prepended bytes, legacy names)
and thousands of mutated ones."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.budget import LIMITS
from toolkit.errors import HostileWorkbookError
from toolkit.record import replace
from toolkit.workbook.container import BadZip, TooManyEntries, read_directory
from toolkit.workbook.safety import open_package

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.xlsx"))
ZIPFILE_REFUSES = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OverflowError, struct.error,
                   NotImplementedError)
FIELDS = ("filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size", "header_offset",
          "date_time", "external_attr")


def zipfile_listing(blob: bytes) -> list[tuple[object, ...]] | None:
    """What zipfile lists (the fields the gate uses), None when zipfile refuses the archive."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(blob)).infolist()
    except ZIPFILE_REFUSES:
        return None
    return [tuple(getattr(info, name) for name in FIELDS) for info in infos]


def own_listing(blob: bytes) -> list[tuple[object, ...]] | None:
    """What :func:`read_directory` lists, None when it refuses the archive."""
    try:
        entries = read_directory(blob)
    except (BadZip, struct.error):
        return None
    return [tuple(getattr(entry, name) for name in FIELDS) for entry in entries]


def small_zip(**options: object) -> bytes:
    """A little archive of three parts, one stored, with a UTF-8 name and a comment on one entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>" * 20)
        info = zipfile.ZipInfo("xl/工作表.xml", date_time=(2024, 5, 6, 7, 8, 10))
        info.comment = b"note"
        zf.writestr(info, "表".encode() * 50)
        zf.writestr("xl/stored.bin", b"\x00\x01" * 30, compress_type=zipfile.ZIP_STORED)
        comment = options.get("comment")
        if isinstance(comment, bytes):
            zf.comment = comment
    return out.getvalue()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_the_bundled_workbooks_list_as_zipfile_lists_them(path: Path) -> None:
    """Every bundled example (written by xlsxwriter, by openpyxl or saved by LibreOffice) lists alike."""
    blob = path.read_bytes()
    assert own_listing(blob) == zipfile_listing(blob) and own_listing(blob)


def test_archive_comment_prepended_bytes_and_legacy_names_list_alike() -> None:
    """An archive comment, bytes prepended to the archive (offsets shift), and a name in the legacy code page
    (no UTF-8 flag, a byte above 127: cp437, as zipfile reads it) give zipfile's entries."""
    commented = small_zip(comment="年报 2026".encode())
    assert own_listing(commented) == zipfile_listing(commented) is not None
    deceptive = small_zip(comment=b"PK\x05\x06 looks like an end record")  # both take the last signature
    assert own_listing(deceptive) == zipfile_listing(deceptive)
    prepended = b"MZ" + b"\x00" * 500 + small_zip()
    listing = own_listing(prepended)
    assert listing == zipfile_listing(prepended) is not None and listing[0][6] == 502
    legacy = raw_zip([(b"xl/\x82t\xa0.xml", 0), ("xl/工作表.xml".encode(), 0x800), (b"xl/a.xml\x00junk", 0)])
    listing = own_listing(legacy)
    assert listing == zipfile_listing(legacy) and [row[0] for row in listing or []] == [
        "xl/étá.xml", "xl/工作表.xml", "xl/a.xml"]


def raw_zip(names: list[tuple[bytes, int]]) -> bytes:
    """A stored archive written byte by byte: each name as given (any bytes), with the flag bits given."""
    local, central = b"", b""
    for name, flags in names:
        data = b"<x/>"
        crc = zlib.crc32(data)
        central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, flags, 0, 0, 0x5821, crc, len(data),
                               len(data), len(name), 0, 0, 0, 0, 0, len(local)) + name
        local += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, 0, 0, 0x5821, crc, len(data), len(data),
                             len(name), 0) + name + data
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(names), len(names), len(central), len(local), 0)
    return local + central + end


def test_zip64_records_and_extra_fields_list_alike() -> None:
    """An entry written with zip64 extra fields and an archive with zip64 end records list as zipfile lists them
    (sizes from the extra field, the directory found through the zip64 locator)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        with zf.open("xl/big.xml", "w", force_zip64=True) as part:
            part.write(b"<a/>" * 1000)
        zf.writestr("xl/small.xml", b"<b/>")
    blob = out.getvalue()
    assert own_listing(blob) == zipfile_listing(blob) is not None
    # the same archive with zip64 end records (as writers emit for > 65,535 entries): rebuilt by hand
    end = blob.rfind(b"PK\x05\x06")
    _, _, _, count, total, size, offset, _ = struct.unpack_from("<4s4H2LH", blob, end)
    record64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, total, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    tail = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    zip64 = blob[:end] + record64 + locator + tail
    listing = own_listing(zip64)
    assert listing == zipfile_listing(zip64) is not None and len(listing) == 2


def test_broken_directories_are_refused_as_zipfile_refuses_them() -> None:
    """A truncated directory, a wrong signature, a spanned archive, a version zipfile does not read, a bad UTF-8
    name: refused (None) by both."""
    blob = small_zip()
    central = blob.find(b"PK\x01\x02")
    cases = {
        "cut": blob[: len(blob) - 30],
        "signature": blob[:central] + b"PK\x01\x09" + blob[central + 4:],
        "version": blob[:central + 6] + bytes([64, 0]) + blob[central + 8:],
        "empty": b"",
        "no end": blob.replace(b"PK\x05\x06", b"PK\x05\x07"),
    }
    flagged = bytearray(blob)
    flagged[central + 8] |= 0x00
    flagged[central + 9] |= 0x08  # UTF-8 flag on the name "[Content_Types].xml": still valid UTF-8
    cases["utf8 flag"] = bytes(flagged)
    for name, case in cases.items():
        assert own_listing(case) == zipfile_listing(case), name
    assert own_listing(cases["signature"]) is None and own_listing(cases["cut"]) is None


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.data())
def test_mutated_archives_list_or_are_refused_as_zipfile_does(data: st.DataObject) -> None:
    """Random byte changes, in the directory and end record most of all, and truncations: the reader and
    zipfile list the same entries or both refuse."""
    blob = bytearray(small_zip(comment=data.draw(st.sampled_from([b"", b"c" * 5]))))
    central = blob.find(b"PK\x01\x02")
    for _ in range(data.draw(st.integers(1, 6))):
        where = data.draw(st.one_of(st.integers(central, len(blob) - 1), st.integers(0, len(blob) - 1)))
        blob[where] = data.draw(st.sampled_from([0, 1, 0x08, 0x50, 0x4B, 0xFF, data.draw(st.integers(0, 255))]))
    if data.draw(st.booleans()):
        blob = blob[: data.draw(st.integers(0, len(blob)))]
    assert own_listing(bytes(blob)) == zipfile_listing(bytes(blob))


def test_random_real_mutations_of_a_workbook_list_alike() -> None:
    """A thousand single-byte changes over a bundled workbook's directory and end record list alike."""
    blob = EXAMPLES[0].read_bytes()
    central = blob.find(b"PK\x01\x02")
    rng = random.Random(16)
    for _ in range(1000):
        mutated = bytearray(blob)
        mutated[rng.randrange(central, len(blob))] = rng.randrange(256)
        assert own_listing(bytes(mutated)) == zipfile_listing(bytes(mutated))


def test_the_gate_checks_and_reads_through_the_own_reader() -> None:
    """A package opened by the gate holds the reader's entries, and its parts read back with their bytes."""
    package = open_package(EXAMPLES[0])
    with zipfile.ZipFile(EXAMPLES[0]) as zf:
        assert list(package.infos) == zf.namelist()
        assert package.read("xl/workbook.xml") == zf.read("xl/workbook.xml")


def test_a_directory_longer_than_its_end_record_says_is_refused_past_the_limit(tmp_path: Path) -> None:
    """An end record that claims 3 entries before a directory of 20: past a limit of 10 the gate refuses the
    file, naming the 20 it counted (without making an entry of each), before any is checked."""
    blob = bytearray(raw_zip([(f"xl/p{i}.xml".encode(), 0) for i in range(20)]))
    end = blob.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", blob, end + 8, 3, 3)
    path = tmp_path / "long.xlsx"
    path.write_bytes(bytes(blob))
    assert len(read_directory(bytes(blob))) == 20
    with pytest.raises(TooManyEntries) as raised:
        read_directory(bytes(blob), 10)
    assert raised.value.args[0] == 20
    with pytest.raises(HostileWorkbookError) as refused:
        open_package(path, limits=replace(LIMITS, max_members=10))
    assert "20" in refused.value.message and "10" in refused.value.message
