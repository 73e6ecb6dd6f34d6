"""Small files that would cost a parser a great deal: generators for the bounded-cost tests.

Each function takes a real workbook (a template the toolkit wrote) and writes a mutated copy: a million style
records, a seventeen-million-character organ name, many merged ranges, a sheet part whose name differs only in
case, an absolute relationship target with ``..``. Run as a script to write them all into a folder:
``python tests/hostile/budget.py DIR``.
"""

from __future__ import annotations

import random
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

Rewrite = Callable[[str, bytes], bytes]


def rewrite(source: Path, target: Path, change: Rewrite, *, extra: dict[str, bytes] | None = None) -> Path:
    """Copy the zip ``source`` to ``target``, passing every part through ``change(name, data)``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return target


def many_styles(source: Path, target: Path, count: int = 1_000_000) -> Path:
    """``count`` extra cell formats in styles.xml (varied, so the part compresses like a real one: ~1.6 MB)."""
    rng = random.Random(count)
    records = b"".join(b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0"/>' % rng.randrange(164)
                       for _ in range(count))

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/styles.xml":
            return data
        return re.sub(rb'<cellXfs count="(\d+)">',
                      lambda m: b'<cellXfs count="%d">' % (int(m.group(1)) + count) + records, data, count=1)

    return rewrite(source, target, change)


def long_shared_string(source: Path, target: Path, text: str, chars: int) -> Path:
    """The shared string ``text`` (e.g. the organ's name) made ``chars`` characters long, in rich-text runs
    of under 1 MB each (so no single run trips the longest-tag limit)."""
    rng = random.Random(chars)
    alphabet = "示例区民政局人民政府办公室街道乡镇"
    run = 300_000
    pieces = []
    left = chars - len(text)
    while left > 0:
        size = min(run, left)
        pieces.append("".join(rng.choice(alphabet) for _ in range(size)))
        left -= size
    runs = "".join(f"<r><t>{p}</t></r>" for p in pieces).encode()
    needle = f"<si><t>{text}</t></si>".encode()

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return data
        assert needle in data, "the text is not a shared string of this workbook"
        return data.replace(needle, f"<si><r><t>{text}</t></r>".encode() + runs + b"</si>", 1)

    return rewrite(source, target, change)


def long_inline_string(source: Path, target: Path, sheet_part: str, chars: int) -> Path:
    """A cell holding an inline string (``<is>``) of ``chars`` characters in rich-text runs of 300 000 each."""
    runs = b"".join(b"<r><t>" + "示例".encode() * 150_000 + b"</t></r>" for _ in range(max(1, chars // 300_000)))
    cell = b'<row r="900"><c r="A900" t="inlineStr"><is>' + runs + b"</is></c></row>"

    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"</sheetData>", cell + b"</sheetData>", 1) if name == sheet_part else data

    return rewrite(source, target, change)


def many_merges(source: Path, target: Path, sheet_part: str, count: int) -> Path:
    """``count`` extra merged ranges (two cells each, far below the used range) in one sheet."""
    merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (1000 + i, 1000 + i) for i in range(count))

    def change(name: str, data: bytes) -> bytes:
        if name != sheet_part:
            return data
        if b"<mergeCells" in data:
            return re.sub(rb"<mergeCells[^>]*>", lambda m: m.group() + merges, data, count=1)
        return data.replace(b"</sheetData>", b"</sheetData><mergeCells>" + merges + b"</mergeCells>", 1)

    return rewrite(source, target, change)


def case_twin(source: Path, target: Path, sheet_part: str, find: bytes, replace: bytes) -> Path:
    """A second copy of ``sheet_part`` whose name differs only in case, with ``find`` changed to ``replace``
    in one of the two (which one a reader picks decides what it sees)."""
    with zipfile.ZipFile(source) as zin:
        data = zin.read(sheet_part)
    assert find in data
    head, _, tail = sheet_part.rpartition("/")
    twin = f"{head}/{tail[0].upper()}{tail[1:]}"
    return rewrite(source, target, lambda name, d: d, extra={twin: data.replace(find, replace, 1)})


def absolute_targets(source: Path, target: Path) -> Path:
    """Every worksheet relationship written as an absolute target with ``..``: ``/xl/../xl/worksheets/…``."""

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/_rels/workbook.xml.rels":
            return data
        return re.sub(rb'Target="(?:/xl/)?worksheets/', b'Target="/xl/../xl/worksheets/', data)

    return rewrite(source, target, change)


def main(folder: Path) -> None:
    """Write every case built from the 2021 example workbook into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(__file__).resolve().parents[2] / "examples" / "示例区民政局2026年报.xlsx"
    many_styles(source, folder / "百万样式.xlsx")
    long_shared_string(source, folder / "超长机关名称.xlsx", "示例区民政局", 17_000_000)
    many_merges(source, folder / "大量合并.xlsx", "xl/worksheets/sheet3.xml", 50_000)
    absolute_targets(source, folder / "绝对路径.xlsx")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
