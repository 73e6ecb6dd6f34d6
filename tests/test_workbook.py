"""Reading workbooks: template markers (defined names), hand-made layouts (labels), formulas without results."""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from readerkit import write_label_workbook, write_marker_workbook
from support import in_ci, run_toolkit, uno_edit_script

from toolkit.data import LabelSeen, Location, ReportData, ValueStatus
from toolkit.errors import LayoutError, NotAWorkbookError, ToolkitError, UnknownFormatError
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.spec.models import CellKind
from toolkit.template import build_template
from toolkit.workbook import read_workbook
from toolkit.workbook.a1 import a1
from toolkit.workbook.marker import MARKER_SHEET, cell_name

FORMATS = ("2019", "2021")


def numbers(data: ReportData) -> dict[str, object]:
    """Cell key → value."""
    return {k: v.value for k, v in data.values.items()}


def sample(fid: str, seed: int = 1) -> ReportData:
    return sample_report(load_spec(fid), seed)


def openpyxl_resave(src: Path, dst: Path) -> Path:
    """Load and save with openpyxl: formulas lose their cached results (as the annotate copy does)."""
    wb = openpyxl.load_workbook(src)
    wb.save(dst)
    return dst


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fid", FORMATS)
def test_marker_workbook_reads_every_value(tmp_path: Path, fid: str) -> None:
    """A workbook with the template's marker is read by names: every cell, info field and text, with locations."""
    spec, data = load_spec(fid), sample(fid)
    cells = write_marker_workbook(tmp_path / "a.xlsx", spec, data)
    got = read_workbook(tmp_path / "a.xlsx")
    assert (got.format_id, got.read_mode, got.source) == (fid, "names", tmp_path / "a.xlsx")
    assert numbers(got) == numbers(data)
    assert list(got.values) == list(spec.cells)
    assert got.info == data.info
    assert {k: v.text for k, v in got.texts.items()} == {k: v.text for k, v in data.texts.items()}
    key = "s3.new_received.natural"
    sheet, row, col = cells[key]
    assert got.values[key].location == Location(sheet, a1(row, col))
    assert got.values[key].status is ValueStatus.OK
    assert got.info_locations["organ"] == Location("基本信息", "B2")
    assert all(t.location is not None and t.present for t in got.texts.values())


def _at(cell: tuple[str, int, int], *, sheet: str | None = None, down: int = 0) -> Location:
    """The Location of a (sheet, row, col) cell, on another sheet name or ``down`` rows lower."""
    name, row, col = cell
    return Location(sheet or name, a1(row + down, col))


def _moved_when_written(tmp_path: Path) -> tuple[Path, ReportData, dict[str, Location]]:
    """Written 7 rows lower on renamed sheets (full-width punctuation, an apostrophe, a space), names upper-case."""
    spec, data = load_spec("2021"), sample("2021", 4)
    renamed = {"s3": "三、依申请公开（修订）", "s4": "It's 四", "info": "基本 信息"}
    cells = write_marker_workbook(tmp_path / "moved.xlsx", spec, data, row_offset=7, sheet_names=renamed,
                                  name_case=str.upper)
    keys = ("s3.carried_forward.total", "s4.cases.review_total")
    return tmp_path / "moved.xlsx", data, {k: _at(cells[k]) for k in keys}


def _rows_inserted_by_openpyxl(tmp_path: Path) -> tuple[Path, ReportData, dict[str, Location]]:
    """Three rows inserted above 三, its names rewritten to the shifted cells (as Excel and WPS do)."""
    spec, data = load_spec("2019"), sample("2019", 5)
    cells = write_marker_workbook(tmp_path / "a.xlsx", spec, data)
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    ws = wb["三 依申请公开"]
    ws.insert_rows(1, 3)
    for dn in wb.defined_names.values():
        if "三 依申请公开" in dn.attr_text:
            sheet, ref = dn.attr_text.rsplit("!", 1)
            col, row = ref.split("$")[1:]
            dn.attr_text = f"{sheet}!${col}${int(row) + 3}"
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("=SUM("):
                cell.value = None  # openpyxl does not move formula references; keep the test about names
    wb.save(tmp_path / "b.xlsx")
    inputs = {k: v for k, v in data.values.items() if spec.cells[k].kind is CellKind.INPUT}
    return tmp_path / "b.xlsx", replace(data, values=inputs), {
        "s3.new_received.natural": _at(cells["s3.new_received.natural"], down=3),
        "s4.cases.review_total": _at(cells["s4.cases.review_total"])}


def _moved_in_libreoffice(tmp_path: Path) -> tuple[Path, ReportData, dict[str, Location]]:
    """Four rows really inserted above 三 and 四's sheet really renamed, in LibreOffice (through python3-uno)."""
    system_python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
    has_uno = system_python and subprocess.run([system_python, "-c", "import uno"], capture_output=True).returncode == 0
    if not has_uno:
        if in_ci():
            pytest.fail("CI=true, but LibreOffice's Python bridge (python3-uno) is not installed")
        pytest.skip("LibreOffice's Python bridge (python3-uno) is not installed")
    spec, data = load_spec("2019"), sample("2019", 12)
    cells = write_marker_workbook(tmp_path / "a.xlsx", spec, data)
    (tmp_path / "insert.py").write_text(_UNO_INSERT, encoding="utf-8")
    subprocess.run([str(system_python), str(tmp_path / "insert.py"), str(tmp_path / "a.xlsx"),
                    str(tmp_path / "b.xlsx"), "三 依申请公开", "1", "4", "四 复议诉讼", "四、复议诉讼情况"],
                   check=True, timeout=120)
    return tmp_path / "b.xlsx", data, {
        "s3.new_received.natural": _at(cells["s3.new_received.natural"], down=4),
        "s4.cases.review_total": _at(cells["s4.cases.review_total"], sheet="四、复议诉讼情况")}


@pytest.mark.parametrize("move", [
    _moved_when_written,
    _rows_inserted_by_openpyxl,
    pytest.param(_moved_in_libreoffice, marks=[pytest.mark.libreoffice, pytest.mark.slow]),
], ids=["written-moved", "openpyxl-inserted", "libreoffice-inserted-renamed"])
def test_names_follow_moved_cells(tmp_path: Path, move: Callable[[Path], tuple[Path, ReportData, dict[str, Location]]],
                                  ) -> None:
    """Cells moved by inserted rows and renamed sheets are read by their names, each value from where it went."""
    path, data, where = move(tmp_path)
    got = read_workbook(path)
    assert got.read_mode == "names"
    assert {k: got.values[k].value for k in data.values} == numbers(data)
    assert {k: got.values[k].location for k in where} == where
    assert got.info["organ"] == data.organ


def test_formulas_without_cached_results_are_recomputed(tmp_path: Path) -> None:
    """Totals saved without results (never opened in Excel/WPS) are recomputed from their parts: COMPUTED."""
    spec, data = load_spec("2021"), sample("2021", 2)
    write_marker_workbook(tmp_path / "u.xlsx", spec, data, cached=False)
    got = read_workbook(tmp_path / "u.xlsx")
    assert numbers(got) == numbers(data)
    for key, cell in spec.cells.items():
        cv = got.values[key]
        if cell.kind is CellKind.TOTAL:
            assert cv.status is ValueStatus.COMPUTED and cv.is_formula and cv.note, key
        else:
            assert cv.status is ValueStatus.OK, key


def test_blank_marker_workbook(tmp_path: Path) -> None:
    """A blank workbook: every input BLANK (a blank is not a zero), every total its cached 0, info empty."""
    spec = load_spec("2021")
    write_marker_workbook(tmp_path / "b.xlsx", spec, ReportData("2021"))
    got = read_workbook(tmp_path / "b.xlsx")
    for key, cell in spec.cells.items():
        expected = (None, ValueStatus.BLANK) if cell.kind is CellKind.INPUT else (0, ValueStatus.OK)
        assert (got.values[key].value, got.values[key].status) == expected, key
    assert got.organ == "" and got.year is None and got.text("s1") == ""
    assert got.texts["s1"].present


def test_openpyxl_saved_workbook(tmp_path: Path) -> None:
    """A workbook re-saved by openpyxl (no cached values, names and hidden sheet kept) reads the same numbers."""
    spec, data = load_spec("2019"), sample("2019", 3)
    write_marker_workbook(tmp_path / "a.xlsx", spec, data)
    got = read_workbook(openpyxl_resave(tmp_path / "a.xlsx", tmp_path / "b.xlsx"))
    assert got.read_mode == "names"
    assert numbers(got) == numbers(data)
    assert got.values["s3.total_processed.total"].status is ValueStatus.COMPUTED


def test_uncomputable_total_is_not_zero(tmp_path: Path) -> None:
    """An uncached total whose part is unreadable text is INVALID, never 0."""
    spec, data = load_spec("2021"), sample("2021")
    write_marker_workbook(tmp_path / "a.xlsx", spec, data, cached=False, raw={"s3.new_received.natural": "若干"})
    got = read_workbook(tmp_path / "a.xlsx")
    total = got.values["s3.new_received.total"]
    assert (total.value, total.status) == (None, ValueStatus.INVALID)
    assert got.values["s3.new_received.natural"].status is ValueStatus.INVALID


def test_what_clerks_type_is_normalised(tmp_path: Path) -> None:
    """Text, units, placeholders and blanks in cells get the values module's statuses and notes, raw kept."""
    spec, data = load_spec("2021"), sample("2021")
    raw = {"s3.new_received.natural": "3件", "s3.new_received.commercial": "１２", "s3.carried_over.natural": "/",
           "s3.granted.natural": None, "s2_20_8.fees.fee_amount": "1.5万元", "s3.partial.natural": "=A1+1"}
    write_marker_workbook(tmp_path / "a.xlsx", spec, data, raw=raw)
    got = read_workbook(tmp_path / "a.xlsx").values
    assert (got["s3.new_received.natural"].value, got["s3.new_received.natural"].raw) == (3, "3件")
    assert got["s3.new_received.natural"].note == "去掉单位“件”"
    assert got["s3.new_received.commercial"].value == 12
    assert got["s3.carried_over.natural"].status is ValueStatus.PLACEHOLDER
    assert got["s3.granted.natural"].status is ValueStatus.BLANK
    assert got["s2_20_8.fees.fee_amount"].value == 1.5
    formula_input = got["s3.partial.natural"]
    assert (formula_input.status, formula_input.is_formula, formula_input.raw) == (ValueStatus.INVALID, True, "=A1+1")


def test_excel_error_cells(tmp_path: Path) -> None:
    """Cells holding Excel errors (stored as error cells, which calamine reads as empty) are EXCEL_ERROR."""
    spec, data = load_spec("2021"), sample("2021")
    write_marker_workbook(tmp_path / "a.xlsx", spec, data)
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    wb["三 依申请公开"]["C4"] = "#REF!"
    wb.save(tmp_path / "b.xlsx")
    got = read_workbook(tmp_path / "b.xlsx")
    cv = got.values["s3.new_received.natural"]
    assert (cv.status, cv.raw, cv.location) == (ValueStatus.EXCEL_ERROR, "#REF!", Location("三 依申请公开", "C4"))
    assert got.values["s3.new_received.total"].status is ValueStatus.INVALID


def test_unknown_format_marker(tmp_path: Path) -> None:
    """A marker naming a format the toolkit does not know is an UnknownFormatError naming the file."""
    spec, data = load_spec("2021"), sample("2021")
    write_marker_workbook(tmp_path / "a.xlsx", spec, data, format_marker="2030")
    with pytest.raises(UnknownFormatError) as info:
        read_workbook(tmp_path / "a.xlsx")
    assert "2030" in info.value.message and info.value.path == tmp_path / "a.xlsx"


def test_format_argument_overrides_the_marker(tmp_path: Path) -> None:
    """format_id wins over the marker; an unknown format_id is refused."""
    spec, data = load_spec("2021"), sample("2021")
    write_marker_workbook(tmp_path / "a.xlsx", spec, data, format_marker="2030")
    assert numbers(read_workbook(tmp_path / "a.xlsx", format_id="2021")) == numbers(data)
    with pytest.raises(UnknownFormatError):
        read_workbook(tmp_path / "a.xlsx", format_id="1999")


def test_name_to_deleted_sheet_leaves_the_cell_absent(tmp_path: Path) -> None:
    """A name whose sheet was deleted (#REF!) or points nowhere: its cell is simply absent."""
    spec, data = load_spec("2021"), sample("2021")
    write_marker_workbook(tmp_path / "a.xlsx", spec, data)
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    wb.defined_names[cell_name("s4.cases.review_total")].attr_text = "#REF!"
    wb.defined_names[cell_name("s4.cases.review_other")].attr_text = "'不存在'!$A$1"
    wb.save(tmp_path / "b.xlsx")
    got = read_workbook(tmp_path / "b.xlsx")
    assert "s4.cases.review_total" not in got.values and "s4.cases.review_other" not in got.values
    assert got.values["s4.cases.review_maintained"].value == data.values["s4.cases.review_maintained"].value


def test_reading_never_modifies_the_file(tmp_path: Path) -> None:
    """The workbook's bytes and timestamp are unchanged after reading."""
    write_marker_workbook(tmp_path / "a.xlsx", load_spec("2021"), sample("2021"))
    before = (hashlib.sha256((tmp_path / "a.xlsx").read_bytes()).digest(), (tmp_path / "a.xlsx").stat().st_mtime_ns)
    read_workbook(tmp_path / "a.xlsx")
    after = (hashlib.sha256((tmp_path / "a.xlsx").read_bytes()).digest(), (tmp_path / "a.xlsx").stat().st_mtime_ns)
    assert before == after


# --- labels -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fid", FORMATS)
@pytest.mark.parametrize("one_sheet", [False, True])
def test_hand_made_tables_are_read_by_labels(tmp_path: Path, fid: str, one_sheet: bool) -> None:
    """The official tables laid out by hand (merged labels, one or several sheets) are found and read."""
    spec, data = load_spec(fid), sample(fid, 6)
    cells = write_label_workbook(tmp_path / "h.xlsx", spec, numbers(data), one_sheet=one_sheet,  # type: ignore[arg-type]
                                 info=data.info, texts={k: v.text for k, v in data.texts.items()})
    got = read_workbook(tmp_path / "h.xlsx")
    assert (got.format_id, got.read_mode) == (fid, "labels")
    assert numbers(got) == numbers(data)
    sheet, row, col = cells["s3.carried_forward.total"]
    assert got.values["s3.carried_forward.total"].location == Location(sheet, a1(row, col))
    assert got.labels == []
    assert (got.info["organ"], got.info["year"]) == (data.organ, data.info["year"])
    assert {k: v.text for k, v in got.texts.items()} == {k: v.text for k, v in data.texts.items()}


def test_label_variants_are_matched_and_recorded(tmp_path: Path) -> None:
    """Line breaks, ASCII punctuation, a dropped note and a shortened label are matched; real variants recorded."""
    spec, data = load_spec("2019"), sample("2019", 8)
    variants = {
        "对外公开总数量": "对外公开总数",
        "一、本年新收政府信息公开申请数量": "一、本年新收政府信息\n公开申请数量",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "(二)部分公开",
        "（一）予以公开": "(一) 予以公开",
        "本年增/减": "本年增／减",
        "其他对外管理服务事项": "其他对外管理服务",
    }
    write_label_workbook(tmp_path / "v.xlsx", spec, numbers(data), variants=variants)  # type: ignore[arg-type]
    got = read_workbook(tmp_path / "v.xlsx")
    assert got.format_id == "2019"
    assert numbers(got) == numbers(data)
    seen = {(s.official, s.found) for s in got.labels}
    assert ("对外公开总数量", "对外公开总数") in seen
    assert ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "(二)部分公开") in seen
    assert ("其他对外管理服务事项", "其他对外管理服务") in seen
    assert not any("本年新收" in official or "予以公开" in official or "增" in official for official, _ in seen)
    assert all(isinstance(s, LabelSeen) and s.location is not None for s in got.labels)


def test_numbers_typed_as_text_in_hand_made_tables(tmp_path: Path) -> None:
    """A hand-made table's "3件" and "/" are normalised like anywhere else."""
    spec, data = load_spec("2021"), sample("2021")
    values: dict[str, object] = numbers(data)
    values["s3.new_received.natural"] = f"{values['s3.new_received.natural']}件"
    values["s4.cases.review_pending"] = "/"
    write_label_workbook(tmp_path / "t.xlsx", spec, values)  # type: ignore[arg-type]
    got = read_workbook(tmp_path / "t.xlsx").values
    assert got["s3.new_received.natural"].status is ValueStatus.NORMALISED
    assert got["s3.new_received.natural"].value == data.values["s3.new_received.natural"].value
    assert got["s4.cases.review_pending"].status is ValueStatus.PLACEHOLDER


def test_partial_layout_leaves_missing_cells_absent(tmp_path: Path) -> None:
    """Only table 三 present: its cells are read, the others are absent (the engine reports them)."""
    spec, data = load_spec("2021"), sample("2021")
    only_s3 = {k: v for k, v in numbers(data).items() if k.startswith("s3.")}
    write_label_workbook(tmp_path / "p.xlsx", spec, only_s3, tables={"s3"})  # type: ignore[arg-type]
    got = read_workbook(tmp_path / "p.xlsx", format_id="2021")
    assert set(got.values) == {k for k in spec.cells if k.startswith("s3.")}
    assert numbers(got) == only_s3


def test_format_told_by_year_when_labels_do_not(tmp_path: Path) -> None:
    """Only 三 and 四 (printed alike in 2019 and 2020) and a 2020 title: the 2019 format."""
    spec, data = load_spec("2019"), sample("2019")
    only = {k: v for k, v in numbers(data).items() if k.startswith(("s3.", "s4."))}
    write_label_workbook(tmp_path / "y.xlsx", spec, only, info={"organ": "某局", "year": "2020"},  # type: ignore[arg-type]
                         tables={"s3", "s4"})
    got = read_workbook(tmp_path / "y.xlsx")
    assert (got.format_id, got.year, got.organ) == ("2019", 2020, "某局")


def test_no_table_found_is_a_layout_error(tmp_path: Path) -> None:
    """A workbook with no official table names the file and the missing tables."""
    wb = xlsxwriter.Workbook(str(tmp_path / "其他.xlsx"))
    ws = wb.add_worksheet("Sheet1")
    ws.write("A1", "工资表")
    ws.write("B2", 3)
    wb.close()
    with pytest.raises(LayoutError) as info:
        read_workbook(tmp_path / "其他.xlsx")
    assert "未找到" in info.value.message and "“三、收到和处理政府信息公开申请情况”" in info.value.message
    assert "其他.xlsx" in str(info.value)


def test_not_a_workbook_is_refused_before_reading(tmp_path: Path) -> None:
    """The reader goes through the safety gate."""
    (tmp_path / "x.xlsx").write_text("不是工作簿", encoding="utf-8")
    with pytest.raises(NotAWorkbookError):
        read_workbook(tmp_path / "x.xlsx")


# --- the real template ------------------------------------------------------------------------------


@pytest.mark.parametrize("fid", FORMATS)
def test_real_template_round_trip(tmp_path: Path, fid: str) -> None:
    """A template filled by build_template(data=…) reads back every value, info field and text."""
    spec = load_spec(fid)
    for seed in (1, 2):
        data = sample_report(spec, seed)
        path = build_template(spec, tmp_path / f"t{seed}.xlsx", data=data)
        got = read_workbook(path)
        assert (got.format_id, got.read_mode) == (fid, "names")
        assert numbers(got) == numbers(data)
        assert {k: got.info.get(k) for k in ("organ", "year", "contact", "phone")} == {
            k: data.info[k] for k in ("organ", "year", "contact", "phone")}
        assert {k: v.text for k, v in got.texts.items()} == {k: v.text for k, v in data.texts.items()}


def test_real_template_blank_and_resaved(tmp_path: Path) -> None:
    """A blank template reads all inputs BLANK; re-saved by openpyxl, its totals are COMPUTED and correct."""
    spec, data = load_spec("2021"), sample_report(load_spec("2021"), 9)
    blank = read_workbook(build_template(spec, tmp_path / "b.xlsx"))
    assert all(blank.values[k].status is ValueStatus.BLANK for k, c in spec.cells.items() if c.kind is CellKind.INPUT)
    filled = build_template(spec, tmp_path / "f.xlsx", data=data)
    got = read_workbook(openpyxl_resave(filled, tmp_path / "r.xlsx"))
    assert numbers(got) == numbers(data)
    assert {got.values[k].status for k, c in spec.cells.items() if c.kind is CellKind.TOTAL} == {ValueStatus.COMPUTED}


def test_real_template_without_names_reads_by_labels(tmp_path: Path) -> None:
    """The template with its marker names removed is still read, by its printed labels."""
    spec, data = load_spec("2021"), sample_report(load_spec("2021"), 3)
    path = build_template(spec, tmp_path / "t.xlsx", data=data)
    wb = openpyxl.load_workbook(path)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    if MARKER_SHEET in wb.sheetnames:
        del wb[MARKER_SHEET]
    wb.save(tmp_path / "plain.xlsx")
    got = read_workbook(tmp_path / "plain.xlsx")
    assert (got.format_id, got.read_mode) == ("2021", "labels")
    assert numbers(got) == numbers(data)


def test_damaged_workbooks_never_leak_exceptions(tmp_path: Path) -> None:
    """Randomly damaged workbooks (bytes flipped, XML mangled) give a ToolkitError or data; `toolkit check` on one
    and on their folder (real processes) prints no traceback and gives every file its row."""
    spec, data = load_spec("2021"), sample("2021")
    write_marker_workbook(tmp_path / "m.xlsx", spec, data)
    write_label_workbook(tmp_path / "l.xlsx", spec, numbers(data))  # type: ignore[arg-type]
    rng = random.Random(2026)
    sources = [(tmp_path / "m.xlsx").read_bytes(), (tmp_path / "l.xlsx").read_bytes()]
    damaged_dir = tmp_path / "损坏"
    damaged_dir.mkdir()
    refused: list[Path] = []
    for i in range(120):
        blob = rng.choice(sources)
        if i % 2:
            damaged = bytearray(blob)
            for _ in range(rng.randint(1, 8)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            out = bytes(damaged)
        else:
            buf = io.BytesIO()
            with zipfile.ZipFile(io.BytesIO(blob)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
                victim = rng.choice([n for n in zin.namelist() if n.endswith(".xml")])
                for name in zin.namelist():
                    part = bytearray(zin.read(name))
                    if name == victim:
                        for _ in range(rng.randint(1, 4)):
                            pos = rng.randrange(len(part))
                            junk = rng.choice([b"<", b'"', b"</row>", b"&", b'<c r="Q9">'])
                            part[pos : pos + rng.randint(0, 30)] = junk
                    zout.writestr(name, bytes(part))
            out = buf.getvalue()
        path = damaged_dir / f"d{i:03d}.xlsx"
        path.write_bytes(out)
        try:
            read_workbook(path)
        except ToolkitError as exc:
            assert path.name in str(exc)
            refused.append(path)
    one = run_toolkit("check", str(refused[0]), "--no-annotate")
    assert one.returncode == 2 and "Traceback" not in one.stdout + one.stderr
    assert len(one.stderr.strip().splitlines()) == 1 and refused[0].name in one.stderr
    folder = run_toolkit("check", str(damaged_dir), "--no-annotate", "--json", "--summary", str(tmp_path / "汇总.xlsx"))
    assert folder.returncode in (0, 1, 2) and "Traceback" not in folder.stdout + folder.stderr
    rows = json.loads(folder.stdout)
    assert [r["file"] for r in rows] == [str(damaged_dir / f"d{i:03d}.xlsx") for i in range(120)]
    assert {Path(r["file"]).name for r in rows if r.get("key")} == {p.name for p in refused}


# --- LibreOffice ------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_workbook_saved_by_libreoffice(tmp_path: Path) -> None:
    """Opened and saved by LibreOffice (names rewritten unquoted, totals recalculated): read the same."""
    from toolkit.office import convert

    spec, data = load_spec("2021"), sample("2021", 11)
    (tmp_path / "in").mkdir()
    write_marker_workbook(tmp_path / "in" / "a.xlsx", spec, data, cached=False)
    (saved,) = convert([tmp_path / "in" / "a.xlsx"], "xlsx", tmp_path / "out")
    got = read_workbook(saved)
    assert (got.read_mode, got.format_id) == ("names", "2021")
    assert numbers(got) == numbers(data)
    assert {v.status for v in got.values.values()} == {ValueStatus.OK}


_UNO_INSERT = uno_edit_script(
    'src, dst, sheet_name, at, count, old, new = sys.argv[1:8]',
    """
    doc.Sheets.getByName(sheet_name).Rows.insertByIndex(int(at), int(count))
    doc.Sheets.getByName(old).Name = new
""",
)


def test_names_left_pointing_at_a_renamed_sheet_fall_back_to_labels(tmp_path: Path) -> None:
    """A sheet renamed by a program that does not update names: its cells are found by their printed labels."""
    from toolkit.template import build_template

    spec, data = load_spec("2021"), sample("2021", 21)
    path = build_template(spec, tmp_path / "t.xlsx", data=data)
    renamed = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(renamed, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            part = zin.read(name)
            if name == "xl/workbook.xml":  # the sheet's name changes, the defined names keep the old one
                part = part.replace('name="三 依申请公开"'.encode(), 'name="依申请公开表"'.encode())
            zout.writestr(name, part)
    got = read_workbook(renamed)
    assert numbers(got) == numbers(data)
    assert got.values["s3.new_received.natural"].location.sheet == "依申请公开表"  # type: ignore[union-attr]


def test_units_sharing_defined_names_fold_them_once_and_each_gets_its_own_cells(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The marker names of one tuple of defined names are worked out once for all the units that share it; each
    unit's located cells are its own copy, so a name found again by its label in one unit (a renamed sheet) leaves
    the next unit's cells as they were."""
    from toolkit.workbook import by_names, parts

    spec = load_spec("2021")
    first, second = (build_template(spec, tmp_path / f"{seed}.xlsx", data=sample("2021", seed)) for seed in (1, 2))
    renamed = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(first) as zin, zipfile.ZipFile(renamed, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            part = zin.read(name)
            if name == "xl/workbook.xml":
                part = part.replace('name="三 依申请公开"'.encode(), 'name="依申请公开表"'.encode())
            zout.writestr(name, part)
    parts._parsed.cache_clear()
    by_names._SHARED.clear()
    calls: list[object] = []
    real = by_names.marker_names
    monkeypatch.setattr(by_names, "marker_names", lambda names: calls.append(names) or real(names))
    assert numbers(read_workbook(first)) == numbers(sample("2021", 1))
    assert numbers(read_workbook(second)) == numbers(sample("2021", 2))
    assert len(calls) == 1
    for _ in range(2):  # the second read of the renamed unit starts from the shared cells, untouched by the first
        got = read_workbook(renamed)
        assert numbers(got) == numbers(sample("2021", 1))
        assert got.values["s3.new_received.natural"].location.sheet == "依申请公开表"  # type: ignore[union-attr]
    assert len(calls) == 2
    assert all(loc.sheet != "依申请公开表" for shared in by_names._SHARED.values()
               for cells in shared.cells.values() for loc in cells.values())


def test_units_sharing_a_workbook_xml_parse_it_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two units filled in one template share workbook.xml and its relationships byte for byte: they are parsed
    once, and each unit still reads its own figures."""
    from toolkit.workbook import parts
    from toolkit.workbook.safety import open_package

    first, second = (build_template(load_spec("2021"), tmp_path / f"{seed}.xlsx", data=sample("2021", seed))
                     for seed in (1, 2))
    parts._parsed.cache_clear()
    calls: list[str] = []
    real_parse = parts._parse
    monkeypatch.setattr(parts, "_parse", lambda data, part, *handlers: calls.append(part) or real_parse(data, part,
                                                                                                   *handlers))
    one, two = (parts.parse_workbook(open_package(p, lazy=True)) for p in (first, second))
    assert sorted(calls) == sorted([parts.WORKBOOK_PART, parts.WORKBOOK_RELS]) and one == two
    assert numbers(read_workbook(first)) == numbers(sample("2021", 1))
    assert numbers(read_workbook(second)) == numbers(sample("2021", 2))
