"""A .txt report → :class:`~toolkit.importer.document.Document`: one cell per line, or ``|``-separated cells.

An archive header (``url:``, ``year:``, ``issuer:``, ``title:`` lines before the text) is kept apart. A text
without a final newline is not, by that alone, cut off: only a last line that is a ``|`` row without its closing
``|``, or a number, may have lost its end (whether the report is cut is decided by how it ends, see
:func:`toolkit.importer.sections.looks_cut`).
"""

from __future__ import annotations

import re
from pathlib import Path

from toolkit.importer.document import Document, Kind, classify, decode

_HEADER = re.compile(r"^(url|year|issuer|title):\s*(.*)$")


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


def text_document(text: str, name: str) -> Document:
    """Plain text → document (see the module docstring); ``name`` is the file name locations refer to."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(name)
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
    if text and not text.endswith("\n") and doc.lines:
        last_line, last = lines[-1], doc.lines[-1].tokens[-1]
        open_row = "|" in last_line and not last_line.rstrip().endswith("|")
        if open_row or ("|" not in last_line and last.kind in (Kind.VALUE, Kind.RUN)):
            doc.mark_cut()
    return doc


def read_text(path: Path) -> Document:
    """A .txt file → document."""
    return text_document(decode(path.read_bytes()), path.name)
