"""Comparing two .xlsx files part by part and by meaning, not byte for byte (as XlsxWriter's own test helper
``_compare_xlsx_files`` does): the same parts, each part's XML equal once parsed — attribute order, whitespace
between elements, zip compression, member order and timestamps do not count; the document dates in
``docProps/core.xml``, the window size in ``workbookView`` and the application's ``calcPr`` ids are masked, and
the entries of relationship and content-type parts are compared as sets."""

from __future__ import annotations

import difflib
import re
import zipfile
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

MASKED = {
    "docProps/core.xml": ("created", "modified"),
    "xl/workbook.xml": ("workbookView", "calcPr"),
}
"""Part → local names of elements whose attributes and text are masked (they differ with no change of content)."""
BINARY = re.compile(r"\.(png|jpe?g|gif|bmp|wmf|emf|bin)$")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _lines(element: Element, masked: tuple[str, ...], unordered: bool, depth: int = 0) -> list[str]:
    """The element as indented lines: tag, sorted attributes, text; children in order (or sorted)."""
    pad = "  " * depth
    if _local(element.tag) in masked:
        return [f"{pad}<{element.tag} …masked…>"]
    attrs = " ".join(f'{k}="{v}"' for k, v in sorted(element.attrib.items()))
    text = (element.text or "").strip()
    head = f"{pad}<{element.tag}{' ' + attrs if attrs else ''}>{text}"
    children = [_lines(child, masked, False, depth + 1) for child in element]
    if unordered:
        children.sort()
    tail = [(child.tail or "").strip() for child in element]
    body = [line for block in children for line in block]
    return [head, *body, *(f"{pad}  ~{t}" for t in tail if t)]


def part_lines(name: str, blob: bytes) -> list[str]:
    """One part as comparable lines (a binary part: its length and its bytes in hex)."""
    if BINARY.search(name):
        return [f"binary {len(blob)} bytes", blob.hex()]
    unordered = name == "[Content_Types].xml" or name.endswith(".rels")
    return _lines(fromstring(blob), MASKED.get(name, ()), unordered)


def xlsx_differences(got: Path, expected: Path, limit: int = 30) -> list[str]:
    """What differs between two workbooks, part by part ([] when they mean the same)."""
    with zipfile.ZipFile(got) as a, zipfile.ZipFile(expected) as b:
        names_a, names_b = set(a.namelist()), set(b.namelist())
        if names_a != names_b:
            return [f"parts only in {got.name}: {sorted(names_a - names_b)}",
                    f"parts only in {expected.name}: {sorted(names_b - names_a)}"]
        for name in sorted(names_a):
            left, right = part_lines(name, a.read(name)), part_lines(name, b.read(name))
            if left != right:
                diff = difflib.unified_diff(right, left, f"{expected.name}:{name}", f"{got.name}:{name}", lineterm="")
                return list(diff)[:limit]
    return []
