"""Workbooks for the highlighted-copy tests, made by editing a standard workbook's package the way other programs
write theirs: an image, a chart and extension parts added (as WPS and Excel keep them), a WPS-like package
(``mc:Ignorable`` prefixes, ``x14ac`` row attributes, a custom properties part), and the parts of a copy read back."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DRAWING_TYPE = f"{REL}/drawing"
IMAGE_TYPE = f"{REL}/image"
CHART_TYPE = f"{REL}/chart"
MEDIA_PARTS = ("xl/media/image1.png", "xl/drawings/drawing1.xml", "xl/drawings/_rels/drawing1.xml.rels",
               "xl/charts/chart1.xml", "docProps/custom.xml", "customXml/item1.xml")
"""The parts :func:`with_media` adds; the copy must carry each byte for byte."""


def parts(path: Path) -> dict[str, bytes]:
    """Every part of the package at ``path``, inflated."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def rewrite(source: Path, target: Path, edit: Callable[[str, bytes], bytes], add: dict[str, bytes]) -> Path:
    """A copy of ``source`` with each part passed through ``edit`` and the parts ``add`` appended."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, edit(item.filename, zin.read(item.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return target


def sheet_part(path: Path, sheet: str) -> str:
    """The part name of sheet ``sheet``."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    tag = next(t for t in re.findall(r"<sheet [^>]*/>", book) if f'name="{sheet}"' in t)
    rid = re.search(r'r:id="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
    rel = next(r for r in re.findall(r"<Relationship [^>]*/>", rels) if f'Id="{rid}"' in r)
    return "xl/" + re.search(r'Target="([^"]+)"', rel).group(1).removeprefix("/xl/")  # type: ignore[union-attr]


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid red PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


_DRAWING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" \
xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{REL}" \
xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart">\
<xdr:twoCellAnchor><xdr:from><xdr:col>11</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff>\
</xdr:from><xdr:to><xdr:col>13</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>4</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>\
<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="单位印章"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>\
<a:blip r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:prstGeom prst="rect">\
<a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:twoCellAnchor>\
<xdr:twoCellAnchor><xdr:from><xdr:col>11</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>6</xdr:row><xdr:rowOff>0</xdr:rowOff>\
</xdr:from><xdr:to><xdr:col>17</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>20</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>\
<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="3" name="图表 1"/><xdr:cNvGraphicFramePr/>\
</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>\
<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart r:id="rId2"/></a:graphicData>\
</a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"""

_CHART = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" \
xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><c:chart><c:plotArea><c:layout/><c:barChart>\
<c:barDir val="col"/><c:grouping val="clustered"/><c:ser><c:idx val="0"/><c:order val="0"/><c:val><c:numRef>\
<c:f>'{sheet}'!$D$6:$D$9</c:f></c:numRef></c:val></c:ser><c:axId val="1"/><c:axId val="2"/></c:barChart>\
<c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:axPos val="b"/><c:crossAx val="2"/>\
</c:catAx><c:valAx><c:axId val="2"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:axPos val="l"/>\
<c:crossAx val="1"/></c:valAx></c:plotArea></c:chart></c:chartSpace>"""

_SHEET_EXT = (b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
              b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings/>'
              b"</ext></extLst>")
_CUSTOM = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.'
           b'org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
           b'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
           b'name="KSOProductBuildVer">'
           b'<vt:lpwstr>2052-12.1.0.16250</vt:lpwstr></property></Properties>')


def with_media(source: Path, target: Path, sheet: str) -> Path:
    """``source`` with a picture and a chart on ``sheet`` (a drawing part), an extension list on that sheet, and
    WPS's custom properties and a custom XML part."""
    part = sheet_part(source, sheet)
    rels_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    types = {"png": "image/png"}
    overrides = {
        "/xl/drawings/drawing1.xml": "application/vnd.openxmlformats-officedocument.drawing+xml",
        "/xl/charts/chart1.xml": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
        "/docProps/custom.xml": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    }

    def edit(name: str, data: bytes) -> bytes:
        if name == part:
            return data.replace(b"</worksheet>", b'<drawing r:id="rIdG1"/>' + _SHEET_EXT + b"</worksheet>")
        if name == "[Content_Types].xml":
            extra = "".join(f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in types.items())
            extra += "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides.items())
            return data.replace(b"</Types>", extra.encode() + b"</Types>")
        if name == "_rels/.rels":
            return data.replace(b"</Relationships>", f'<Relationship Id="rIdC9" Type="{REL}/custom-properties" '
                                f'Target="docProps/custom.xml"/></Relationships>'.encode())
        return data

    add = {
        rels_name: (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                    f'openxmlformats.org/package/2006/relationships"><Relationship Id="rIdG1" Type="{DRAWING_TYPE}" '
                    f'Target="../drawings/drawing1.xml"/></Relationships>').encode(),
        "xl/media/image1.png": png(),
        "xl/drawings/drawing1.xml": _DRAWING.encode(),
        "xl/drawings/_rels/drawing1.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{IMAGE_TYPE}" '
            f'Target="../media/image1.png"/><Relationship Id="rId2" Type="{CHART_TYPE}" Target="../charts/chart1.xml"/>'
            f"</Relationships>").encode(),
        "xl/charts/chart1.xml": _CHART.format(sheet=sheet).encode(),
        "docProps/custom.xml": _CUSTOM,
        "customXml/item1.xml": b'<?xml version="1.0" encoding="UTF-8"?><wps xmlns="urn:example:wps">KSO</wps>',
    }
    return rewrite(source, target, edit, add)


_MC = (b' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr" '
       b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
       b'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision"')


def wps_like(source: Path, target: Path) -> Path:
    """``source`` as WPS and Excel 365 write it: ``mc:Ignorable`` naming ``x14ac`` and ``xr`` on every sheet and on
    styles, ``x14ac:dyDescent`` on rows, an ``xr:uid`` on the sheet view, fonts marked ``x14ac:knownFonts``, and
    WPS's custom properties."""
    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            data = data.replace(b"<worksheet ", b"<worksheet" + _MC + b" ", 1)
            data = re.sub(rb"<row ([^>]*?)(/?)>", rb'<row \1 x14ac:dyDescent="0.15"\2>', data)
            return data.replace(b"<sheetView ", b'<sheetView xr:uid="{00000000-0001-0000-0000-000000000000}" ', 1)
        if name == "xl/styles.xml":
            data = data.replace(b"<styleSheet ", b"<styleSheet" + _MC + b" ", 1)
            return re.sub(rb"<fonts ", b'<fonts x14ac:knownFonts="1" ', data, count=1)
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
        return data

    return rewrite(source, target, edit, {"docProps/custom.xml": _CUSTOM})
