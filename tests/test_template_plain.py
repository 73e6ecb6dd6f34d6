"""The merge's fast sheet writing: PlainSheet gives the bytes xlsxwriter's write_number gives, and the cut of a long
text into cells is the character-by-character one."""

from __future__ import annotations

import math
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter

from toolkit.template.builder import split_cell_text
from toolkit.template.plain import PlainSheet

Rows = list[list[object]]


def _sheets(path: Path, rows: Rows, write: Callable[[object, int, list[object], object], None]) -> dict[str, bytes]:
    """The xl/ parts (docProps holds the time) of a workbook of one sheet, ``rows`` written by ``write``."""
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("表", worksheet_class=PlainSheet)
    for r, row in enumerate(rows):
        write(ws, r, row, bold if r == 0 else None)
    wb.close()
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist() if name.startswith("xl/")}


def _by_xlsxwriter(ws: object, r: int, row: list[object], fmt: object) -> None:
    for c, value in enumerate(row):
        if isinstance(value, str):
            ws.write_string(r, c, value, fmt)  # type: ignore[attr-defined]
        elif value is not None:
            ws.write_number(r, c, value, fmt)  # type: ignore[attr-defined]


def _plain(ws: object, r: int, row: list[object], fmt: object) -> None:
    numbers = []
    for c, value in enumerate(row):
        if isinstance(value, str):
            ws.write_string(r, c, value, fmt)  # type: ignore[attr-defined]
        elif value is not None and fmt is not None:
            ws.write_number(r, c, value, fmt)  # type: ignore[attr-defined]
        elif value is not None:
            numbers.append((c, value))
    ws.write_plain_numbers(r, numbers)  # type: ignore[attr-defined]


def _table(seed: int) -> Rows:
    rng = random.Random(seed)
    width = rng.randint(1, 60)
    rows: Rows = [["栏目", *(f"单位{i}" for i in range(width)), "合计"]]
    for r in range(rng.randint(0, 70)):
        row: list[object] = [f"第{r}行"]
        for _ in range(width + 1):
            row.append(rng.choice([None, "文字", 0, 7, -3, 12345678901234567, 0.1 + 0.2, 1e-9, 2.5, 1e300]))
        if rng.random() < 0.1:
            row = [None] * len(row)  # an empty row
        rows.append(row)
    return rows


@pytest.mark.parametrize("seed", range(12))
def test_plain_numbers_are_written_as_write_number_writes_them(tmp_path: Path, seed: int) -> None:
    """Random tables of numbers, texts (first column, in between) and blanks: every part of the package is the
    same, byte for byte, whether the numbers go through write_number or write_plain_numbers."""
    rows = _table(seed)
    assert _sheets(tmp_path / "a.xlsx", rows, _by_xlsxwriter) == _sheets(tmp_path / "b.xlsx", rows, _plain)


def test_column_formats_and_row_attributes_are_kept(tmp_path: Path) -> None:
    """A column with a format styles its plain numbers as it styles write_number's; a sheet with a row height
    falls back to xlsxwriter's own loop: the same bytes both ways."""
    rows = _table(99)

    def with_format(path: Path, write: Callable[[object, int, list[object], object], None],
                    height: bool) -> dict[str, bytes]:
        wb = xlsxwriter.Workbook(str(path))
        money = wb.add_format({"num_format": "0.00"})
        ws = wb.add_worksheet("表", worksheet_class=PlainSheet)
        ws.set_column(2, 3, 12, money)
        if height:
            ws.set_row(3, 30)
        for r, row in enumerate(rows):
            write(ws, r, row, None)
        wb.close()
        with zipfile.ZipFile(path) as package:
            return {name: package.read(name) for name in package.namelist() if name.startswith("xl/")}

    for height in (False, True):
        assert with_format(tmp_path / "a.xlsx", _by_xlsxwriter, height) == with_format(tmp_path / "b.xlsx", _plain,
                                                                                         height)


def test_what_write_number_refuses_is_refused_alike(tmp_path: Path) -> None:
    """NaN is refused with write_number's own error; a number past the last column is left out, as there."""
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    ws = wb.add_worksheet("表", worksheet_class=PlainSheet)
    with pytest.raises(TypeError):
        ws.write_plain_numbers(1, [(1, 2), (2, math.nan)])
    ws.write_plain_numbers(2, [(1, 5), (20_000, 6)])
    assert ws.plain_numbers[2] == [(1, 5)] and 20_000 not in ws.table[2]
    wb.close()


def test_a_long_text_is_cut_as_character_by_character() -> None:
    """split_cell_text's cut (a window of plain characters at once) is the one counted unit by unit: random texts
    with line breaks and astral characters, small limits."""

    def by_units(text: str, limit: int) -> list[str]:
        pieces, start = [], 0
        while True:
            units, end = 0, start
            while end < len(text) and units + (2 if ord(text[end]) > 0xFFFF else 1) <= limit:
                units += 2 if ord(text[end]) > 0xFFFF else 1
                end += 1
            if end >= len(text):
                return [*pieces, text[start:]]
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start + limit // 2 else end
            pieces.append(text[start:end])
            start = end

    rng = random.Random(16)
    for _ in range(2000):
        alphabet = rng.sample(["a", "汉", "\n", "𠀀", "😀", " "], rng.randint(1, 6))
        text = "".join(rng.choices(alphabet, k=rng.choice([0, 1, 5, 30, 200])))
        limit = rng.choice([2, 3, 7, 16, 50])
        assert split_cell_text(text, limit) == by_units(text, limit), (text, limit)
    long = "\n".join(f"【单位{i:04d}】收到申请{i}件。" + ("𠀀" if i % 97 == 0 else "") for i in range(6000))
    assert split_cell_text(long) == by_units(long, 32_000)
    assert "".join(split_cell_text(long)) == long
