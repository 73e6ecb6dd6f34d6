"""Fuzzing the reader and the importer: any input gives data or a Chinese ToolkitError, never another exception."""

from __future__ import annotations

import functools
import io
import os
import random
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import SEED, has_chinese

from toolkit.data import ReportData
from toolkit.errors import ToolkitError
from toolkit.importer import import_report
from toolkit.rules.engine import check_data
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import build_template
from toolkit.workbook import read_workbook

FUZZ = settings(max_examples=int(os.environ.get("TOOLKIT_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow], database=None)
"""A few seconds per test (``TOOLKIT_FUZZ_EXAMPLES=5000`` to hunt longer); no example database, so a failure is
reported with its reproduction rather than replayed silently on the next run."""

JUNK_XML = [
    b"<", b">", b"</c>", b"</row>", b"</sheetData>", b"<c r=\"D7\"><v>1e400</v></c>", b"<c r=\"ZZZ9\"><v>1</v></c>",
    b"<c r=\"XFD1048576\" t=\"s\"><v>999999</v></c>", b"<c r=\"D7\" t=\"e\"><v>#REF!</v></c>", b"<v>NaN</v>",
    b"<f>SUM(</f>", b"&amp;", b"&bogus;", b"&#0;", b"&#xFFFF;", b"\x00", b"\xff\xfe", b"<![CDATA[x", b"<!-- ",
    b"<definedName name=\"GK.s3.new_received.total\">'nope'!$A$0</definedName>",
    b"<definedName name=\"GK.format\">'_toolkit'!$B$99999999</definedName>",
    b"<sheet name=\"x\" sheetId=\"1\" r:id=\"rId1\"/>", b"<si><t>" + "三 依申请公开".encode() + b"</t></si>",
    b"<row r=\"0\">", b"<row r=\"99999999\">", b" r=\"A0\"", b" t=\"n\"", b" s=\"9999\"", "１２件".encode(),
    b" localSheetId=\"\xc2\xb2\"", b"<?xml version=\"1.0\" encoding=\"bogus\"?>", b" r:id=\"rId999\"",
    b"<mergeCell ref=\"A1:XFD1048576\"/>", b"<mergeCell ref=\"Z9:A1\"/>", b"<dimension ref=\"A1:XFD1048576\"/>",
]
"""Fragments that break or bend workbook XML (well-formedness, references, values, names, merges)."""


@functools.cache
def _template() -> tuple[bytes, tuple[str, ...]]:
    """A filled 2021 template's bytes and the names of its parts."""
    spec = load_spec("2021")
    with tempfile.TemporaryDirectory() as folder:
        path = build_template(spec, Path(folder) / "t.xlsx", organ="示例镇人民政府", year=2026,
                              data=sample_report(spec, 3, organ="示例镇人民政府", year=2026))
        blob = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return blob, tuple(z.namelist())


def _rezip(blob: bytes, change: dict[str, bytes | None]) -> bytes:
    """``blob`` (a zip) with parts replaced (bytes) or dropped (None); CRCs are right, so the XML is what breaks."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = change.get(name, zin.read(name))
            if data is not None:
                zout.writestr(name, data)
    return out.getvalue()


def _read_or_refuse(path: Path) -> None:
    """Read ``path`` and check what was read; a refusal must be a Chinese ToolkitError naming the file."""
    try:
        data = read_workbook(path)
    except ToolkitError as exc:
        assert has_chinese(exc.message) and path.name in str(exc), str(exc)
        return
    assert isinstance(data, ReportData)
    check_data(data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch folder shared by the examples of this module."""
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=12))
def test_reader_survives_byte_flips(folder: Path, flips: list[tuple[float, int]]) -> None:
    """Bytes flipped anywhere in a template workbook: data or a Chinese WorkbookError."""
    blob = bytearray(_template()[0])
    for where, mask in flips:
        blob[int(where * len(blob))] ^= mask
    path = folder / "翻转.xlsx"
    path.write_bytes(bytes(blob))
    _read_or_refuse(path)


@FUZZ
@given(data=st.data())
def test_reader_survives_mangled_xml_parts(folder: Path, data: st.DataObject) -> None:
    """XML parts truncated, cut, spliced with junk or duplicated (zip intact): data or a Chinese WorkbookError."""
    blob, names = _template()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        parts = {name: z.read(name) for name in names}
    change: dict[str, bytes | None] = {}
    for _ in range(data.draw(st.integers(1, 3), label="parts")):
        name = data.draw(st.sampled_from(names), label="part")
        xml = change.get(name) or parts[name]
        at = data.draw(st.integers(0, len(xml)), label="at")
        op = data.draw(st.sampled_from(["truncate", "cut", "junk", "repeat", "drop", "bytes"]), label="op")
        if op == "truncate":
            xml = xml[:at]
        elif op == "cut":
            xml = xml[:at] + xml[at + data.draw(st.integers(1, 200), label="n") :]
        elif op == "junk":
            xml = xml[:at] + data.draw(st.sampled_from(JUNK_XML), label="junk") + xml[at:]
        elif op == "repeat":
            xml = xml[:at] + xml[at : at + data.draw(st.integers(1, 400), label="n")] * 3 + xml[at:]
        elif op == "bytes":
            xml = xml[:at] + data.draw(st.binary(min_size=1, max_size=20), label="bytes") + xml[at:]
        change[name] = None if op == "drop" else xml
    path = folder / "损坏的部件.xlsx"
    path.write_bytes(_rezip(blob, change))
    _read_or_refuse(path)


# --- the importer --------------------------------------------------------------------------------------

NOISE = [
    "", " ", "\t", "\u3000", "　　", "\t0", "\t-", "\t/", "\t无", "\t１２", "\t3件", "\t1,234", "\t-5", "\t2.5",
    "\t" + "9" * 5000, "\t" + "9" * 400, "\t1e309", "\tNaN", "\t０．５", "|||", "|1|2|3|", "\t\t\t",
    "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "一、总体情况", "（七）总计",
    "本年新收政府信息公开申请数量", "南口镇2099年政府信息公开工作年度报告", "南口镇1999年政府信息公开工作年度报告",
    "统计期限为2024年1月1日至2024年12月31日", "year: 2020", "标题:", "\ufeff", "\x00", "\u202e", "\ud7ff",
    "<table><tr><td>1</td></tr></table>", "&nbsp;&#0;&#x110000;&bogus;",
]
"""Lines a damaged or odd publication may hold: placeholders, huge and odd numbers, stray headings and titles."""


def _seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def _fullwidth(text: str, mask: list[bool]) -> str:
    table = str.maketrans("0123456789", "０１２３４５６７８９")
    return "".join(ch.translate(table) if mask[i % len(mask)] else ch for i, ch in enumerate(text))


def _imported_or_refused(path: Path) -> None:
    try:
        result = import_report(path)
    except ToolkitError as exc:
        assert has_chinese(exc.message) and path.name in str(exc), str(exc)
        return
    assert isinstance(result.data, ReportData)
    result.to_dict()
    check_data(result.data)


edits = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "replace", "noise"]), st.floats(0, 1, exclude_max=True),
              st.sampled_from(NOISE) | st.text(max_size=30)),
    max_size=12,
)


@FUZZ
@given(changes=edits, fullwidth=st.lists(st.booleans(), min_size=1, max_size=7), cut=st.floats(0.05, 1))
def test_importer_survives_noisy_text(folder: Path, changes: list[tuple[str, float, str]], fullwidth: list[bool],
                                      cut: float) -> None:
    """The seed report with junk lines, deleted lines, noise, full-width digits, cut short: data or ToolkitError."""
    lines = _seed_lines()
    for op, where, text in changes:
        at = int(where * len(lines))
        if op == "insert":
            lines.insert(at, text)
        elif lines and op == "delete":
            del lines[min(at, len(lines) - 1)]
        elif lines and op == "replace":
            lines[min(at, len(lines) - 1)] = text
        elif lines:
            line = lines[min(at, len(lines) - 1)]
            lines[min(at, len(lines) - 1)] = line[: len(line) // 2] + text + line[len(line) // 2 :]
    body = _fullwidth("\n".join(lines), fullwidth)
    path = folder / "南口镇 年报（噪声）.txt"
    path.write_text(body[: max(1, int(len(body) * cut))], encoding="utf-8", errors="surrogatepass")
    _imported_or_refused(path)


@FUZZ
@given(changes=edits, tags=st.lists(st.sampled_from(["<p>", "</p>", "<td>", "</td>", "<tr>", "</table>", "<br>",
                                                      "<table>", "<script>", "</div>", "<", "&", "<!--"]),
                                     max_size=10), rng=st.randoms(use_true_random=False))
def test_importer_survives_noisy_html(folder: Path, changes: list[tuple[str, float, str]], tags: list[str],
                                      rng: random.Random) -> None:
    """The seed report as a web page (cells in a table), with junk and broken tags: data or ToolkitError."""
    lines = _seed_lines()
    for op, where, text in changes:
        at = int(where * len(lines))
        if op in ("insert", "noise"):
            lines.insert(at, text)
        elif lines:
            del lines[min(at, len(lines) - 1)]
    rows = []
    for line in lines:
        cell = line.strip().replace("&", "&amp;").replace("<", "&lt;")
        rows.append(f"<tr><td>{cell}</td></tr>" if line.startswith("\t") else f"<p>{cell}</p>")
    for tag in tags:
        rows.insert(rng.randrange(len(rows) + 1), tag)
    page = "<html><head><meta charset=\"utf-8\"></head><body><table>" + "\n".join(rows) + "</table></body></html>"
    path = folder / "南口镇 年报（网页）.html"
    path.write_text(page, encoding="utf-8", errors="surrogatepass")
    _imported_or_refused(path)
