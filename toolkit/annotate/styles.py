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


_FG_RGB = re.compile(rb"""<(?:[\w.-]+:)?fgColor\s[^>]*?rgb\s*=\s*["'](?:FF|ff)?([0-9A-Fa-f]{6})["']""")
_COLOR_RGB = re.compile(rb"""<(?:[\w.-]+:)?color\s[^>]*?rgb\s*=\s*["'](?:FF|ff)?([0-9A-Fa-f]{6})["']""")
_XF_ATTR = re.compile(rb"""\s([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")
_MARK_ATTRS = frozenset({b"fontId", b"fillId", b"applyFont", b"applyFill"})
_BAD_AND_NEUTRAL = frozenset({b"27", b"28"})
"""``builtinId`` of Excel's 'Bad' and 'Neutral' cell styles, whose colours the marks share."""


def _xf_shape(xf: bytes) -> tuple[tuple[tuple[bytes, bytes], ...], bytes]:
    """A cell format as compared for :meth:`Styles.marks`: its attributes but those a mark changes, in any order,
    and its content (alignment, protection)."""
    tag_end = xf.index(b">") + 1
    attrs = tuple(sorted((m.group(1), m.group(2)[1:-1]) for m in _XF_ATTR.finditer(xf[:tag_end])
                         if m.group(1) not in _MARK_ATTRS))
    return attrs, xf[tag_end:]


def _index(raw: bytes | None, entries: tuple[bytes, ...]) -> int | None:
    """An index attribute's value when it names one of ``entries`` (0 when absent), else None."""
    value = int(raw) if raw is not None and raw.isdigit() else 0 if raw is None else -1
    return value if 0 <= value < len(entries) else None


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


@functools.lru_cache(maxsize=8)
def _positions(xml: bytes, container: bytes) -> dict[bytes, int]:
    """Each entry of ``container`` (fonts, fills, cellXfs) of a styles part → its first index."""
    _, _, fonts, fills, xfs = _parse(xml)
    entries = {b"fonts": fonts, b"fills": fills, b"cellXfs": xfs}[container]
    positions: dict[bytes, int] = {}
    for i, entry in enumerate(entries):
        positions.setdefault(entry, i)
    return positions


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
        """The index of ``entry`` in ``container``: of the same bytes already there (a copy checked again has the
        formats its earlier check added: they are used again, not repeated), else of ``entry`` added."""
        existing = {b"fonts": self.fonts, b"fills": self.fills, b"cellXfs": self.xfs}[container]
        index = _positions(self.source, container).get(entry)
        if index is not None:
            return index
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

    def marks(self) -> dict[int, int]:
        """An earlier check's marks (a copy checked again): each cell format that check made for a flagged cell
        (a solid fill of a severity's colour with its font in that severity's colour) → the format to give the
        cell now that it is unmarked: the one it was made from (equal but for its font's colour and its fill, the
        font otherwise the same), else that format without the fill, its font uncoloured where the styles hold
        such a font. Called only for a package holding the copy's 校验结果 sheet (a workbook that never was a copy
        keeps every fill it has, Excel's own 'bad' and 'neutral' styles among them)."""
        fills = {bg.encode(): fg.encode() for bg, fg in FILLS.values()}
        styled = self._named(_BAD_AND_NEUTRAL)
        tags = [xf[:xf.index(b">") + 1] for xf in self.xfs]
        fonts = [_index(attr(tag, b"fontId"), self.fonts) for tag in tags]
        marked: dict[int, int] = {}  # a mark's format → its font
        for i, tag in enumerate(tags):
            fill, font = _index(attr(tag, b"fillId"), self.fills), fonts[i]
            if fill is None or font is None or b"solid" not in self.fills[fill] or attr(tag, b"xfId") in styled:
                continue  # (a cell in Excel's own 'bad' or 'neutral' style: the user's, not a mark)
            colour, text_colour = _FG_RGB.search(self.fills[fill]), _COLOR_RGB.search(self.fonts[font])
            if (colour is not None and text_colour is not None
                    and fills.get(colour.group(1).upper()) == text_colour.group(1).upper()):
                marked[i] = font
        if not marked:
            return {}
        plain_fonts = [_COLOR.sub(b"", font) for font in self.fonts]
        shapes = [_xf_shape(xf) for xf in self.xfs]
        found: dict[int, int] = {}
        for i, font in marked.items():
            same = next((j for j, shape in enumerate(shapes) if shape == shapes[i] and j not in marked
                         and (f := fonts[j]) is not None and plain_fonts[f] == plain_fonts[font]), None)
            if same is None:
                plain = next((f for f, entry in enumerate(plain_fonts) if entry == plain_fonts[font]
                              and not _COLOR.search(self.fonts[f])), font)
                same = self._add(b"cellXfs", set_attr(set_attr(tags[i], b"fillId", b"0"), b"fontId", b"%d" % plain)
                                 + self.xfs[i][len(tags[i]):])
            found[i] = same
        return found

    def _named(self, builtin: frozenset[bytes]) -> set[bytes]:
        """The ``xfId`` of the built-in cell styles ``builtin`` (their ``builtinId``) the styles part holds."""
        styles = self.kids.get(b"cellStyles")
        if styles is None or styles.empty:
            return set()
        return {attr(tag, b"xfId") or b"" for entry in children(self.source, styles) if entry.name == b"cellStyle"
                if attr(tag := entry.start_tag(self.source), b"builtinId") in builtin}

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
