"""The document model every published report is turned into: lines of cells, each cell knowing where it was.

Every format becomes the same thing: a :class:`Document` of :class:`Line` s in reading order; a line holds
one cell (a paragraph, a label, one value) or several (a ``|``-separated row, an HTML ``<tr>``, a Word table row).
Cells are classified as text, value (one number or a placeholder), run (digits of several cells printed together,
``640020470`` or ``1 0 0 0 0 01``), blank (an empty cell that is really there) or gap (``||||``: empty cells an
archive collapsed, so their number is unknown). Nothing is interpreted here: :mod:`toolkit.importer.segment`
splits long lines at the official structure, :mod:`toolkit.importer.tables` maps cells to the official tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from toolkit.labels import fold
from toolkit.normalise import PLACEHOLDERS

_VALUE = re.compile(
    r"^[+\-]?\d+(?:,\d{3})*(?:\.\d+)?(?:件|个|项|条|次|宗|起|家|万元|元)?$|^[+\-]?\.\d+$"
)
_RUN = re.compile(r"^[\d\s./]+$")
"""Digits with spaces inside (``0 0 00``) or two numbers glued: a run, to be split by the table rules."""


class Kind(StrEnum):
    """What a cell holds."""

    TEXT = "text"
    """A label or a sentence."""
    VALUE = "value"
    """A number (or "3件", "1,234", "/", "-" …): something one data cell holds."""
    RUN = "run"
    """Digits that may be several cells printed together; :mod:`toolkit.importer.solve` splits them."""
    BLANK = "blank"
    """An empty cell that is really there."""
    GAP = "gap"
    """Empty cells an archive collapsed into one run of pipes: how many is unknown."""


@dataclass(frozen=True)
class Token:
    """One cell of the source."""

    text: str
    """The cell's text, stripped; "" for blanks and gaps."""
    where: str
    """``L<line>`` (a text line, an HTML source line or a Word paragraph) or ``T<table>R<row>C<col>``."""
    line: int
    """Index of its :class:`Line` in the document."""
    kind: Kind
    """Text, value, run, blank or gap."""
    row: bool = False
    """True when it belongs to a line of several cells (a ``|`` row, an HTML or Word table row)."""
    terminated: bool = True
    """False only for the last cell of a text that ends in the middle of it (an archive cut)."""
    span: tuple[int, int] | None = None
    """Characters [start, end) of the source line it was cut from, when a long line was split."""

    @property
    def place(self) -> str:
        """``where`` with the character span when there is one (``L13:120-127``), for provenance."""
        return f"{self.where}:{self.span[0] + 1}-{self.span[1]}" if self.span else self.where


@dataclass(frozen=True)
class Line:
    """A paragraph, a piece of a long paragraph, or a table row."""

    index: int
    """Position in the document."""
    text: str
    """The line as read (cells joined with `` | ``)."""
    where: str
    """Location of its first cell."""
    tokens: tuple[Token, ...]
    """Its cells."""
    row: bool
    """True for a table row or a ``|``-separated line."""


@dataclass
class Document:
    """A published report as lines of cells."""

    name: str
    """The file name (used as the "sheet" of every location)."""
    lines: list[Line] = field(default_factory=list)
    """Lines in reading order (empty lines dropped)."""
    header: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Archive header fields (``url:``, ``year:``, ``issuer:`` before the text) → (value, location)."""

    @property
    def tokens(self) -> list[Token]:
        """Every cell in reading order."""
        return [t for line in self.lines for t in line.tokens]

    def add(self, where: str, cells: list[tuple[str, str, Kind]], *, row: bool) -> None:
        """Append a line of ``(text, where, kind)`` cells (nothing if there are none)."""
        if not cells:
            return
        index = len(self.lines)
        tokens = tuple(Token(text, w, index, kind, row=row) for text, w, kind in cells)
        self.lines.append(Line(index, " | ".join(c[0] for c in cells), where, tokens, row))

    def add_text(self, where: str, text: str, span: tuple[int, int] | None = None, kind: Kind | None = None) -> None:
        """Append a paragraph (whitespace-only text is an empty cell, empty text nothing)."""
        if text == "":
            return
        stripped = text.strip()
        index = len(self.lines)
        token = Token(stripped, where, index, kind or classify(stripped), span=span)
        self.lines.append(Line(index, stripped, where, (token,), False))

    def mark_cut(self) -> None:
        """Mark the last cell as cut off (the text ends inside it)."""
        if self.lines:
            last = self.lines[-1]
            cut = replace(last.tokens[-1], terminated=False)
            self.lines[-1] = replace(last, tokens=(*last.tokens[:-1], cut))

    def renumbered(self, lines: list[Line]) -> Document:
        """A document with ``lines`` (indices and tokens' line numbers set to their new positions)."""
        out = Document(self.name, header=dict(self.header))
        for i, line in enumerate(lines):
            tokens = tuple(replace(t, line=i) for t in line.tokens)
            out.lines.append(replace(line, index=i, tokens=tokens))
        return out


def is_value(text: str) -> bool:
    """Whether a cell's text is a number (possibly with 件/万元, thousands separators, a sign) or a placeholder."""
    folded = fold(text)
    return bool(_VALUE.match(folded)) or folded in PLACEHOLDERS or text.strip() in PLACEHOLDERS


def is_run(text: str) -> bool:
    """Whether a cell holds digits that may be several cells: spaces between digits, or a run the table splits."""
    return bool(_RUN.match(text)) and any(ch.isdigit() for ch in text) and (" " in text.strip() or "\u3000" in text)


def classify(text: str) -> Kind:
    """Text, value, run or blank, from a cell's stripped text."""
    if text == "":
        return Kind.BLANK
    if is_value(text):
        return Kind.VALUE
    return Kind.RUN if is_run(text) else Kind.TEXT


def decode(raw: bytes, *, html: bool = False) -> str:
    """Bytes → text: a BOM, else UTF-8, else the page's declared charset, else GB18030 (GBK/GB2312 pages)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = "gb18030"
    if html:
        m = re.search(rb"charset=[\"']?([\w-]+)", raw[:4096], re.IGNORECASE)
        if m and m.group(1).lower() not in (b"gb2312", b"gbk", b"utf-8", b"utf8"):
            codec = m.group(1).decode("ascii")
    try:
        return raw.decode(codec, errors="replace")
    except LookupError:
        return raw.decode("gb18030", errors="replace")
