"""A saved web page → :class:`~toolkit.importer.extract.Document` (standard library ``html.parser`` only).

The page is first built into a small element tree (tolerant of unclosed ``<p>``, ``<td>``, ``<tr>``), then
walked: block elements end a line, every ``<tr>`` of a data table becomes one line of cells, and site chrome
(``<script>``, ``<style>``, ``<nav>``, ``<footer>``, forms) is dropped. A table that contains another table is a
page-layout table: its cells are walked as ordinary blocks. Text lines are located by their source line
(``L<n>``), table cells by ``T<table>R<row>C<cell>`` (data tables counted from 1 in page order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from toolkit.importer.document import Document, classify, decode

_DROP = frozenset({"script", "style", "nav", "noscript", "footer", "template", "select", "button", "iframe",
                   "svg", "object", "form", "head"})
_VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "col", "area", "base", "wbr", "source", "param",
                   "embed", "track"})
_BLOCK = frozenset({"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tr", "section",
                    "article", "header", "main", "aside", "blockquote", "pre", "dd", "dt", "dl", "center", "title",
                    "hr", "tbody", "thead", "tfoot", "caption", "figure", "address", "body", "html"})
# Opening the key closes an open element of the value set (up to, not beyond, the boundary tags).
_IMPLIED_CLOSE = {
    "p": ({"p"}, {"div", "td", "th", "table", "li", "body"}),
    "li": ({"li"}, {"ul", "ol", "table"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead", "tfoot"}),
    "tbody": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "thead": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "tfoot": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
    "body": ({"head"}, set()),
}


@dataclass
class Element:
    """A node of the page: a tag with children (elements or text)."""

    tag: str
    """Lower-case tag name."""
    line: int
    """Source line of its start tag."""
    children: list[Element | tuple[str, int]] = field(default_factory=list)
    """Child elements and text runs (text, source line), in order."""

    def text(self) -> str:
        """All text below, line breaks and runs of whitespace collapsed to single spaces."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag not in _DROP:
                    parts.append(" " if child.tag == "br" else child.text())
            else:
                parts.append(child[0])
        return " ".join("".join(parts).split())

    def find_all(self, tag: str) -> list[Element]:
        """Descendants with this tag, in document order (not searching below a match)."""
        found: list[Element] = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag:
                    found.append(child)
                else:
                    found.extend(child.find_all(tag))
        return found


MAX_DEPTH = 64
"""Elements nested deeper than this are attached at this depth (a page's layout is rarely 30 deep): bounds the
recursion of the walk on hostile pages (1,000 nested tables)."""
MAX_ELEMENTS = 200_000
"""Elements kept from one page; the rest of a larger page is ignored as text."""


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", 1)
        self.stack = [self.root]
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        closes = _IMPLIED_CLOSE.get(tag)
        if closes is not None:
            closable, boundary = closes
            cut = None
            for i in range(len(self.stack) - 1, 0, -1):
                name = self.stack[i].tag
                if name in boundary:
                    break
                if name in closable:
                    cut = i
            if cut is not None:
                del self.stack[cut:]
        self.count += 1
        if self.count > MAX_ELEMENTS:
            return
        element = Element(tag, self.getpos()[0])
        self.stack[-1].children.append(element)
        if tag not in _VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append((data, self.getpos()[0]))


class _Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.buffer: list[str] = []
        self.buffer_line = 0
        self.tables = 0

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        if text:
            self.doc.add_text(f"L{self.buffer_line}", text)
        self.buffer = []

    def walk(self, element: Element) -> None:
        for child in element.children:
            if not isinstance(child, Element):
                if not self.buffer or not "".join(self.buffer).strip():
                    self.buffer_line = child[1]
                self.buffer.append(child[0])
                continue
            if child.tag in _DROP:
                continue
            if child.tag == "table" and not child.find_all("table"):
                self.flush()
                self.table(child)
                continue
            if child.tag in _BLOCK:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)

    def table(self, table: Element) -> None:
        self.tables += 1
        for r, tr in enumerate(table.find_all("tr"), start=1):
            cells = [cell for cell in tr.children if isinstance(cell, Element) and cell.tag in ("td", "th")]
            row = []
            for c, cell in enumerate(cells, start=1):
                text = cell.text()
                row.append((text, f"T{self.tables}R{r}C{c}", classify(text)))
            self.doc.add(f"T{self.tables}R{r}C1", row, row=True)


def read_html(path: Path) -> Document:
    """A saved web page (.html/.htm) → document: paragraphs as lines, data-table rows as lines of cells."""
    return html_document(decode(path.read_bytes(), html=True), path.name)


def read_markdown(path: Path) -> Document:
    """A Markdown report (as ``toolkit report --to md`` writes it: pipe tables, HTML tables where cells span)
    → document, through markdown-it-py's HTML; table cells keep their T/R/C positions."""
    from markdown_it import MarkdownIt

    # markdown-it-py (CommonMark, linear on the inputs Python-Markdown takes minutes over: "-\n" × 50,000).
    # Reports carry no links: brackets stand in as private-use characters while it runs, so its link scanner
    # never sees them, and are put back in the HTML it returns. Raw HTML in the file is kept (pipe tables and
    # HTML tables where cells span).
    text = decode(path.read_bytes()).translate(_HIDE_BRACKETS)
    html = MarkdownIt("commonmark").enable("table").render(text).translate(_SHOW_BRACKETS)
    return html_document(html, path.name)


_HIDE_BRACKETS = str.maketrans({"[": "\ue000", "]": "\ue001"})
_SHOW_BRACKETS = str.maketrans({"\ue000": "[", "\ue001": "]"})


def html_document(markup: str, name: str) -> Document:
    """HTML text → document (see :func:`read_html`); ``name`` is the file name locations refer to."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    doc = Document(name)
    walker = _Walker(doc)
    for title in builder.root.find_all("title")[:1]:
        doc.add_text(f"L{title.line}", title.text())
    walker.walk(builder.root)
    walker.flush()
    return doc

