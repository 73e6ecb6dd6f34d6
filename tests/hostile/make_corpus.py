"""Generate broken and hostile inputs for the toolkit, starting from real template workbooks.

``make_corpus(folder)`` writes every case into ``folder`` and returns name → path. Nothing here is committed:
the tests call it at run time. Run as a script to look at the files: ``python tests/hostile/make_corpus.py DIR``.

Each case is what a clerk, another system or an attacker could hand the toolkit: files that are not
workbooks at all, legacy and encrypted Office files (minimal but valid OLE compound files), macro-enabled and
hostile zips (bombs, entity expansion, external entities, a million rows), and real template workbooks mutated
as people do in Excel (sheets deleted or renamed, rows inserted or deleted, merges broken, totals typed over,
error values, text in every number cell).
"""

from __future__ import annotations

import io
import random
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import xlsxwriter

from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template

ORGAN = "示例镇人民政府"
YEAR = 2026
FORMAT = "2021"
APPLY_SHEET = "三 依申请公开"
"""The 2021 template's sheet of table 三 (the one most cases mutate)."""

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END, _FAT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF

LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'.encode()
                     for i in range(1, 10))
          + b"]>")
"""Billion laughs: lol9 expands to 10⁹ "lol"s."""
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
"""An external entity reading a local file."""


_REPORT_HEAD = ("示例镇2020年政府信息公开工作年度报告\n一、总体情况\n本年度认真做好政府信息公开工作。\n"
                "二、主动公开政府信息情况\n\t第二十条第（一）项\n\t信息内容\n\t本年新制作数量\n\t本年新公开数量\n"
                "\t对外公开总数量\n")
"""The start of a published report (2019 format) as text, one table cell per line, up to 二's first row."""


# --- OLE compound files (.xls, .et, encrypted .xlsx) ------------------------------------------------


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal valid OLE compound file (version 3, 512-byte sectors) holding ``streams`` in the root storage.

    Streams are padded to the 4096-byte mini-stream cutoff so that all live in ordinary sectors.
    """
    sector = 512
    data = b""
    entries: list[tuple[str, int, int]] = []  # name, start sector, size
    for name, content in streams.items():
        content = content.ljust(4096, b"\x00")
        start = len(data) // sector
        data += content + bytes(-len(content) % sector)
        entries.append((name, start, len(content)))
    n_data = len(data) // sector
    n_dir = -(-(len(entries) + 1) * 128 // sector)
    n_fat = 1
    while (n_data + n_dir + n_fat) > n_fat * (sector // 4):
        n_fat += 1
    fat = []
    for _name, start, size in entries:
        count = -(-size // sector)
        fat += [start + i + 1 for i in range(count - 1)] + [_END]
    fat += [n_data + i + 1 for i in range(n_dir - 1)] + [_END]
    fat += [_FAT] * n_fat
    fat += [_FREE] * (n_fat * sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", _NOSTREAM, right, child) + bytes(16 + 4 + 16)
                + struct.pack("<IQ", start, size))

    # siblings chained through the right pointer, in the compound-file order (length, then upper case)
    order = sorted(range(len(entries)), key=lambda i: (len(entries[i][0]), entries[i][0].upper()))
    directory = entry("Root Entry", 5, order[0] + 1 if order else _NOSTREAM, _NOSTREAM, _END, 0)
    for pos, i in enumerate(order):
        name, start, size = entries[i]
        right = order[pos + 1] + 1 if pos + 1 < len(order) else _NOSTREAM
        directory += entry(name, 2, _NOSTREAM, right, start, size)
    directory = directory.ljust(n_dir * sector, b"\x00")
    difat = [n_data + n_dir + i for i in range(n_fat)] + [_FREE] * (109 - n_fat)
    header = (CFB_MAGIC + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, n_fat, n_data, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<109I", *difat))
    assert len(header) == sector
    return header + data + directory + struct.pack(f"<{len(fat)}I", *fat)


def _biff_bof() -> bytes:
    """A BIFF8 workbook globals BOF record followed by EOF (what an .xls Workbook stream starts with)."""
    return struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0006) + struct.pack("<HH", 0x0A, 0)


def _encryption_info() -> bytes:
    """An agile EncryptionInfo stream (version 4.4) with a plausible XML descriptor."""
    xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
           b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
           b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
           b"</encryption>")
    return struct.pack("<HHI", 4, 4, 0x40) + xml


# --- zip helpers ----------------------------------------------------------------------------------


def rezip(src: Path, dst: Path, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          drop: frozenset[str] = frozenset()) -> Path:
    """A copy of the workbook ``src`` with parts replaced, added or dropped."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in drop:
                zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def sheet_part(src: Path, sheet: str) -> str:
    """The zip part holding worksheet ``sheet`` of ``src``."""
    with zipfile.ZipFile(src) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+"[^>]*r:id="(rId\d+)"', book)
    assert rid is not None, sheet
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target is not None
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def _edit_part(src: Path, dst: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    with zipfile.ZipFile(src) as z:
        data = z.read(part)
    return rezip(src, dst, replace={part: edit(data)})


def _with_doctype(data: bytes, doctype: bytes) -> bytes:
    """``data`` (an XML part) with ``doctype`` inserted after its XML declaration."""
    head, sep, body = data.partition(b"?>")
    return head + sep + doctype + body if sep else doctype + data


def _raw_member(src: Path, dst: Path, name: str, raw: bytes, size: int, crc: int) -> Path:
    """``src`` plus a deflated member ``name`` written from raw deflate data, declaring ``size`` and ``crc``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    body = buf.getvalue()
    end = body.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", body, end + 12)
    (count,) = struct.unpack_from("<H", body, end + 10)
    encoded = name.encode()
    local = (struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0)
             + encoded + raw)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(raw), size,
                          len(encoded), 0, 0, 0, 0, 0, cd_offset) + encoded
    files = body[:cd_offset] + local
    directory = body[cd_offset : cd_offset + cd_size] + central
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count + 1, count + 1, len(directory), len(files), 0)
    dst.write_bytes(files + directory + eocd)
    return dst


def _deflated_zeros(n_mb: int) -> tuple[bytes, int]:
    """``n_mb`` MB of zero bytes as raw deflate data, and their CRC."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    crc = 0
    parts = []
    for _ in range(n_mb):
        parts.append(comp.compress(chunk))
        crc = zlib.crc32(chunk, crc)
    parts.append(comp.flush())
    return b"".join(parts), crc


# --- openpyxl mutations -----------------------------------------------------------------------------


def _shift_names(wb: openpyxl.Workbook, sheet: str, at: int, by: int) -> None:
    """Move every defined name on ``sheet`` at or below row ``at`` by ``by`` rows, as Excel does on insert/delete.

    Names on a deleted row become ``#REF!`` (Excel's behaviour).
    """
    quoted = "'" + sheet.replace("'", "''") + "'"
    for name, dn in list(wb.defined_names.items()):
        match = re.fullmatch(rf"{re.escape(quoted)}!\$([A-Z]+)\$(\d+)", dn.attr_text)
        if match is None:
            continue
        row = int(match.group(2))
        if by < 0 and at <= row < at - by:
            dn.attr_text = f"{quoted}!#REF!"
        elif row >= at:
            dn.attr_text = f"{quoted}!${match.group(1)}${row + by}"
        wb.defined_names[name] = dn


def _mutate(src: Path, dst: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dst)
    return dst


def _named_cells(src: Path) -> dict[str, tuple[str, str]]:
    """``GK.<cell key>`` → (sheet, A1) of the template's number cells."""
    wb = openpyxl.load_workbook(src, read_only=False)
    spec = load_spec(FORMAT)
    found = {}
    for key in spec.cells:
        dn = wb.defined_names.get(f"GK.{key}")
        if dn is not None:
            sheet, ref = next(iter(dn.destinations))
            found[key] = (sheet, ref.replace("$", ""))
    return found


def _inputs_and_totals(src: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    from toolkit.spec.models import CellKind

    spec = load_spec(FORMAT)
    named = _named_cells(src)
    inputs = [named[k] for k, c in spec.cells.items() if c.kind is not CellKind.TOTAL and k in named]
    totals = [named[k] for k, c in spec.cells.items() if c.kind is CellKind.TOTAL and k in named]
    return inputs, totals


# --- the corpus ---------------------------------------------------------------------------------------


def base_workbook(path: Path, seed: int = 1) -> Path:
    """A clean, filled 2021-format template workbook (exit 0 when checked)."""
    spec = load_spec(FORMAT)
    return build_template(spec, path, organ=ORGAN, year=YEAR, data=sample_report(spec, seed, organ=ORGAN, year=YEAR))


def make_corpus(folder: Path) -> dict[str, Path]:
    """Write every hostile or broken case into ``folder`` (created if needed); returns case name → path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    src_dir = folder / "_src"
    src_dir.mkdir(exist_ok=True)
    base = base_workbook(src_dir / "base.xlsx")
    apply_part = sheet_part(base, APPLY_SHEET)
    rng = random.Random(8)
    cases: dict[str, Path] = {}

    def put(name: str, content: bytes) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    # not workbooks at all
    cases["empty"] = put("空文件.xlsx", b"")
    noise = rng.randbytes(20_000).replace(b"PK", b"pk").replace(CFB_MAGIC[:2], b"xx")
    cases["random_bytes"] = put("乱码.xlsx", noise)
    cases["text_as_xlsx"] = put("文本.xlsx", "机关名称,示例镇人民政府\n报告年度,2026\n本年新收政府信息公开申请数量,12\n"
                                              .encode())
    # OLE compound files
    cases["legacy_xls"] = put("旧版.xls", cfb({"Workbook": _biff_bof(), "\x05SummaryInformation": b"\xfe\xff"}))
    cases["wps_et"] = put("金山表格.et", cfb({"Workbook": _biff_bof(), "WpsCustomData": b"\x01\x00"}))
    cases["encrypted"] = put("加密.xlsx", cfb({"EncryptionInfo": _encryption_info(),
                                              "EncryptedPackage": struct.pack("<Q", 9000) + rng.randbytes(9008)}))
    # macro-enabled: VBA project and the macro-enabled content type
    with zipfile.ZipFile(base) as z:
        types = z.read("[Content_Types].xml")
        rels = z.read("xl/_rels/workbook.xml.rels")
    types = types.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/'
                        b'2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>')
    vba = cfb({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisWorkbook/&H00000000\r\n',
               "dir": b"\x01\x00Attribute VB_Name = \"ThisWorkbook\"\r\nSub Workbook_Open()\r\nShell \"calc\"\r\n"})
    cases["macro_xlsm"] = rezip(base, folder / "含宏.xlsm", replace={"[Content_Types].xml": types,
                                                                    "xl/_rels/workbook.xml.rels": rels},
                               add={"xl/vbaProject.bin": vba})
    # damaged and hostile zips
    blob = base.read_bytes()
    cases["truncated"] = put("下载中断.xlsx", blob[: len(blob) * 2 // 3])
    raw, crc = _deflated_zeros(300)
    cases["zip_bomb"] = _raw_member(base, folder / "压缩炸弹.xlsx", "xl/media/image1.xml", raw, 300 << 20, crc)
    cases["zip_bomb_lying"] = _raw_member(base, folder / "压缩炸弹-虚报.xlsx", "xl/worksheets/sheet99.xml", raw,
                                          4096, crc)
    cases["xml_bomb_sheet"] = _edit_part(base, folder / "XML炸弹.xlsx", apply_part, lambda d: _with_doctype(
        d, LAUGHS).replace(b"<sheetData>", b"<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol9;</t>"
                           b"</is></c></row>", 1))
    cases["xml_bomb_shared_strings"] = _edit_part(base, folder / "XML炸弹-共享字符串.xlsx", "xl/sharedStrings.xml",
                                                  lambda d: _with_doctype(d, LAUGHS).replace(b"<t>", b"<t>&lol9;", 1))
    cases["xxe_shared_strings"] = _edit_part(base, folder / "外部实体-共享字符串.xlsx", "xl/sharedStrings.xml",
                                             lambda d: _with_doctype(d, XXE).replace(b"<t>", b"<t>&xxe;", 1))
    cases["xxe_sheet"] = _edit_part(base, folder / "外部实体-工作表.xlsx", apply_part, lambda d: _with_doctype(
        d, XXE).replace(b"<sheetData>", b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is>'
                        b"</c></row>", 1))
    cases["million_rows"] = _million_rows(base, folder / "百万行.xlsx")
    # workbooks that open but are not (or no longer) the official tables
    cases["other_template"] = _other_template(folder / "工资表.xlsx")
    cases["sheet_deleted"] = _mutate(base, folder / "删了工作表.xlsx", lambda wb: wb.remove(wb[APPLY_SHEET]))
    cases["sheet_renamed"] = _mutate(base, folder / "改了表名.xlsx", _rename_apply_sheet)
    cases["merges_broken"] = _mutate(base, folder / "合并单元格被拆.xlsx", _break_merges)
    cases["rows_inserted"] = _mutate(base, folder / "插入行.xlsx", lambda wb: _insert_rows(wb, 12, 2))
    cases["row_deleted"] = _mutate(base, folder / "删除行.xlsx", lambda wb: _delete_row(wb, 12))
    # numbers that are wrong or not numbers
    inputs, totals = _inputs_and_totals(base)
    cases["totals_disagree"] = _mutate(base, folder / "合计被改.xlsx", lambda wb: _overwrite_totals(wb, totals))
    cases["excel_errors"] = _mutate(base, folder / "错误值.xlsx", lambda wb: _error_values(wb, totals, inputs))
    cases["text_in_numbers"] = _mutate(base, folder / "全是文字.xlsx", lambda wb: _text_everywhere(wb, inputs, totals))
    # what fuzzing found (each crashed before its fix)
    cases["bad_xml_encoding"] = _edit_part(base, folder / "编码声明错误.xlsx", "xl/_rels/workbook.xml.rels",
                                           lambda d: d.replace(b'encoding="UTF-8"', b'encoding="TF-8"', 1))
    cases["odd_sheet_id"] = _edit_part(base, folder / "名称编号异常.xlsx", "xl/workbook.xml", lambda d: d.replace(
        b'<definedName name="GK.format"', '<definedName localSheetId="²" name="GK.format"'.encode(), 1))
    cases["report_cut_in_table"] = put("截断的年报.txt", (_REPORT_HEAD + "\t规章\n\t0\n").encode())
    cases["report_huge_numbers"] = put("超长数字的年报.txt", (
        _REPORT_HEAD + "\t规章\n\t" + "9" * 5000 + "\n\t" + "9" * 400 + "\n\t3\n").encode())
    # a clean workbook in a folder and under a name with Chinese characters and spaces
    spaced = folder / "各 单位 2026" / "示例镇 人民政府 2026年 年报.xlsx"
    spaced.parent.mkdir(exist_ok=True)
    cases["chinese_path"] = base_workbook(spaced)
    return cases


def _million_rows(base: Path, dst: Path) -> Path:
    """An extra sheet with 1 048 576 rows of numbers (the most Excel allows) beside the official ones."""
    with zipfile.ZipFile(base) as z:
        types = z.read("[Content_Types].xml")
        book = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels")
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 1_048_577))
    sheet = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
             b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData></worksheet>")
    types = types.replace(b"</Types>", b'<Override PartName="/xl/worksheets/big.xml" ContentType="application/'
                          b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    book = book.replace(b"</sheets>", b'<sheet name="\xe6\x98\x8e\xe7\xbb\x86" sheetId="99" r:id="rId99"/></sheets>')
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                        b'officeDocument/2006/relationships/worksheet" Target="worksheets/big.xml"/></Relationships>')
    return rezip(base, dst, replace={"[Content_Types].xml": types, "xl/workbook.xml": book,
                                     "xl/_rels/workbook.xml.rels": rels}, add={"xl/worksheets/big.xml": sheet})


def _other_template(dst: Path) -> Path:
    """A workbook from another template: a payroll table with numbers and totals."""
    wb = xlsxwriter.Workbook(str(dst))
    ws = wb.add_worksheet("工资表")
    ws.write_row(0, 0, ["序号", "姓名", "部门", "基本工资", "绩效", "合计"])
    for i in range(1, 21):
        ws.write_row(i, 0, [i, f"职工{i}", "办公室", 5000 + i, 800])
        ws.write_formula(i, 5, f"=D{i + 1}+E{i + 1}", None, 5800 + i)
    wb.close()
    return dst


def _rename_apply_sheet(wb: openpyxl.Workbook) -> None:
    """Rename 三's sheet as Excel does: the sheet and every name and formula pointing at it follow."""
    new = "依申请（改名）"
    wb[APPLY_SHEET].title = new
    old_q, new_q = f"'{APPLY_SHEET}'!", f"'{new}'!"
    for name, dn in list(wb.defined_names.items()):
        dn.attr_text = dn.attr_text.replace(old_q, new_q)
        wb.defined_names[name] = dn
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and old_q in cell.value:
                    cell.value = cell.value.replace(old_q, new_q)


def _break_merges(wb: openpyxl.Workbook) -> None:
    """Unmerge every merged header on 三's sheet, and merge two input cells over each other."""
    ws = wb[APPLY_SHEET]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.merge_cells("D8:E8")


def _insert_rows(wb: openpyxl.Workbook, at: int, count: int) -> None:
    """Insert ``count`` blank rows inside table 三 at row ``at``; names follow as in Excel (formulas do not)."""
    ws = wb[APPLY_SHEET]
    ws.insert_rows(at, count)
    _shift_names(wb, APPLY_SHEET, at, count)


def _delete_row(wb: openpyxl.Workbook, at: int) -> None:
    """Delete one data row of table 三; its names become #REF! as in Excel."""
    ws = wb[APPLY_SHEET]
    ws.delete_rows(at, 1)
    _shift_names(wb, APPLY_SHEET, at, -1)


def _overwrite_totals(wb: openpyxl.Workbook, totals: list[tuple[str, str]]) -> None:
    """Type a number over every third total formula, one more than the sum of its parts would be."""
    for sheet, ref in totals[::3]:
        wb[sheet][ref].value = 99_999


def _error_values(wb: openpyxl.Workbook, totals: list[tuple[str, str]], inputs: list[tuple[str, str]]) -> None:
    """#REF! in a total, #DIV/0! and #N/A in input cells."""
    sheet, ref = totals[0]
    wb[sheet][ref].value = "#REF!"
    for (sheet, ref), error in zip(inputs[:2], ("#DIV/0!", "#N/A"), strict=True):
        wb[sheet][ref].value = error


def _text_everywhere(wb: openpyxl.Workbook, inputs: list[tuple[str, str]], totals: list[tuple[str, str]]) -> None:
    """Text in every number cell, inputs and totals alike."""
    words = ["无", "见附件", "暂无数据", "十二", "/", "约5件"]
    for i, (sheet, ref) in enumerate(inputs + totals):
        wb[sheet][ref].value = words[i % len(words)]


def main() -> None:
    """Write the corpus into the folder given on the command line (default: ./hostile-corpus)."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for name, path in make_corpus(folder).items():
        print(f"{name:22} {path.stat().st_size:>12,}  {path}")


if __name__ == "__main__":
    main()
