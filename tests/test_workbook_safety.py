"""The safety gate refuses every unusable or hostile file with the right Chinese error, fast and in bounded memory."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.budget import Limits
from toolkit.errors import (
    EncryptedWorkbookError,
    HostileWorkbookError,
    LegacyFormatError,
    MacroWorkbookError,
    NotAWorkbookError,
    WorkbookError,
)
from toolkit.workbook import read_workbook
from toolkit.workbook.safety import inspect_file, open_package

CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def good_workbook(path: Path) -> Path:
    """A small ordinary workbook."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("表")
    ws.write("A1", "机关名称")
    ws.write("B2", 5)
    ws.write_formula("C3", "=B2+1", None, 6)
    wb.close()
    return path


def rezip(src: Path, dst: Path, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          level: int = 6) -> Path:
    """A copy of ``src`` with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def refused(path: Path, error: type[WorkbookError], **kw: object) -> WorkbookError:
    """Assert ``inspect_file`` raises exactly ``error`` with a clean Chinese message naming the file."""
    with pytest.raises(WorkbookError) as info:
        inspect_file(path, **kw)  # type: ignore[arg-type]
    exc = info.value
    assert type(exc) is error, (type(exc), str(exc))
    text = str(exc)
    assert path.name in text and "Error" not in exc.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.message)
    return exc


def test_good_workbook_passes(tmp_path: Path) -> None:
    """An ordinary workbook passes and its structural parts are kept for the reader."""
    package = open_package(good_workbook(tmp_path / "ok.xlsx"))
    assert "xl/workbook.xml" in package.parts
    assert package.read("xl/worksheets/sheet1.xml").startswith(b"<?xml")


def test_missing_file(tmp_path: Path) -> None:
    """A missing file says so."""
    assert "找不到文件" in refused(tmp_path / "无此文件.xlsx", WorkbookError).message


def test_directory(tmp_path: Path) -> None:
    """A folder is not a workbook."""
    folder = tmp_path / "目录.xlsx"
    folder.mkdir()
    assert "文件夹" in refused(folder, WorkbookError).message


def test_empty_file(tmp_path: Path) -> None:
    """An empty file is not a workbook."""
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    assert "为空" in refused(path, NotAWorkbookError).message


def test_random_bytes(tmp_path: Path) -> None:
    """Random bytes are not a workbook."""
    path = tmp_path / "乱码.xlsx"
    path.write_bytes(random.Random(7).randbytes(5000).replace(b"PK", b"pk").replace(CFB[:2], b"xx"))
    refused(path, NotAWorkbookError)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("机关名称,南口镇\n报告年度,2026\n".encode(), "文本文件"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        ("<html><body><table><tr><td>三</td></tr></table></body></html>".encode(), "网页"),
        (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>', "XML"),
    ],
)
def test_other_files_named_xlsx(tmp_path: Path, content: bytes, says: str) -> None:
    """Text, PDF, an HTML "xls" and Excel 2003 XML named .xlsx are told apart, with how to convert."""
    path = tmp_path / "年报.xlsx"
    path.write_bytes(content)
    assert says in refused(path, NotAWorkbookError).message


def test_docx_renamed(tmp_path: Path) -> None:
    """A Word document renamed .xlsx is recognised as Word."""
    path = tmp_path / "年报.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "Word" in refused(path, NotAWorkbookError).message


def test_zip_without_workbook(tmp_path: Path) -> None:
    """A zip that holds no xl/workbook.xml is not a workbook."""
    path = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "xl/workbook.xml" in refused(path, NotAWorkbookError).message


def test_encrypted_workbook(tmp_path: Path) -> None:
    """An OLE file holding EncryptionInfo is an encrypted OOXML workbook: remove the password."""
    path = tmp_path / "加密.xlsx"
    path.write_bytes(CFB + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64)
                     + "EncryptedPackage".encode("utf-16-le") + bytes(1024))
    exc = refused(path, EncryptedWorkbookError)
    assert exc.message == "文件设有打开密码，请在 Excel/WPS 中取消密码后另存为 .xlsx"


def test_legacy_xls(tmp_path: Path) -> None:
    """Any other OLE file is an .xls/.et: save as .xlsx."""
    path = tmp_path / "旧表.xls"
    path.write_bytes(CFB + bytes(504) + "Workbook".encode("utf-16-le") + bytes(2048))
    assert "另存为“Excel 工作簿(*.xlsx)”" in refused(path, LegacyFormatError).message


def test_legacy_doc(tmp_path: Path) -> None:
    """An OLE Word document is not a workbook."""
    path = tmp_path / "旧文档.xlsx"
    path.write_bytes(CFB + bytes(504) + "WordDocument".encode("utf-16-le") + bytes(2048))
    assert "Word" in refused(path, NotAWorkbookError).message


def test_macro_workbook(tmp_path: Path) -> None:
    """A workbook with xl/vbaProject.bin is refused: save as .xlsx without macros."""
    path = rezip(good_workbook(tmp_path / "a.xlsx"), tmp_path / "宏.xlsm", add={"xl/vbaProject.bin": b"\x00" * 64})
    assert "不含宏" in refused(path, MacroWorkbookError).message


def test_macro_content_type(tmp_path: Path) -> None:
    """A workbook whose content type is macro-enabled is refused too."""
    src = good_workbook(tmp_path / "a.xlsx")
    with zipfile.ZipFile(src) as z:
        types = z.read("[Content_Types].xml").replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    refused(rezip(src, tmp_path / "宏2.xlsx", replace={"[Content_Types].xml": types}), MacroWorkbookError)


def test_truncated_zip(tmp_path: Path) -> None:
    """A workbook cut short (download not finished) is damaged, not hostile."""
    blob = good_workbook(tmp_path / "a.xlsx").read_bytes()
    path = tmp_path / "半截.xlsx"
    path.write_bytes(blob[: len(blob) // 2])
    assert "不完整" in refused(path, WorkbookError).message


def test_corrupt_member(tmp_path: Path) -> None:
    """Flipped bytes inside a compressed part are caught (deflate or CRC) as damage."""
    src = good_workbook(tmp_path / "a.xlsx")
    blob = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo("xl/workbook.xml")
    name_len, extra_len = struct.unpack_from("<HH", blob, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 10, start + 30):
        blob[i] ^= 0x5A
    path = tmp_path / "损坏.xlsx"
    path.write_bytes(bytes(blob))
    assert "损坏" in refused(path, WorkbookError).message


def _zeros(n_mb: int, level: int = 9) -> bytes:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    return b"".join([*(comp.compress(chunk) for _ in range(n_mb)), comp.flush()])


def _with_raw_member(src: Path, dst: Path, name: str, raw: bytes, size: int, crc: int) -> Path:
    """``src`` plus a deflated member written from raw deflate data, declaring ``size`` and ``crc``."""
    rezip(src, dst, add={name: b"x"})
    blob = dst.read_bytes()
    with zipfile.ZipFile(dst) as z:
        info = z.getinfo(name)
    local = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", blob, local + 26)
    data_start = local + 30 + name_len + extra_len
    head = bytearray(blob[:data_start])
    struct.pack_into("<III", head, local + 14, crc, len(raw), size)
    tail = bytearray(blob[data_start + info.compress_size :])
    delta = len(raw) - info.compress_size
    out = bytearray(bytes(head) + raw + bytes(tail))
    # fix the central directory entry of the member, and the directory offset in the end record
    pos = out.find(b"PK\x01\x02", data_start + len(raw))
    while pos >= 0:
        (n_len,) = struct.unpack_from("<H", out, pos + 28)
        if out[pos + 46 : pos + 46 + n_len] == name.encode():
            struct.pack_into("<III", out, pos + 16, crc, len(raw), size)
        pos = out.find(b"PK\x01\x02", pos + 4)
    end = out.rfind(b"PK\x05\x06")
    (cd_offset,) = struct.unpack_from("<I", out, end + 16)
    struct.pack_into("<I", out, end + 16, cd_offset + delta)
    dst.write_bytes(bytes(out))
    return dst


def test_zip_bomb_declared_size(tmp_path: Path) -> None:
    """A part that inflates to more than the limit (250 MB of zeros) is refused from its declared size."""
    raw = _zeros(250)
    path = _with_raw_member(good_workbook(tmp_path / "a.xlsx"), tmp_path / "炸弹.xlsx", "xl/media/big.xml", raw,
                            250 << 20, 0)
    assert "压缩炸弹" in refused(path, HostileWorkbookError).message


def test_zip_bomb_lying_header(tmp_path: Path) -> None:
    """A part whose header declares 1 KB but inflates to 20 MB is stopped after 1 KB actually inflated."""
    raw = _zeros(20)
    path = _with_raw_member(good_workbook(tmp_path / "a.xlsx"), tmp_path / "说谎.xlsx", "xl/styles2.xml", raw,
                            1024, 0)
    assert "声明" in refused(path, HostileWorkbookError).message


def test_zip_bomb_ratio(tmp_path: Path) -> None:
    """A 20 MB part compressed a thousandfold is refused for its ratio."""
    raw = _zeros(20)
    path = _with_raw_member(good_workbook(tmp_path / "a.xlsx"), tmp_path / "高压缩.xlsx", "xl/zeros.xml", raw,
                            20 << 20, zlib.crc32(bytes(20 << 20)))
    assert "压缩比" in refused(path, HostileWorkbookError).message


def test_too_many_members(tmp_path: Path) -> None:
    """More parts than the limit are refused before zipfile lists them."""
    path = rezip(good_workbook(tmp_path / "a.xlsx"), tmp_path / "多.xlsx",
                 add={f"xl/media/x{i}.txt": b"" for i in range(60)})
    refused(path, HostileWorkbookError, limits=Limits(max_members=50))


def _sheet_with(tmp_path: Path, name: str, transform: Callable[[bytes], bytes], part: str) -> Path:
    src = good_workbook(tmp_path / "a.xlsx")
    with zipfile.ZipFile(src) as z:
        data = z.read(part)
    return rezip(src, tmp_path / name, replace={part: transform(data)})


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n')


def test_billion_laughs_in_sheet(tmp_path: Path) -> None:
    """A sheet with an entity-expansion DTD is refused before any parser sees it."""
    def laugh(data: bytes) -> bytes:
        return LAUGHS + data.split(b"?>", 1)[1].replace(b"<v>5</v>", b"<v>&lol3;</v>")

    path = _sheet_with(tmp_path, "笑.xlsx", laugh, "xl/worksheets/sheet1.xml")
    assert "DOCTYPE" in refused(path, HostileWorkbookError).message


def test_external_entity_in_shared_strings(tmp_path: Path) -> None:
    """An external entity in sharedStrings.xml is refused."""
    xxe = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'

    def inject(data: bytes) -> bytes:
        return xxe + data.split(b"?>", 1)[1].replace("机关名称".encode(), b"&x;")

    refused(_sheet_with(tmp_path, "外部实体.xlsx", inject, "xl/sharedStrings.xml"), HostileWorkbookError)


def test_dtd_in_utf16_part(tmp_path: Path) -> None:
    """A DTD hidden in a UTF-16 encoded part is found too."""

    def utf16(data: bytes) -> bytes:
        text = data.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        head, body = text.split("?>", 1)
        return (head + '?><!DOCTYPE x [<!ENTITY a "b">]>' + body).encode("utf-16")

    refused(_sheet_with(tmp_path, "utf16.xlsx", utf16, "xl/workbook.xml"), HostileWorkbookError)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"<", b"!", b"<!--", b"-->", b"<![CDATA[", b"<!DOCTYPE", b"<!ENTITY", b"a", b"<a>",
                                 b"\xe6\xb3\xa8!", b"!!"]), max_size=120))
def test_markup_declarations_are_found_as_a_search_for_them_finds_them(pieces: list[bytes]) -> None:
    """The scan finds ``<!`` by its ``!`` (fast), and past many a stray ``!`` by ``<!`` itself: the same count as
    ``bytes.count``, and a refusal exactly when one of them is neither a comment nor CDATA."""
    from toolkit.workbook import xmlscan

    text = b"".join(pieces) * 3  # past xmlscan._STRAY_BANGS stray "!" in some of them
    scan = xmlscan.XmlScan(Path("x.xlsx"), "xl/x.xml", max_cells=1, max_tag_bytes=1 << 20, measure=False,
                           precise=False)
    starts = [i for i in range(len(text)) if text.startswith(b"<!", i)]
    hostile = any(not (text.startswith(b"<!--", i) or text.startswith(b"<![CDATA[", i)) for i in starts)
    if hostile:
        with pytest.raises(HostileWorkbookError):
            scan._markup_declarations(text)
    else:
        assert scan._markup_declarations(text) == len(starts)


def test_a_sheet_entry_naming_the_shared_strings_has_them_measured_as_a_sheet(tmp_path: Path) -> None:
    """Every target of the workbook's relationships is measured as a sheet may be, the shared strings among them:
    a workbook whose sheet names the shared strings' relationship (calamine reads them as that sheet) with
    far-apart cells written there is refused."""
    plain = open_package(good_workbook(tmp_path / "a.xlsx"))
    assert {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"} <= plain.sheet_parts
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        strings = z.read("xl/sharedStrings.xml")
    rid = next(part.split('Id="')[1].split('"')[0] for part in rels.split("<Relationship ")[1:]
               if "sharedStrings" in part)
    book = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.'
            b'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="\xe8\xa1\xa8" sheetId="1" r:id="%s"/></sheets></workbook>' % rid.encode())
    far = strings.replace(b"</sst>", b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">'
                                     b'<c r="XFD1048576"><v>1</v></c></row></sheetData></sst>')
    hostile = rezip(tmp_path / "a.xlsx", tmp_path / "远.xlsx", replace={"xl/workbook.xml": book,
                                                                          "xl/sharedStrings.xml": far})
    assert "数据范围异常" in refused(hostile, HostileWorkbookError).message
    with pytest.raises(HostileWorkbookError):
        open_package(hostile, lazy=True)


def test_comments_and_cdata_are_fine(tmp_path: Path) -> None:
    """XML comments are not DTDs."""
    path = _sheet_with(tmp_path, "注释.xlsx", lambda d: d.replace(b"<sheetData>", b"<!-- note --><sheetData>"),
                       "xl/worksheets/sheet1.xml")
    inspect_file(path)


def _far_cells(data: bytes) -> bytes:
    return data.replace(b"</sheetData>",
                        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')


def test_far_apart_cells_are_refused(tmp_path: Path) -> None:
    """Two cells at A1 and XFD1048576 would make calamine allocate the whole sheet: refused, no crash."""
    path = _sheet_with(tmp_path, "远.xlsx", _far_cells, "xl/worksheets/sheet1.xml")
    assert "数据范围异常" in refused(path, HostileWorkbookError).message
    with pytest.raises(HostileWorkbookError):
        read_workbook(path)


def test_far_cells_written_unusually_are_refused(tmp_path: Path) -> None:
    """The extent is measured however the XML is written: prefixes, attribute order, quotes, no r attribute."""
    variants = [
        b"<x:row r='9'><x:c t='n' r='XFD1048576'><x:v>1</x:v></x:c></x:row>",
        b'<row r="1048576">' + b"<c><v>1</v></c>" * 3000 + b"</row>",
    ]
    for i, extra in enumerate(variants):
        path = _sheet_with(tmp_path, f"远{i}.xlsx", lambda d, e=extra: d.replace(b"</sheetData>", e + b"</sheetData>"),
                           "xl/worksheets/sheet1.xml")
        refused(path, HostileWorkbookError, limits=Limits(max_cells=1_000_000))


@pytest.mark.parametrize("cell", [
    b'<c\tr="XFD2000"><v>1</v></c>',
    b'<c\nr="XFD2000"><v>1</v></c>',
    b'<c\r\nr="XFD2000"><v>1</v></c>',
    b'<c foo=">" r="XFD2000"><v>1</v></c>',
    b"<c foo=' r=\"A1\" ' r=\"XFD2000\"><v>1</v></c>",
    b'<\xc3\xa9:c xmlns:\xc3\xa9="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD2000">'
    b"<\xc3\xa9:v>1</\xc3\xa9:v></\xc3\xa9:c>",
    b'<a:b:c r="XFD2000"><v>1</v></a:b:c>',
], ids=["tab", "newline", "crlf", "gt-in-value", "r-in-value", "non-ascii-prefix", "two-colons"])
def test_far_cell_however_its_tag_is_written_is_refused(tmp_path: Path, cell: bytes) -> None:
    """A far cell is measured whatever separates its name from its attributes (calamine reads a tab or a new line
    as a space), whatever its prefix, and whatever an attribute's quoted value holds: each of these once passed the
    gate and made calamine abort the process allocating 2000 × 16384 cells."""
    path = _sheet_with(tmp_path, "远.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="2000">' + cell + b"</row></sheetData>"), "xl/worksheets/sheet1.xml")
    assert "数据范围异常" in refused(path, HostileWorkbookError).message


def test_row_number_behind_a_quoted_gt_is_read(tmp_path: Path) -> None:
    """Cells without r in a row whose r follows an attribute value holding ">" are placed in that row."""
    path = _sheet_with(tmp_path, "远行.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row foo=">" r="1048576">' + b"<c><v>1</v></c>" * 3 + b"</row></sheetData>"),
        "xl/worksheets/sheet1.xml")
    refused(path, HostileWorkbookError)


def test_empty_cells_without_r_push_the_next_one_along(tmp_path: Path) -> None:
    """``<c/>`` cells take a column each in calamine: 16000 of them before a value span 16000 columns."""
    path = _sheet_with(tmp_path, "空格.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="2000">' + b"<c/>" * 16000 + b"<c><v>1</v></c></row></sheetData>"),
        "xl/worksheets/sheet1.xml")
    refused(path, HostileWorkbookError)


def test_far_empty_styled_cells_are_fine(tmp_path: Path) -> None:
    """An empty formatted cell far away holds nothing calamine allocates for: accepted."""
    path = _sheet_with(tmp_path, "格式.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'), "xl/worksheets/sheet1.xml")
    inspect_file(path)


def test_limits_are_configurable(tmp_path: Path) -> None:
    """The size limits can be lowered (here: a 10 KB total) and still give a clean refusal."""
    path = good_workbook(tmp_path / "a.xlsx")
    refused(path, HostileWorkbookError, limits=Limits(max_total_bytes=10_000))
    refused(path, WorkbookError, limits=Limits(max_file_bytes=1000))


def test_file_is_not_modified(tmp_path: Path) -> None:
    """Checking never writes to the file."""
    path = good_workbook(tmp_path / "a.xlsx")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    open_package(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_package_reads_back_exact_bytes(tmp_path: Path) -> None:
    """The checked package returns each part exactly as zipfile does."""
    path = good_workbook(tmp_path / "a.xlsx")
    package = open_package(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        for name in z.namelist():
            assert package.read(name) == z.read(name)


def test_total_area_across_sheets_is_bounded(tmp_path: Path) -> None:
    """Many sheets each just under the per-sheet area cannot add up to an unbounded allocation."""
    wb = xlsxwriter.Workbook(str(tmp_path / "多表.xlsx"))
    for i in range(4):
        ws = wb.add_worksheet(f"S{i}")
        ws.write(0, 0, 1)
        ws.write(999, 9, 1)
    wb.close()
    inspect_file(tmp_path / "多表.xlsx", limits=Limits(max_cells=100_000))
    assert "单元格" in refused(tmp_path / "多表.xlsx", HostileWorkbookError, limits=Limits(max_cells=15_000)).message


def test_oversized_workbook_structure_is_refused(tmp_path: Path) -> None:
    """A workbook.xml too large to parse into a tree safely is refused."""
    path = _sheet_with(tmp_path, "大结构.xlsx", lambda d: d.replace(b"<sheets>", b"<sheets>" + b" " * 50_000),
                       "xl/workbook.xml")
    inspect_file(path)
    refused(path, HostileWorkbookError, limits=Limits(max_structure_bytes=20_000))


def test_a_file_longer_than_measured_is_read_on_only_within_the_limit(tmp_path: Path) -> None:
    """The file is read as long as it was measured, and a byte more: one that turns out longer (a device that
    says 0 bytes, a file growing while it is read) is read on only up to the limit, then refused as too large."""
    from toolkit.record import replace

    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(WorkbookError) as refused:
        open_package(zero, limits=replace(Limits(), max_file_bytes=64 * 1024))
    assert "64 KB" in refused.value.message
    ordinary = good_workbook(tmp_path / "ok.xlsx")
    assert open_package(ordinary).blob == ordinary.read_bytes()
