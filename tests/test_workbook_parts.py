"""workbook.xml and its relationships, parsed by expat's events, give what an ElementTree parse gives: sheets with
their parts and defined names with their text, for real workbooks and for the unusual forms writers use
(prefixes, comments, CDATA, references, nesting); a DOCTYPE or an entity declaration is refused."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError, fromstring

import pytest

from toolkit.workbook.opc import resolve_target
from toolkit.workbook.parts import DefinedName, _parsed, _Unparsable

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.xlsx"))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def by_element_tree(workbook: bytes, rels: bytes | None) -> tuple[object, object]:
    """The same two results from an ElementTree parse (the reader's earlier implementation)."""
    root = fromstring(workbook)
    targets: dict[str, str] = {}
    for rel in fromstring(rels) if rels is not None else []:
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External" and target:
            targets[rel.get("Id", "")] = resolve_target(target)
    sheets, names = [], []
    for element in root.iter():
        tag = element.tag
        if tag == "definedName" or tag.endswith("}definedName"):
            local = element.get("localSheetId")
            names.append(DefinedName(element.get("name", ""), (element.text or "").strip(),
                                     int(local) if local and local.isdecimal() else None))
        elif tag == "sheet" or tag.endswith("}sheet"):
            rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
            sheets.append((element.get("name", ""), element.get("state", "visible"), targets.get(rid)))
    return tuple(sheets), tuple(names)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_the_bundled_workbooks_parse_as_element_tree_parses_them(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        workbook, rels = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")
    sheets, names = _parsed(workbook, rels)
    assert (sheets, names) == by_element_tree(workbook, rels)
    assert sheets and names and all(part for _, _, part in sheets)


RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/>'
        b'<Relationship Id="rId3" Target="http://x" TargetMode="External"/>'
        b'<Other><Relationship Id="rId9" Target="deep.xml"/></Other></Relationships>')
UNUSUAL = {
    "prefixed": f'<x:workbook xmlns:x="{MAIN}" xmlns:r="{REL}"><x:sheets><x:sheet name="一" sheetId="1" r:id="rId1"/>'
                f'<x:sheet name="二" state="hidden" r:id="rId2"/></x:sheets><x:definedNames>'
                f'<x:definedName name="甲" localSheetId="1">\'一\'!$A$1</x:definedName></x:definedNames>'
                f'</x:workbook>',
    "comment and cdata": f'<workbook xmlns="{MAIN}"><!-- 备注 --><definedNames><definedName name="a">'
                         '<![CDATA[ 一!$B$2 ]]></definedName><definedName name="b">A<!-- x -->B</definedName>'
                         '</definedNames></workbook>',
    "references": f'<workbook xmlns="{MAIN}"><definedNames><definedName name="&amp;x">&#19968;&lt;&apos;a&apos;'
                  f'</definedName></definedNames></workbook>',
    "nested and tail": f'<workbook xmlns="{MAIN}"><definedName name="o"> head <definedName name="i">in</definedName>'
                       f' tail </definedName><sheet name="s" r:id="rId1" xmlns:r="{REL}"/></workbook>',
    "no namespace": '<workbook><sheets><sheet name="t" id="rId2"/></sheets><definedName name="n" localSheetId="x"'
                    '>v</definedName></workbook>',
    "utf-16": None,
}


@pytest.mark.parametrize("name", list(UNUSUAL))
def test_unusual_but_valid_forms_parse_as_element_tree_parses_them(name: str) -> None:
    text = UNUSUAL[name]
    if text is None:
        workbook = ('<?xml version="1.0" encoding="UTF-16"?>' + UNUSUAL["prefixed"]).encode("utf-16")
    else:
        workbook = text.encode()
    result = _parsed(workbook, RELS)
    assert result == by_element_tree(workbook, RELS)
    assert result[0] or result[1]


@pytest.mark.parametrize("text", [
    '<!DOCTYPE workbook [<!ENTITY a "aaaa">]><workbook><definedName name="x">&a;</definedName></workbook>',
    '<!DOCTYPE workbook><workbook/>',
    '<workbook><definedName name="x">&undefined;</definedName></workbook>',
    '<workbook><sheet name="a"/>', '', '<workbook/><extra/>',
    '<?xml version="1.0" encoding="no-such-encoding"?><workbook/>',
], ids=["entity", "doctype", "undefined entity", "unclosed", "empty", "two roots", "unknown encoding"])
def test_a_dtd_an_entity_and_broken_xml_are_refused(text: str) -> None:
    with pytest.raises(_Unparsable):
        _parsed(text.encode(), None)
    if "DOCTYPE" not in text:  # ElementTree refuses these too
        with pytest.raises((ParseError, LookupError, ValueError)):
            by_element_tree(text.encode(), None)
