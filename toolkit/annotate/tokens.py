"""Token-level reading and editing of OOXML parts: the elements' start tags, attributes and top-level children,
found with bounded regular expressions over checked bytes (:mod:`toolkit.workbook.safety`: no DTD, sizes bounded).

Edits splice new bytes between the original ones, so everything the copy does not change (namespace prefixes and
declarations, ``mc:Ignorable``, attribute order, whitespace, extensions) stays exactly as the user's file had it.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple
from xml.sax.saxutils import escape

from toolkit.untrusted import xml_text

_ATTRS = rb"""(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*"""
TAG = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(?P<close>/?)(?P<p>(?:[\w.-]+:)?)(?P<name>[\w.-]+)"
                 + _ATTRS + rb"(?P<empty>/?)>", re.DOTALL)
"""Any markup: a comment, CDATA or processing instruction (no ``name``), or a start, end or empty-element tag."""

REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL_NS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"


class Element(NamedTuple):
    """One element found in a part: where its start tag and its whole extent are (a tuple: a copy makes some
    hundreds, and a frozen dataclass costs five times as much to make)."""

    prefix: bytes
    """Its namespace prefix with the colon (``b"x:"``), or b""."""
    name: bytes
    """Its local name."""
    start: int
    """Offset of ``<``."""
    tag_end: int
    """Offset just past its start tag."""
    end: int
    """Offset just past its end tag (== ``tag_end`` for an empty element)."""
    inner_end: int
    """Offset of its end tag (== ``tag_end`` for an empty element)."""

    def start_tag(self, xml: bytes) -> bytes:
        """The start tag's bytes."""
        return xml[self.start:self.tag_end]

    @property
    def empty(self) -> bool:
        """True for ``<x/>``."""
        return self.end == self.tag_end


def root(xml: bytes) -> Element:
    """The document element; ValueError when the part has none or it is not closed."""
    for match in TAG.finditer(xml):
        if match.group("name") is None:
            continue
        if match.group("close"):
            break
        prefix, name = match.group("p"), match.group("name")
        if match.group("empty"):
            return Element(prefix, name, match.start(), match.end(), match.end(), match.end())
        close = xml.rfind(b"</" + prefix + name)
        if close < match.end():
            break
        return Element(prefix, name, match.start(), match.end(), xml.index(b">", close) + 1, close)
    raise ValueError("no document element")


@functools.lru_cache(maxsize=256)
def _opening(prefix: bytes, name: bytes) -> re.Pattern[bytes]:
    return re.compile(b"<" + re.escape(prefix + name) + rb"[\s/>]|<!--|<!\[CDATA\[")


def children(xml: bytes, parent: Element) -> list[Element]:
    """The direct children of ``parent``.

    A child's end is found by searching for its end tag, checked to have no element of its own name (nor a comment
    or CDATA section) before it; only then is its content walked tag by tag (a sheet's 100 KB of cells are skipped).
    """
    found: list[Element] = []
    pos, end = parent.tag_end, parent.inner_end
    while pos < end:
        match = TAG.search(xml, pos, end)
        if match is None:
            break
        pos = match.end()
        if match.group("name") is None:
            continue
        if match.group("close"):
            raise ValueError("unbalanced")
        prefix, name = match.group("p"), match.group("name")
        if match.group("empty"):
            found.append(Element(prefix, name, match.start(), pos, pos, pos))
            continue
        close = _end_tag(xml, prefix + name, pos, end)
        if close >= 0 and _opening(prefix, name).search(xml, pos, close) is None:
            tail = xml.index(b">", close) + 1
            found.append(Element(prefix, name, match.start(), pos, tail, close))
            pos = tail
            continue
        depth, closing = 1, pos
        while depth:
            inner = TAG.search(xml, pos, end)
            if inner is None:
                raise ValueError("unclosed")
            pos = inner.end()
            if inner.group("name") is None or inner.group("empty"):
                continue
            depth += -1 if inner.group("close") else 1
            closing = inner.start()
        found.append(Element(prefix, name, match.start(), match.end(), pos, closing))
    return found


def _end_tag(xml: bytes, name: bytes, start: int, end: int) -> int:
    """Where the first end tag of ``name`` (prefixed) lies between ``start`` and ``end``, or -1: ``</comment`` in
    ``</commentPr>`` (LibreOffice writes one inside every comment) is not the end of a ``comment``."""
    closing = b"</" + name
    at = xml.find(closing, start, end)
    while at >= 0 and xml[at + len(closing):at + len(closing) + 1] not in (b">", b" ", b"\t", b"\n", b"\r"):
        at = xml.find(closing, at + len(closing), end)
    return at


@functools.lru_cache(maxsize=256)
def _attribute(name: bytes, any_prefix: bool = False) -> re.Pattern[bytes]:
    prefix = rb"[\w.-]+:" if any_prefix else b""
    return re.compile(rb"""\s""" + prefix + re.escape(name) + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def attr(tag: bytes, name: bytes) -> bytes | None:
    """The (still escaped) value of attribute ``name`` (with its prefix, if any) in a start tag, or None."""
    match = _attribute(name).search(tag)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def attr_any_prefix(tag: bytes, local: bytes) -> bytes | None:
    """The value of a prefixed attribute by its local name (``r:id`` whatever the prefix), or None."""
    match = _attribute(local, True).search(tag)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def set_attr(tag: bytes, name: bytes, value: bytes | None) -> bytes:
    """The start tag with attribute ``name`` set to ``value`` (already escaped) or removed (None)."""
    tag = _attribute(name).sub(b"", tag)
    if value is None:
        return tag
    close = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:close].rstrip() + b" " + name + b'="' + value + b'"' + tag[close:]


def ns_prefix(tag: bytes, *uris: bytes) -> bytes | None:
    """The prefix (with colon) a start tag binds to one of ``uris``; b"" for the default namespace; None if none."""
    for match in re.finditer(rb"""\sxmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag):
        if (match.group(2) if match.group(2) is not None else match.group(3)) in uris:
            return match.group(1) + b":" if match.group(1) else b""
    return None


def rel_prefix(root_tag: bytes) -> tuple[bytes, bytes]:
    """How a new element says ``r:id``: (prefix with colon, the declaration it needs on itself, or b"").

    The prefix the document element binds to the relationships namespace; else ``r`` declared on the element
    (openpyxl declares it on each ``<sheet>``, and Gnumeric finds no sheet part when the same namespace appears
    under another prefix); ``gkr`` only when the document binds ``r`` to something else."""
    bound = ns_prefix(root_tag, REL_NS, STRICT_REL_NS)
    if bound:
        return bound, b""
    if attr(root_tag, b"xmlns:r") is None:
        return b"r:", b' xmlns:r="%s"' % REL_NS
    return b"gkr:", b' xmlns:gkr="%s"' % REL_NS


def text(value: str) -> bytes:
    """Element text: XML-illegal characters shown as visible marks, markup characters escaped."""
    return escape(xml_text(value)).encode("utf-8")


def quoted(value: str) -> bytes:
    """An attribute value (for double quotes)."""
    return escape(xml_text(value), {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}).encode("utf-8")


def splice(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """``xml`` with each (start, end) span replaced by its bytes; spans do not overlap."""
    out: list[bytes] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(xml[pos:start])
        out.append(new)
        pos = end
    out.append(xml[pos:])
    return b"".join(out)


def insert_at(xml: bytes, parent: Element, kids: list[Element], later: tuple[bytes, ...]) -> int:
    """Where a new child of ``parent`` goes: before the first child named in ``later`` (the schema's order), else
    at the end of ``parent``."""
    return next((k.start for k in kids if k.name in later), parent.inner_end)
