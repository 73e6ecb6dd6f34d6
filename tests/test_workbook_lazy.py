"""The lazy gate of a check without a copy: every part is listed and size-checked, only the parts read are
unpacked and scanned (a worksheet just before calamine reads it), and calamine opens the checked bytes once."""

from __future__ import annotations

import ast
import shutil
import zipfile
from pathlib import Path

import pytest

from toolkit import api
from toolkit.errors import HostileWorkbookError
from toolkit.workbook.safety import open_package

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "示例区民政局2026年报.xlsx"
BOMB = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
PACKAGE = Path(__file__).resolve().parents[1] / "toolkit" / "workbook"


def _with_part(tmp_path: Path, name: str, data: bytes) -> Path:
    """The example workbook with part ``name`` replaced (or added) by ``data``."""
    out = tmp_path / "wb.xlsx"
    with zipfile.ZipFile(EXAMPLE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == name else zin.read(info.filename))
        if name not in zin.namelist():
            zout.writestr(name, data)
    return out


def _sheet_part(sheet: str) -> str:
    package = open_package(EXAMPLE)
    from toolkit.workbook.parts import parse_workbook

    entry = parse_workbook(package).sheet(sheet)
    assert entry is not None and entry.part is not None
    return entry.part


def test_lazy_open_unpacks_only_what_calamine_reads_at_open() -> None:
    """Opened lazily, the example's worksheets and docProps stay packed; structure, strings and styles are scanned."""
    package = open_package(EXAMPLE, lazy=True)
    assert {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
            "xl/styles.xml"} <= package.scanned
    assert not {n for n in package.scanned if n.startswith(("xl/worksheets/", "docProps/"))}
    assert open_package(EXAMPLE).scanned >= {n for n in package.infos if n.endswith((".xml", ".rels"))}


def test_a_part_nothing_reads_is_not_unpacked_but_a_full_open_refuses_it(tmp_path: Path) -> None:
    """A DTD in a part no parser reads: the lazy check reads the workbook, the full gate (for the copy) refuses it."""
    path = _with_part(tmp_path, "docProps/custom.xml", BOMB)
    assert api.check_file(path, annotate=False).exit_code in (0, 1)
    with pytest.raises(HostileWorkbookError):
        open_package(path)


def test_a_worksheet_read_by_the_check_is_scanned_before_calamine_reads_it(tmp_path: Path) -> None:
    """A DTD in a sheet the check reads is refused, lazily too, with the same message as the full gate."""
    part = _sheet_part("三 依申请公开")
    with zipfile.ZipFile(EXAMPLE) as z:
        xml = z.read(part)
    path = _with_part(tmp_path, part, xml.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet', 1))
    with pytest.raises(HostileWorkbookError) as lazy:
        api.check_file(path, annotate=False)
    with pytest.raises(HostileWorkbookError) as full:
        open_package(path)
    assert lazy.value.message == full.value.message and "DOCTYPE" in lazy.value.message


def test_a_check_opens_calamine_once_on_the_checked_bytes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """check_file without a copy: one calamine open, from the bytes the gate checked, never from the path."""
    import python_calamine

    opened: list[str] = []
    real = python_calamine.CalamineWorkbook.from_filelike

    def from_filelike(filelike: object) -> object:
        opened.append("bytes")
        return real(filelike)

    def from_path(path: object) -> object:
        raise AssertionError(f"calamine opened {path} from disk")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", from_filelike)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", from_path)
    path = tmp_path / EXAMPLE.name
    shutil.copyfile(EXAMPLE, path)
    api.check_file(path, annotate=False)
    assert opened == ["bytes"]


def _imports(module: Path) -> set[str]:
    """The toolkit.workbook modules ``module`` imports anywhere (lazy imports in functions included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("toolkit.workbook."):
            found.add(node.module.rsplit(".", 1)[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.rsplit(".", 1)[1] for a in node.names if a.name.startswith("toolkit.workbook.")}
    return found


def test_no_import_cycle_within_the_workbook_package() -> None:
    """Among toolkit.workbook's modules (lazy imports included) no module imports itself back."""
    graph = {p.stem: _imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or reaches(nxt, goal, seen | {nxt}) for nxt in graph.get(start, set()) - seen)

    assert [m for m in graph if reaches(m, m, set())] == []
