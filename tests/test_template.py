"""The standard workbook: official labels, locked and unlocked cells, validation, live checks that agree with
the Python engine (LibreOffice recalculates), print setup, reproducible output and the committed blank templates."""

from __future__ import annotations

import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from xlsxcompare import xlsx_differences

from toolkit.data import CellValue, ReportData, TextValue, ValueStatus
from toolkit.rules.linear import linear_checks
from toolkit.sample import sample_report
from toolkit.spec import CellKind, ValueKind, load_spec
from toolkit.template import (
    CHECK_RESULT_COLUMN,
    CHECKS_FIRST_ROW,
    FAIL,
    PASS,
    blank_template_name,
    build_template,
    regenerate,
)
from toolkit.template.layout import cell_positions, sheet_layouts
from toolkit.workbook import read_workbook
from toolkit.workbook.a1 import absolute, column_number
from toolkit.workbook.marker import FORMAT_NAME, MARKER_SHEET, cell_name, folded, info_name, text_name

FORMATS = ("2019", "2021")
TEMPLATES = Path(__file__).resolve().parents[1] / "workbook_templates"


def _grid(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _at(grid: list[list[object]], row: int, col: int) -> object:
    return grid[row][col] if row < len(grid) and col < len(grid[row]) else ""


@pytest.mark.parametrize("fid", FORMATS)
def test_every_official_label_is_printed_character_for_character(tmp_path: Path, fid: str) -> None:
    """Each table sheet shows the section title, every caption, header, row and column label of the spec
    (a header may carry line breaks between words, so that every application wraps it alike)."""
    spec = load_spec(fid)
    path = build_template(spec, tmp_path / "t.xlsx")
    for layout in sheet_layouts(spec).values():
        texts = {str(v).replace("\n", "") for row in _grid(path, layout.name) for v in row if v != ""}
        assert layout.title.text in texts
        for block in layout.blocks:
            table = block.table
            expected = {table.caption, table.row_header, table.note, table.column_group_header}
            expected |= {c.label for c in table.columns}
            if not table.column_groups:  # 四's column groups are paths (行政诉讼/复议后起诉), printed level by level
                expected |= {c.group for c in table.columns}
            expected |= {r.label for r in table.rows}
            expected |= {g.label for g in table.column_groups} | {s.label for g in table.column_groups
                                                                 for s in g.subgroups}
            assert {e for e in expected if e} <= texts, table.id


def test_nankou_2020_is_drawn_in_the_2019_format_with_its_official_labels(tmp_path: Path) -> None:
    """A 2020 template uses the 2019 format: 对外公开总数量 (not the seed's 对外公开总数) and 政府集中采购."""
    out = build_template(load_spec("2019"), tmp_path / "南口镇2020年报.xlsx", organ="南口镇", year=2020)
    texts = {str(v) for row in _grid(out, "二 主动公开") for v in row}
    assert {"对外公开总数量", "政府集中采购", "采购总金额", "本年增/减"} <= texts
    assert "对外公开总数" not in texts
    data = read_workbook(out)
    assert (data.organ, data.year, data.format_id) == ("南口镇", 2020, "2019")


@pytest.mark.parametrize("fid", FORMATS)
def test_inputs_unlocked_labels_and_totals_locked_under_passwordless_protection(tmp_path: Path, fid: str) -> None:
    """Sheets are protected without a password; input cells are unlocked, labels and total formulas locked."""
    spec = load_spec(fid)
    wb = load_workbook(build_template(spec, tmp_path / "t.xlsx"))
    for name in spec.sheets.values():
        assert wb[name].protection.sheet and not wb[name].protection.password, name
    for key, (sheet, row, col) in cell_positions(spec).items():
        cell = wb[sheet].cell(row + 1, col + 1)
        if spec.cells[key].kind is CellKind.TOTAL:
            assert cell.protection.locked and str(cell.value).startswith("=SUM("), key
        else:
            assert not cell.protection.locked and cell.value is None, key
    for layout in sheet_layouts(spec).values():
        for block in layout.blocks:
            for box in block.boxes:
                assert wb[layout.name].cell(box.row + 1, box.col + 1).protection.locked


@pytest.mark.parametrize("fid", FORMATS)
def test_every_input_has_validation_for_its_value_kind(tmp_path: Path, fid: str) -> None:
    """Counts: whole numbers ≥ 0; 本年增/减: whole numbers of either sign; amounts: decimals ≥ 0; each with a prompt."""
    spec = load_spec(fid)
    wb = load_workbook(build_template(spec, tmp_path / "t.xlsx"))
    rules: dict[tuple[str, str], object] = {}
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                    for cell in row:
                        rules[(ws.title, cell.coordinate)] = dv
    expected = {ValueKind.COUNT: ("whole", "greaterThanOrEqual"), ValueKind.SIGNED_COUNT: ("whole", "between"),
                ValueKind.AMOUNT: ("decimal", "greaterThanOrEqual")}
    for key, (sheet, row, col) in cell_positions(spec).items():
        cell = spec.cells[key]
        if cell.kind is not CellKind.INPUT:
            continue
        dv = rules[(sheet, wb[sheet].cell(row + 1, col + 1).coordinate)]
        assert (dv.type, dv.operator or "between") == expected[cell.value], key  # type: ignore[attr-defined]
        assert dv.prompt and dv.showInputMessage, key  # type: ignore[attr-defined]
        if cell.value is not ValueKind.SIGNED_COUNT:
            assert dv.formula1 == "0", key  # type: ignore[attr-defined]
    assert any(k == ValueKind.SIGNED_COUNT for k in (c.value for c in spec.cells.values())) == (fid == "2019")


_REF = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)")


def _formula_at(formula: str, anchor: tuple[int, int], cell: tuple[int, int]) -> str:
    """A conditional format's formula as Excel evaluates it at ``cell`` (relative parts moved from ``anchor``),
    written with absolute references."""

    def move(m: re.Match[str]) -> str:
        col = column_number(m.group(2)) - 1 + (0 if m.group(1) else cell[1] - anchor[1])
        row = int(m.group(4)) - 1 + (0 if m.group(3) else cell[0] - anchor[0])
        return absolute(row, col)

    return _REF.sub(move, formula)


@pytest.mark.parametrize("fid", FORMATS)
def test_conditional_formats_are_the_engines_linear_checks(tmp_path: Path, fid: str) -> None:
    """On every cell of every linear check, a conditional format evaluates exactly that check's Excel form."""
    spec = load_spec(fid)
    wb = load_workbook(build_template(spec, tmp_path / "t.xlsx"))
    at_cell: dict[tuple[str, int, int], set[str]] = {}
    for ws in wb.worksheets:
        for cf in ws.conditional_formatting:
            # Relative references count from the top-left corner of the ranges (openpyxl keeps them unordered).
            anchor = (min(r.min_row for r in cf.sqref.ranges) - 1, min(r.min_col for r in cf.sqref.ranges) - 1)
            for rng in cf.sqref.ranges:
                for row in range(rng.min_row - 1, rng.max_row):
                    for col in range(rng.min_col - 1, rng.max_col):
                        for rule in cf.rules:
                            at_cell.setdefault((ws.title, row, col), set()).add(
                                _formula_at(rule.formula[0], anchor, (row, col)))
    positions = cell_positions(spec)

    def same_sheet(key: str) -> str:
        _, row, col = positions[key]
        return absolute(row, col)

    wanted: dict[tuple[str, int, int], set[str]] = {}
    for check in linear_checks(spec):
        expected = check.excel_fail(same_sheet)
        for key in check.cells:
            wanted.setdefault(positions[key], set()).add(expected)
    sums = {at: {f for f in formulas if f.startswith(("ABS(", "SUM("))} for at, formulas in at_cell.items()}
    assert {at: f for at, f in sums.items() if f} == wanted  # each check on each of its cells, and no stray sum
    rules = sum(len(cf.rules) for ws in wb.worksheets for cf in ws.conditional_formatting)
    assert rules < len(linear_checks(spec))  # instances of one rule share a format


@pytest.mark.parametrize("fid", FORMATS)
def test_cached_results_are_the_true_values(tmp_path: Path, fid: str) -> None:
    """Without recalculation (as WPS may show it), totals and the 校验 sheet already show the right results."""
    spec = load_spec(fid)
    data = sample_report(spec, 5)
    broken = _inputs_only(data.with_value("s3.new_received.natural", data.number("s3.new_received.natural") + 2))
    path = build_template(spec, tmp_path / "t.xlsx", data=broken)
    for key, (sheet, row, col) in cell_positions(spec).items():
        if spec.cells[key].kind is CellKind.TOTAL:
            expected = _sum(spec, broken, key)
            assert float(_at(_grid(path, sheet), row, col)) == pytest.approx(expected), key  # type: ignore[arg-type]
    results = _check_results(path, spec)
    checks = linear_checks(spec)
    computed = ReportData.from_numbers(spec.id, {k: _sum(spec, broken, k) for k in spec.cells})
    assert [r == PASS for r in results] == [c.passes(computed) for c in checks]
    assert FAIL in results


def _inputs_only(data: ReportData) -> ReportData:
    """The data without its totals, so that the template writes every total as a formula."""
    spec = load_spec(data.format_id)
    keep = {k: v for k, v in data.values.items() if spec.cells[k].kind is CellKind.INPUT}
    return ReportData(data.format_id, data.info, keep, data.texts)


def _sum(spec: object, data: ReportData, key: str) -> float:
    """A total as the formulas compute it: the sum of its parts, totals among them computed likewise."""
    cell = spec.cells[key]  # type: ignore[attr-defined]
    if cell.kind is not CellKind.TOTAL:
        return data.number(key)
    return sum(_sum(spec, data, p) for p in cell.sum_of)


def _check_results(path: Path, spec: object) -> list[object]:
    grid = _grid(path, spec.sheets["checks"])  # type: ignore[attr-defined]
    n = len(linear_checks(spec))  # type: ignore[arg-type]
    return [_at(grid, CHECKS_FIRST_ROW + i, CHECK_RESULT_COLUMN) for i in range(n)]


def test_typed_over_total_is_kept_as_typed(tmp_path: Path) -> None:
    """A total in the data that disagrees with its parts is written as that number, so the check sees it."""
    spec = load_spec("2021")
    data = sample_report(spec, 6)
    wrong = data.number("s3.granted.total") + 1
    path = build_template(spec, tmp_path / "t.xlsx", data=data.with_value("s3.granted.total", wrong))
    got = read_workbook(path)
    assert got.values["s3.granted.total"].value == wrong and not got.values["s3.granted.total"].is_formula


def _random_data(spec: object, rng: random.Random) -> ReportData:
    """Sample data with a few inputs disturbed (so some checks fail) and a few left blank."""
    data = sample_report(spec, rng.randrange(10_000))  # type: ignore[arg-type]
    inputs = [k for k, c in spec.cells.items() if c.kind is CellKind.INPUT]  # type: ignore[attr-defined]
    for key in rng.sample(inputs, rng.randint(0, 4)):
        data = data.with_value(key, data.number(key) + rng.choice([-3, -1, 1, 2, 7]))
    for key in rng.sample(inputs, rng.randint(0, 2)):
        data = data.with_value(key, None)
    return _inputs_only(data)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_recalculation_agrees_with_the_engine(tmp_path: Path) -> None:
    """Random workbooks recalculated by LibreOffice: every total and every 校验 result equals the Python engine's."""
    from toolkit.office import convert

    rng = random.Random(2026)
    cases: list[tuple[str, ReportData, Path]] = []
    (tmp_path / "in").mkdir()
    for i in range(12):
        spec = load_spec(FORMATS[i % 2])
        data = _random_data(spec, rng)
        path = build_template(spec, tmp_path / "in" / f"w{i:02d}.xlsx", data=data)
        # Change an input with openpyxl, which saves every formula without a cached result: whatever the
        # workbook shows afterwards, LibreOffice computed.
        key = rng.choice([k for k, c in spec.cells.items() if c.kind is CellKind.INPUT and k.startswith("s3.")])
        sheet, row, col = cell_positions(spec)[key]
        wb = load_workbook(path)
        wb[sheet].cell(row + 1, col + 1).value = data.number(key) + 5
        wb.save(path)
        cases.append((spec.id, data.with_value(key, data.number(key) + 5), path))
    recalculated = convert([p for _, _, p in cases], "xlsx", tmp_path / "out")
    failing = 0
    for (fid, data, _), path in zip(cases, recalculated, strict=True):
        spec = load_spec(fid)
        got = read_workbook(path)
        for key, cell in spec.cells.items():
            if cell.kind is CellKind.TOTAL:
                assert got.number(key) == pytest.approx(_sum(spec, data, key)), (path, key)
        results = _check_results(path, spec)
        engine = [c.passes(got) for c in linear_checks(spec)]
        assert [r == PASS for r in results] == engine, path.name
        assert set(results) <= {PASS, FAIL}
        failing += engine.count(False)
    assert failing > 0


@pytest.mark.parametrize("fid", FORMATS)
def test_print_setup_is_a4_at_an_explicit_scale_with_repeated_headers(tmp_path: Path, fid: str) -> None:
    """A4 paper at an explicit scale (no fit-to-width, which LibreOffice ignores); 三 and 四 landscape with their
    header rows repeated and panes frozen."""
    spec = load_spec(fid)
    wb = load_workbook(build_template(spec, tmp_path / "t.xlsx"))
    for name in spec.sheets.values():
        ws = wb[name]
        assert ws.page_setup.paperSize in (9, "9") and not ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert 60 <= int(ws.page_setup.scale or 100) <= 100, name
    for key in ("s3", "s4"):
        ws = wb[spec.sheets[key]]
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows and ws.freeze_panes
    fonts = {c.font.name for row in wb[spec.sheets["s3"]].iter_rows() for c in row if c.value is not None}
    assert fonts == {"宋体"}


@pytest.mark.parametrize("fid", FORMATS)
def test_marker_and_names_point_at_every_cell(tmp_path: Path, fid: str) -> None:
    """GK.format names 基本信息's 格式 cell, which holds the format id (no marker sheet to show up or print after a
    Gnumeric save); a GK.* name points at every cell, info field and text."""
    spec = load_spec(fid)
    wb = load_workbook(build_template(spec, tmp_path / "t.xlsx"))
    assert MARKER_SHEET not in wb.sheetnames and all(ws.sheet_state == "visible" for ws in wb.worksheets)
    sheet, cell = next(iter(wb.defined_names[FORMAT_NAME].destinations))
    assert wb[sheet][cell.replace("$", "")].value == fid
    names = {n.lower() for n in wb.defined_names}
    assert {folded(cell_name(k)) for k in spec.cells} <= names
    assert {folded(info_name(f.id)) for f in spec.info_fields} <= names
    assert {folded(text_name(s.id)) for s in spec.text_sections} <= names


def test_output_is_reproducible(tmp_path: Path) -> None:
    """The same arguments write the same bytes (fixed document date), so committed templates can be compared."""
    spec = load_spec("2021")
    a = build_template(spec, tmp_path / "a.xlsx", organ="南口镇", year=2026)
    b = build_template(spec, tmp_path / "b.xlsx", organ="南口镇", year=2026)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("fid", FORMATS)
def test_committed_blank_templates_are_current(tmp_path: Path, fid: str) -> None:
    """workbook_templates/ holds what the code generates now (python -m toolkit.dev regenerate)."""
    fresh = {p.name: p for p in regenerate(tmp_path)}
    name = blank_template_name(fid)
    committed = TEMPLATES / name
    assert committed.exists(), f"missing {committed}; run python -m toolkit.dev regenerate"
    differences = xlsx_differences(fresh[name], committed)
    assert not differences, "run python -m toolkit.dev regenerate\n" + "\n".join(differences)


def _rezipped(source: Path, target: Path, edit: Callable[[str, bytes], bytes] = lambda name, blob: blob) -> Path:
    """``source`` written again as another application would: members in reverse order, other compression and
    timestamps, each part passed through ``edit``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as new:
        for info in reversed(old.infolist()):
            new.writestr(zipfile.ZipInfo(info.filename, date_time=(2030, 1, 2, 3, 4, 6)),
                         edit(info.filename, old.read(info.filename)))
    return target


def test_the_template_comparison_is_by_meaning_not_bytes(tmp_path: Path) -> None:
    """Re-zipped, with other document dates and attributes reordered, a template compares equal; one changed
    label, formula or print setting does not, and the difference names the part."""
    committed = TEMPLATES / blank_template_name("2021")

    def cosmetic(name: str, blob: bytes) -> bytes:
        text = blob.decode("utf-8")
        if name == "docProps/core.xml":
            text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "2031-05-06T07:08:09Z", text)
        if name == "xl/workbook.xml":
            text = re.sub(r"<workbookView [^>]*/>", '<workbookView xWindow="1" yWindow="2"/>', text)
        if name.startswith("xl/worksheets/"):
            text = re.sub(r'<pageMargins left="([^"]*)" right="([^"]*)"', r'<pageMargins right="\2" left="\1"', text)
            text = text.replace("><row ", ">\n  <row ")
        return text.encode("utf-8")

    assert xlsx_differences(_rezipped(committed, tmp_path / "same.xlsx", cosmetic), committed) == []
    changes = {"xl/sharedStrings.xml": ("依申请公开", "依申请公幵"), "xl/worksheets/sheet3.xml": ("SUM(", "SUMX("),
               "xl/worksheets/sheet2.xml": ('paperSize="9"', 'paperSize="8"')}
    for part, (old, new) in changes.items():

        def change(name: str, blob: bytes, part: str = part, old: str = old, new: str = new) -> bytes:
            return blob.replace(old.encode(), new.encode(), 1) if name == part else blob

        changed = _rezipped(committed, tmp_path / "changed.xlsx", change)
        differences = xlsx_differences(changed, committed)
        assert differences and part in differences[0], part


def test_existing_output_is_replaced_whole_and_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    """Writing over an existing file replaces it atomically; no temporary files are left beside it."""
    spec = load_spec("2021")
    target = tmp_path / "年报.xlsx"
    target.write_bytes(b"old")
    build_template(spec, target)
    assert target.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["年报.xlsx"]


@pytest.mark.libreoffice
def test_blank_templates_print_to_pdf_with_every_table(tmp_path: Path) -> None:
    """LibreOffice prints both blank templates to PDF; the pages carry every section title and 三's key labels."""
    import subprocess

    from toolkit.office import convert

    pdfs = convert(sorted(TEMPLATES.glob("*.xlsx")), "pdf", tmp_path)
    for pdf, fid in zip(pdfs, FORMATS, strict=True):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        folded = "".join(text.split())
        spec = load_spec(fid)
        for section in spec.sections:
            if section.kind == "tables":
                assert section.title in folded, (fid, section.title)
        assert "申请人情况" in folded and "（七）总计" in folded and "复议后起诉" in folded


def _disturb_everything(spec: object, rng: random.Random) -> ReportData:
    """Sample data with a few of each mistake the 校验 sheet's rules see: blanks, words, negatives, empty or
    trivial sections, 六 silent on fees, a missing organ, a year of the other format, fees in 元."""
    data = _random_data(spec, rng)
    inputs = [k for k, c in spec.cells.items()  # type: ignore[attr-defined]
              if c.kind is CellKind.INPUT and c.value is ValueKind.COUNT]
    if rng.random() < 0.5:
        key = rng.choice(inputs)
        data.values[key] = CellValue(key, None, "若干", ValueStatus.INVALID)
    if rng.random() < 0.5:
        data = data.with_value(rng.choice(inputs), -2)
    texts = dict(data.texts)
    if rng.random() < 0.3:
        texts["s1"] = TextValue("s1", "")
    if rng.random() < 0.4:
        texts["s5"] = TextValue("s5", "无")
    if rng.random() < 0.4:
        texts["s6"] = TextValue("s6", "无其他需要报告的事项。")
    info = dict(data.info)
    if rng.random() < 0.3:
        info["organ"] = ""
    if rng.random() < 0.4:
        info["year"] = "2020" if spec.id == "2021" else "2023"  # type: ignore[attr-defined]
    data = ReportData(data.format_id, info, dict(data.values), texts)
    if "s2_20_8.fees.fee_amount" in spec.cells and rng.random() < 0.4:  # type: ignore[attr-defined]
        data = data.with_value("s2_20_8.fees.fee_amount", 12345)
    return data


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_evaluates_every_live_rule_as_the_engine_does(tmp_path: Path) -> None:
    """Every 校验 row recalculated by LibreOffice equals its cached result, and each non-sum rule fails in
    LibreOffice exactly when the engine reports that rule (and instance) on the same workbook."""
    from toolkit.office import convert
    from toolkit.rules.engine import check_data
    from toolkit.template import check_sheet_rows

    rng = random.Random(60)
    (tmp_path / "in").mkdir()
    cases = []
    for i in range(10):
        spec = load_spec(FORMATS[i % 2])
        data = _disturb_everything(spec, rng)
        cases.append((spec, data, build_template(spec, tmp_path / "in" / f"w{i}.xlsx", data=data)))
    failing: set[str] = set()
    for (spec, data, _), path in zip(cases, convert([p for *_, p in cases], "xlsx", tmp_path / "out"), strict=True):
        rows = check_sheet_rows(spec, data)
        grid = _grid(path, spec.sheets["checks"])
        shown = [_at(grid, CHECKS_FIRST_ROW + i, CHECK_RESULT_COLUMN) for i in range(len(rows))]
        assert shown == [r.result for r in rows], path.name
        found = {(f.rule, f.instance) for f in check_data(read_workbook(path)).findings}
        for row, result in zip(rows, shown, strict=True):
            if row.rule.type in ("linear", "declared_total"):
                continue
            engine = any(rule == row.rule.id and (not row.instance or inst == row.instance) for rule, inst in found)
            assert (result == FAIL) == engine, (path.name, row.rule.id, row.instance)
            if result == FAIL:
                failing.add(row.rule.id)
    live = {r.rule.id for r in check_sheet_rows(load_spec("2021")) if r.rule.type not in ("linear", "declared_total")}
    assert failing == live  # every live rule was seen failing at least once


@pytest.mark.libreoffice
def test_a_number_beyond_any_count_makes_its_sums_not_assessed_on_the_live_sheet_as_in_the_checker(
        tmp_path: Path) -> None:
    """A clerk pastes 123456789012 into a count cell (and -2,000,000,000 into another): the 校验 sheet, recalculated
    by LibreOffice and by Gnumeric, shows 未校验 for exactly the sum checks the checker reports as not assessed,
    不通过 for exactly those it finds failing."""
    import subprocess

    from toolkit.office import convert
    from toolkit.rules.engine import check_data
    from toolkit.spec import Severity
    from toolkit.template import check_sheet_rows
    from toolkit.template.checks import UNASSESSED

    spec = load_spec("2021")
    data = sample_report(spec, 3, year=2026)
    path = build_template(spec, tmp_path / "w.xlsx", data=data)
    positions = cell_positions(spec)
    wb = load_workbook(path)
    for key, value in (("s3.new_received.natural", 123456789012), ("s4.cases.review_maintained", -2_000_000_000)):
        sheet, row, col = positions[key]
        wb[sheet].cell(row + 1, col + 1).value = value
    wb.save(path)
    (saved,) = convert([path], "xlsx", tmp_path / "out")
    got = read_workbook(saved)
    findings = check_data(got).findings
    unassessed = {(f.rule, f.instance) for f in findings if f.severity is Severity.UNASSESSED}
    failing = {(f.rule, f.instance) for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)}
    assert len(unassessed) >= 4
    gnumeric = tmp_path / "gnumeric.xlsx"
    subprocess.run(["ssconvert", "--recalc", str(path), str(gnumeric)], capture_output=True, check=True, timeout=300)
    rows = check_sheet_rows(spec, got)
    for recalculated in (saved, gnumeric):
        grid = _grid(recalculated, spec.sheets["checks"])
        shown = {(row.rule.id, row.instance): _at(grid, CHECKS_FIRST_ROW + i, CHECK_RESULT_COLUMN)
                 for i, row in enumerate(rows) if row.rule.type == "linear"}
        assert {k for k, v in shown.items() if v == UNASSESSED} == {k for k in shown if k in unassessed}
        assert {k for k, v in shown.items() if v == FAIL} == {k for k in shown if k in failing}


@pytest.mark.parametrize("fid", FORMATS)
def test_every_formula_fits_excels_limit_on_formula_length(tmp_path: Path, fid: str) -> None:
    """Excel and WPS refuse a formula over 8,192 characters (the 校验 sheet's longest tests every cell of a sum
    for errors, words and impossible magnitudes)."""
    import html

    path = build_template(load_spec(fid), tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as z:
        formulas = [html.unescape(f.decode()) for name in z.namelist() if name.startswith("xl/worksheets/")
                    for f in re.findall(rb"<f>(.*?)</f>", z.read(name))]
    assert formulas and max(map(len, formulas)) < 8192
