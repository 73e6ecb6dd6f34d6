"""A Word document (.docx) → :class:`~toolkit.importer.extract.Document`, paragraphs and tables in body order.

A merged cell is read once: python-docx repeats a horizontally merged cell for every grid column it spans and
a vertically merged one for every row, which would turn 三、本年度办理结果 into 22 labels and a spanning
value into several. Paragraphs are located as ``L<n>`` (the n-th body paragraph), cells as ``T<t>R<r>C<c>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.importer.document import Document, classify
from toolkit.messages import msg


def _cell_text(tc: Any, table: Any) -> str:
    from docx.table import _Cell

    return " ".join(_Cell(tc, table).text.split())


MAX_MEMBERS = 5_000
"""Parts a .docx may hold."""
MAX_INFLATED = 200 * 1024 * 1024
"""Declared uncompressed size of all parts (a report is a few MB at most): refuses zip bombs early."""
MAX_XML = 16 * 1024 * 1024
"""Declared uncompressed size of the XML parts python-docx parses (a long report's document.xml is ~2 MB)."""


def _check_package(path: Path) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ToolkitError(msg("import.error.docx", error=type(exc).__name__), path=path) from exc
    xml = sum(i.file_size for i in infos if i.filename.endswith((".xml", ".rels")))
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_INFLATED or xml > MAX_XML:
        raise ToolkitError(msg("import.error.docx_hostile"), path=path)


def read_docx(path: Path) -> Document:
    """Read the body of a .docx: each paragraph a line, each table row a line of its (unmerged) cells."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_package(path)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ToolkitError(msg("import.error.docx", error=type(exc).__name__), path=path) from exc
    doc = Document(path.name)
    paragraphs = tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraphs += 1
            doc.add_text(f"L{paragraphs}", Paragraph(child, document).text)
        elif child.tag == qn("w:tbl"):
            tables += 1
            table = Table(child, document)
            for r, tr in enumerate(child.tr_lst, start=1):
                cells = []
                c = 0
                for tc in tr.tc_lst:
                    c += 1
                    if tc.vMerge == "continue":
                        continue
                    text = _cell_text(tc, table)
                    cells.append((text, f"T{tables}R{r}C{c}", classify(text)))
                doc.add(f"T{tables}R{r}C1", cells, row=True)
    return doc
