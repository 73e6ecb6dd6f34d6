"""Turn a published report (.txt, saved web page, .docx) into lines of cells, each cell knowing where it was.

Every format becomes the same thing: a :class:`Document` of :class:`Line` s in reading order; a line holds
one cell (a paragraph, or one value of a table flattened one value per line) or several (a ``|``-separated row,
an HTML ``<tr>``, a Word table row). Cells are classified as text, value (a number or a placeholder), blank
(an empty cell that is really there) or gap (``||||``: empty cells an archive collapsed, so their number is
unknown). Nothing is interpreted here; :mod:`toolkit.importer.tables` maps cells to the official tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.importer.text import is_value
from toolkit.messages import msg

SUFFIXES = frozenset({".txt", ".html", ".htm", ".docx", ".md"})
"""The file types :func:`extract` reads."""
MAX_BYTES = 50 * 1024 * 1024
"""Largest file read (a saved report page is well under 5 MB)."""

_HEADER_KEYS = ("url", "year", "issuer", "title")
_HEADER = re.compile(r"^(url|year|issuer|title):\s*(.*)$")


class Kind(StrEnum):
    """What a cell holds."""

    TEXT = "text"
    """A label or a sentence."""
    VALUE = "value"
    """A number (or "3件", "1,234", "/", "-" …): something a data cell holds."""
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
    """Text, value, blank or gap."""
    row: bool = False
    """True when it belongs to a line of several cells (a ``|`` row, an HTML or Word table row)."""
    terminated: bool = True
    """False only for the last cell of a text that ends in the middle of it (an archive cut)."""


@dataclass(frozen=True)
class Line:
    """A paragraph or a table row."""

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

    def add_text(self, where: str, text: str) -> None:
        """Append a paragraph (whitespace-only text is an empty cell, empty text nothing)."""
        if text == "":
            return
        stripped = text.strip()
        self.add(where, [(stripped, where, classify(stripped))], row=False)

    def mark_cut(self) -> None:
        """Mark the last cell as cut off (the text ends inside it)."""
        if self.lines:
            last = self.lines[-1]
            tail = last.tokens[-1]
            cut = Token(tail.text, tail.where, tail.line, tail.kind, tail.row, terminated=False)
            self.lines[-1] = Line(last.index, last.text, last.where, (*last.tokens[:-1], cut), last.row)


def classify(text: str) -> Kind:
    """Text, value or blank, from a cell's stripped text."""
    if text == "":
        return Kind.BLANK
    return Kind.VALUE if is_value(text) else Kind.TEXT


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


def split_row(line: str, where: str) -> list[tuple[str, str, Kind]]:
    """A ``|``-separated line → cells.

    ``a | 1 |`` → a, 1. A cell of spaces (``| |``) is an empty cell; pipes with nothing between them (``||``,
    an archive's padding for merged or collapsed cells) are a gap; a line of a lone ``|`` is one empty cell.
    """
    body = line.strip()
    if body == "|":
        return [("", where, Kind.BLANK)]
    if set(body) == {"|"}:
        return [("", where, Kind.GAP)]
    parts = line.split("|")
    if parts and parts[0].strip() == "":
        parts = parts[1:]
    if parts and parts[-1].strip() == "":
        parts = parts[:-1]
    cells: list[tuple[str, str, Kind]] = []
    for part in parts:
        text = part.strip()
        if part == "":
            if not cells or cells[-1][2] is not Kind.GAP:
                cells.append(("", where, Kind.GAP))
        else:
            cells.append((text, where, classify(text)))
    return cells


def read_text(path: Path) -> Document:
    """A .txt file: one cell per line, or ``|``-separated cells; an archive header (url/year/issuer) is kept apart."""
    text = decode(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(path.name)
    lines = text.split("\n")
    start = 0
    while start < len(lines) and (m := _HEADER.match(lines[start].strip())):
        doc.header[m.group(1)] = (m.group(2).strip(), f"L{start + 1}")
        start += 1
    for number, line in enumerate(lines[start:], start=start + 1):
        where = f"L{number}"
        if "|" in line:
            cells = split_row(line, where)
            doc.add(where, cells, row=len(cells) > 1)
        else:
            doc.add_text(where, line)
    if text and not text.endswith("\n"):
        last = lines[-1]
        if "|" not in last or not last.rstrip().endswith("|"):
            doc.mark_cut()
    return doc


def extract(path: Path) -> Document:
    """Read ``path`` (.txt, .html/.htm, .docx, .md) into a :class:`Document`."""
    path = Path(path)
    if not path.is_file():
        raise ToolkitError(msg("import.error.not_found"), path=path)
    suffix = path.suffix.lower()
    if path.stat().st_size > MAX_BYTES:
        raise ToolkitError(msg("import.error.too_large", size=path.stat().st_size // (1024 * 1024)), path=path)
    if suffix not in SUFFIXES:
        raise ToolkitError(msg("import.error.suffix", suffix=suffix or "（无扩展名）"), path=path)
    if suffix == ".txt":
        return read_text(path)
    if suffix == ".docx":
        from toolkit.importer.word import read_docx

        return read_docx(path)
    if suffix == ".md":
        from toolkit.importer.webpage import read_markdown

        return read_markdown(path)
    from toolkit.importer.webpage import read_html

    return read_html(path)
