"""styles.xml of the copy: the user's styles as they are, plus the fills, fonts and cell formats the copy needs.

A flagged cell keeps everything its format had (number format, border, alignment, protection): it gets a new
``cellXfs`` entry, a copy of its own with the severity's fill and a font recoloured, one per (original format,
severity) pair. The 校验结果 sheet's formats are appended the same way, built on the workbook's default font.
"""

from __future__ import annotations

import functools
import re

from toolkit.annotate.marks import FILLS
from toolkit.annotate.tokens import Element, attr, children, root, set_attr, splice
from toolkit.spec.models import Severity

GREY, LINK = "D9D9D9", "0563C1"

MINIMAL = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<fonts count="1"><font><sz val="11"/><name val="\xe5\xae\x8b\xe4\xbd\x93"/></font></fonts>'
           b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
           b'<fill><patternFill patternType="gray125"/></fill></fills>'
           b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
           b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
"""The styles part of a workbook that had none (styles.xml is optional; every application writes one)."""

_FONT_DROP = re.compile(rb"<(?:[\w.-]+:)?(?:color|b|u|sz)(?=[\s/>])[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?(?:color|b|u|sz)>)",
                        re.DOTALL)
_COLOR = re.compile(rb"<(?:[\w.-]+:)?color(?=[\s/>])[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?color>)", re.DOTALL)


@functools.lru_cache(maxsize=8)
def _parse(xml: bytes) -> tuple[bytes, dict[bytes, Element], tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...]]:
    """A styles part's prefix, top-level elements, fonts, fills and cell formats (a pure function of its bytes, kept:
    a folder's units share their styles; the result is only read)."""
    top = root(xml)
    kids = {k.name: k for k in children(xml, top)}
    missing = [n for n in (b"fonts", b"fills", b"cellXfs") if n not in kids or kids[n].empty]
    if missing:
        raise ValueError(f"styles.xml lacks {missing}")

    def entries(container: bytes, name: bytes) -> tuple[bytes, ...]:
        return tuple(xml[e.start:e.end] for e in children(xml, kids[container]) if e.name == name)

    return top.prefix, kids, entries(b"fonts", b"font"), entries(b"fills", b"fill"), entries(b"cellXfs", b"xf")


class Styles:
    """The styles part being extended; :meth:`xml` gives the result."""

    def __init__(self, xml: bytes) -> None:
        self.source = xml
        self.prefix, self.kids, self.fonts, self.fills, self.xfs = _parse(xml)
        self.added: dict[bytes, list[bytes]] = {b"fonts": [], b"fills": [], b"cellXfs": []}
        self._fills: dict[tuple[str, ...], int] = {}
        self._fonts: dict[tuple[object, ...], int] = {}
        self._xfs: dict[tuple[object, ...], int] = {}

    def _add(self, container: bytes, entry: bytes) -> int:
        existing = {b"fonts": self.fonts, b"fills": self.fills, b"cellXfs": self.xfs}[container]
        self.added[container].append(entry)
        return len(existing) + len(self.added[container]) - 1

    def _fill(self, rgb: str) -> int:
        key = (rgb,)
        if key not in self._fills:
            p = self.prefix
            color = b'rgb="FF%s"' % rgb.encode()
            self._fills[key] = self._add(b"fills", b'<%sfill><%spatternFill patternType="solid"><%sfgColor %s/>'
                                         b'<%sbgColor %s/></%spatternFill></%sfill>' % (p, p, p, color, p, color, p, p))
        return self._fills[key]

    def _font(self, base: int, rgb: str | None, *, bold: bool = False, size: int | None = None,
              underline: bool = False) -> int:
        """Font ``base`` recoloured (``size`` None: everything else kept), or restyled for the 校验结果 sheet."""
        key = (base, rgb, bold, size, underline)
        if key not in self._fonts:
            p = self.prefix
            entry = self.fonts[base] if 0 <= base < len(self.fonts) else self.fonts[0]
            tag_end = entry.index(b">") + 1
            if entry[tag_end - 2:tag_end] == b"/>":  # <font/>
                entry = entry[:tag_end - 2] + b"></" + p + b"font>"
                tag_end -= 1
            head, body = entry[:tag_end], entry[tag_end:]
            drop = _COLOR if size is None else _FONT_DROP
            extra = b"<%sb/>" % p if bold else b""
            extra += b"<%su/>" % p if underline else b""
            extra += b'<%ssz val="%d"/>' % (p, size) if size else b""
            extra += b'<%scolor rgb="FF%s"/>' % (p, rgb.encode()) if rgb else b""
            if rgb is None:
                color = _COLOR.search(body)
                extra += color.group() if color else b""
            self._fonts[key] = self._add(b"fonts", head + extra + drop.sub(b"", body))
        return self._fonts[key]

    def flagged(self, xf: int, severity: Severity) -> int:
        """The format of a cell that had format ``xf`` and is flagged with ``severity``."""
        key = (xf, severity)
        if key not in self._xfs:
            entry = self.xfs[xf] if 0 <= xf < len(self.xfs) else self.xfs[0]
            tag_end = entry.index(b">") + 1
            tag = entry[:tag_end]
            bg, fg = FILLS[severity]
            font = int(attr(tag, b"fontId") or b"0")
            for name, value in ((b"fontId", self._font(font, fg)), (b"fillId", self._fill(bg))):
                tag = set_attr(tag, name, b"%d" % value)
            tag = set_attr(set_attr(tag, b"applyFill", b"1"), b"applyFont", b"1")
            self._xfs[key] = self._add(b"cellXfs", tag + entry[tag_end:])
        return self._xfs[key]

    def result(self, kind: str) -> int:
        """A format of the 校验结果 sheet: title, header, body, link, error, warning."""
        key = (kind,)
        if key not in self._xfs:
            p = self.prefix
            font, fill = 0, 0
            if kind == "title":
                font = self._font(0, None, bold=True, size=13)
            elif kind == "header":
                font, fill = self._font(0, None, bold=True, size=11), self._fill(GREY)
            elif kind == "link":
                font = self._font(0, LINK, underline=True, size=11)
            elif kind in ("error", "warning"):
                fill = self._fill(FILLS[Severity(kind)][0])
            wrap = kind not in ("title", "header")
            body = b'><%salignment vertical="top" wrapText="1"/></%sxf>' % (p, p) if wrap else b"/>"
            self._xfs[key] = self._add(b"cellXfs", b'<%sxf numFmtId="0" fontId="%d" fillId="%d" borderId="0" xfId="0"'
                                       b' applyFont="1" applyFill="1" applyAlignment="1"%s' % (p, font, fill, body))
        return self._xfs[key]

    def xml(self) -> bytes:
        """The extended styles part (the source's bytes where nothing was added)."""
        edits: list[tuple[int, int, bytes]] = []
        for container, entries in self.added.items():
            if not entries:
                continue
            element: Element = self.kids[container]
            total = {b"fonts": self.fonts, b"fills": self.fills, b"cellXfs": self.xfs}[container]
            tag = set_attr(element.start_tag(self.source), b"count", b"%d" % (len(total) + len(entries)))
            edits.append((element.start, element.tag_end, tag))
            edits.append((element.inner_end, element.inner_end, b"".join(entries)))
        return splice(self.source, edits)
