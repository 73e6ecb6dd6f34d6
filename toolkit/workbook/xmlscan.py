"""Streaming checks on one XML part of a workbook (private to :mod:`toolkit.workbook.safety`).

:class:`XmlScan` is fed the part's bytes chunk by chunk as they are inflated. It refuses any markup declaration
(``<!DOCTYPE``, ``<!ENTITY`` …: billion laughs, external entities; UTF-16 parts included) and, for parts that may
be worksheets, measures the area the cells span — calamine allocates a sheet's whole range at once, so two cells
at A1 and XFD1048576 would exhaust memory. The quick measure counts every ``r="D8"`` (an upper bound); anything
unusual (prefixed tags, other quoting, cells without ``r``) or a bound over the limit asks for the precise
measure (:class:`NeedPrecise`), which counts only cells that hold something, as calamine does.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from toolkit.budget import Budget
from toolkit.errors import HostileWorkbookError
from toolkit.lazy import pattern
from toolkit.messages import msg
from toolkit.workbook.a1 import column_number

_PREFIX = rb"(?:[^\s<>/!?]*:)?"
"""A namespace prefix as a parser takes it: any bytes up to the last colon of the tag's name (non-ASCII ones too)."""
_ATTRS = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
"""A start tag's attributes, read one by one (a quoted value may hold ``>``), and its ``/`` if it is empty."""
CELL_ANY = pattern(rb"<" + _PREFIX + rb"c[\s/>]")
CELL_TAG = pattern(rb"<" + _PREFIX + rb"c(?=[\s/>])" + _ATTRS)
ROW_ANY = pattern(rb"<" + _PREFIX + rb"row[\s/>]")
ROW_TAG = pattern(rb"<" + _PREFIX + rb"row(?=[\s/>])" + _ATTRS)
ATTRIBUTE = pattern(rb"""\s+([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
CELL_REF = pattern(rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
ROW_NUMBER = pattern(rb"[0-9]{1,7}")
QUICK_CELL = pattern(rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})"|(?=[\s/>]))')
"""Every unprefixed cell's start tag: its column and row when ``r`` is written first as common writers write it, two
empty groups for any other (no ``r``, other quoting, a tab or a new line after the name: measured precisely)."""
PREFIXED_CELL = pattern(rb":c[\s/>]")
STYLE_RECORD = pattern(rb"<" + _PREFIX + rb"(?:xf|font|fill|border|numFmt|dxf|cellStyle)[\s/>]")
MERGE = pattern(rb"<" + _PREFIX + rb"mergeCell[\s/>]")
STRING_START = pattern(rb"<(?:[\w.-]+:)?(?:si|c|row)[\s/>]|</(?:[\w.-]+:)?sheetData\s*>")
SHEET_DATA = pattern(rb"<(?:[\w.-]+:)?sheetData[\s/>]")


_STRAY_BANGS = 64
"""``!`` that begin no markup (in text: 注意!) after which a part is searched for ``<!`` instead."""


class NeedPrecise(Exception):
    """The quick upper bound of a sheet's extent is not enough: measure it precisely."""


class XmlScan:
    """Streams one XML part: refuses ``<!DOCTYPE``/``<!ENTITY``, and measures the cells' extent."""

    def __init__(self, path: Path, name: str, *, max_cells: int, max_tag_bytes: int, measure: bool,
                 precise: bool, budget: Budget | None = None) -> None:
        self.path, self.name = path, name
        self.budget = budget
        self.elements = self.style_records = self.merges = 0
        lower = name.lower()
        self.styles = lower.endswith("styles.xml")
        self.strings = lower.endswith("sharedstrings.xml")
        self.in_strings = self.strings
        self.open_string = False
        self.span = 0
        self.max_cells, self.max_tag_bytes = max_cells, max_tag_bytes
        self.measure, self.precise = measure, precise
        self.carry = b""
        self.decoder: codecs.IncrementalDecoder | None = None
        self.started = False
        self.cells = 0
        self.refless_cells = self.refless_rows = 0
        self.max_col = (0, b"")
        self.max_row = 0
        self.area = 0

    def feed(self, data: bytes) -> None:
        if not self.started and data:
            self.started = True
            if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:2] in (b"<\x00", b"\x00<"):
                self.decoder = codecs.getincrementaldecoder("utf-16")()
                if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                    data = (b"\xff\xfe" if data[:1] == b"<" else b"\xfe\xff") + data
        if self.decoder is not None:
            data = self.decoder.decode(data).encode("utf-8", "surrogatepass")
        buf = self.carry + data if self.carry else data
        cut = buf.rfind(b"<")
        if cut < 0:
            cut = len(buf)
        self.carry = buf[cut:]
        if len(self.carry) > self.max_tag_bytes:
            self._hostile("xlsxsafe.dtd")
        self._check(buf[:cut])

    def feed_whole(self, data: bytes) -> None:
        """Scan a whole part given at once: as :meth:`feed` then :meth:`close`, without copying it to carry its last
        tag over (the last tag is still bounded by ``max_tag_bytes``)."""
        if self.started or data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:2] in (b"<\x00", b"\x00<"):
            self.feed(data)
            self.close()
            return
        self.started = True
        cut = data.rfind(b"<")
        if cut >= 0 and len(data) - cut > self.max_tag_bytes:
            self._hostile("xlsxsafe.dtd")
        self._check(data)

    def close(self) -> None:
        self._check(self.carry)
        self.carry = b""

    def _hostile(self, key: str, **fields: object) -> None:
        raise HostileWorkbookError(msg(key, member=self.name, **fields), path=self.path)

    def _check(self, text: bytes) -> None:
        if not text:
            return
        bangs = self._markup_declarations(text)
        if self.budget is not None:
            self._count(text, self.budget, bangs)
        if self.measure and b"<" in text:
            if self.precise:
                self._measure_precisely(text)
            else:
                self._measure_quickly(text)

    def _markup_declarations(self, text: bytes) -> int:
        """How many ``<!`` the text holds, each a comment or CDATA section (anything else is refused).

        Found by their ``!``: a search for one byte runs at memory speed, one for ``<!`` some fifty times slower
        where every tag starts with ``<``. A text with many a ``!`` that is not markup (more than
        :data:`_STRAY_BANGS`) is searched for ``<!`` from there on, so no text costs more than that search."""
        found, stray = 0, 0
        at = text.find(b"!")
        while at >= 0:
            if at and text[at - 1] == 0x3C:  # "<!"
                self._declaration(text, at - 1)
                found += 1
            else:
                stray += 1
                if stray > _STRAY_BANGS:
                    at = text.find(b"<!", at)
                    while at >= 0:
                        self._declaration(text, at)
                        found += 1
                        at = text.find(b"<!", at + 2)
                    break
            at = text.find(b"!", at + 1)
        return found

    def _declaration(self, text: bytes, at: int) -> None:
        if not (text.startswith(b"<!--", at) or text.startswith(b"<![CDATA[", at)):
            self._hostile("xlsxsafe.dtd")

    def _count(self, text: bytes, budget: Budget, bangs: int) -> None:
        """Elements, style records, merges and the longest string or cell: what a parse would cost. Start tags are
        every ``<`` but end tags, comments and CDATA (``bangs``) and the XML declaration (a processing instruction
        elsewhere counts as an element: an upper bound, one pass fewer)."""
        declaration = 1 if text.startswith(b"<?") else 0
        self.elements += text.count(b"<") - text.count(b"</") - bangs - declaration
        if self.elements > budget.max_elements and not self.measure:  # a sheet: its cells are judged first
            self._hostile("xlsxsafe.too_many_elements", count=self.elements, limit=budget.max_elements)
        if self.styles:
            self.style_records += len(STYLE_RECORD.findall(text))
            if self.style_records > budget.max_style_records:
                self._hostile("xlsxsafe.too_many_styles", count=self.style_records, limit=budget.max_style_records)
        if self.strings:  # the shared strings (also a target of the workbook's relationships)
            self._spans(text, budget.max_string_bytes)
        elif self.measure:
            if b"mergeCell" in text:
                bound = text.count(b"mergeCell") - text.count(b"mergeCells")  # ≥ the merges: a count is cheap
                self.merges += bound if self.merges + bound <= budget.max_merges else len(MERGE.findall(text))
                if self.merges > budget.max_merges:
                    self._hostile("xlsxsafe.too_many_merges", count=self.merges, limit=budget.max_merges)
            self._inline_strings(text, budget.max_string_bytes)

    def _inline_strings(self, text: bytes, limit: int) -> None:
        """A sheet's cells hold one text run each (bounded by ``max_tag_bytes``) except inline strings
        (``<is>``), which may be many runs: only chunks with one, or inside one, are measured (a sheet of a million
        number cells costs nothing more)."""
        last = text.rfind(b"is>")
        if last < 0 and not self.open_string:
            self.span = 0
            return
        self.in_strings = True
        self._spans(text, limit)
        if last >= 0:
            start = text.rfind(b"<", 0, last)
            self.open_string = start >= 0 and text[start + 1 : start + 2] != b"/"

    def _spans(self, text: bytes, limit: int) -> None:
        """Bytes from one string's (or cell's) start to the next: one string must fit within ``limit``."""
        if self.span + len(text) <= limit and b"sheetData" not in text:
            self._last_span(text)  # no string in this chunk can be longer: only where the last one starts
            return
        at = 0
        for found in STRING_START.finditer(text):
            self.span += found.start() - at
            if self.span > limit:
                self._hostile("xlsxsafe.long_string", size=self.span // 1024, limit=limit // 1024)
            at, self.span = found.start(), 0
            if found.group().startswith(b"</"):
                self.in_strings = False
                return
        self.span += len(text) - at
        if self.span > limit:
            self._hostile("xlsxsafe.long_string", size=self.span // 1024, limit=limit // 1024)

    def _last_span(self, text: bytes) -> None:
        """Carry the bytes since the last string start in ``text`` (looked for from its end, in growing windows)."""
        window = 1024
        while True:
            low = max(0, len(text) - window)
            last = None
            for last in STRING_START.finditer(text, low):  # noqa: B007 (the last match is wanted)
                pass
            if last is not None:
                self.span = len(text) - last.start()
                return
            if low == 0:
                self.span += len(text)
                return
            window *= 8

    def _measure_quickly(self, text: bytes) -> None:
        """Every cell with ``r="D8"`` written first counts, empty styled cells included (an upper bound): one pass
        over the chunk for the cells and one for a prefixed cell; any other cell tag → precise."""
        refs = QUICK_CELL.findall(text)
        if b":c" in text and PREFIXED_CELL.search(text):
            raise NeedPrecise
        if not refs:
            return
        cols, rows = zip(*refs, strict=True)
        letters = set(cols)
        if b"" in letters:  # a cell written otherwise
            raise NeedPrecise
        self.cells += len(refs)
        widest = max(letters, key=lambda ls: (len(ls), ls))
        self.max_col = max(self.max_col, (len(widest), widest))
        self.max_row = max(self.max_row, max(map(int, set(rows))))

    def _measure_precisely(self, text: bytes) -> None:
        """Only cells that hold something count (as calamine does); cells without ``r`` are counted as spread.
        Every tag is read attribute by attribute (a quoted value may hold ``>`` or ``r="…"``), and a cell tag
        that cannot be read so counts as one without ``r``."""
        valued: list[tuple[bytes, bytes]] = []
        tags = refless = 0
        for tag in CELL_TAG.finditer(text):
            tags += 1
            ref = _attribute_r(tag.group(1), CELL_REF)
            if ref is None:
                refless += 1
            elif not tag.group(2):
                valued.append((ref.group(1), ref.group(2)))
        refless += len(CELL_ANY.findall(text)) - tags  # a cell tag not read as one: as if it had no r
        self.cells += len(valued) + refless
        self.refless_cells += refless
        if valued:
            letters = max((ls.upper() for ls, _ in valued), key=lambda ls: (len(ls), ls))
            self.max_col = max(self.max_col, (len(letters), letters))
            self.max_row = max(self.max_row, *(int(d) for _, d in valued))
        if self.refless_cells:
            rows = 0
            for tag in ROW_TAG.finditer(text):
                rows += 1
                number = _attribute_r(tag.group(1), ROW_NUMBER)
                if number is None:
                    self.refless_rows += 1
                else:
                    self.max_row = max(self.max_row, int(number.group()))
            self.refless_rows += len(ROW_ANY.findall(text)) - rows

    def finish_area(self) -> int:
        """The area (rows × columns) the part's cells span; refuses more than ``max_cells``."""
        if not self.cells:
            return 0
        cols = column_number(self.max_col[1]) + self.refless_cells
        rows = self.max_row + self.refless_rows
        if rows * cols > self.max_cells or self.cells > self.max_cells:
            if not self.precise:
                raise NeedPrecise
            self._area(rows, cols)
        return rows * cols

    def _area(self, rows: int, cols: int) -> None:
        self._hostile("xlsxsafe.area", rows=rows, cols=cols)


def _attribute_r(attributes: bytes, value: re.Pattern[bytes]) -> re.Match[bytes] | None:
    """The ``r`` attribute's value among a tag's ``attributes`` when it is wholly ``value``, else None."""
    for found in ATTRIBUTE.finditer(attributes):
        if found.group(1) == b"r":
            raw = found.group(2) if found.group(2) is not None else found.group(3)
            return value.fullmatch(raw)
    return None
