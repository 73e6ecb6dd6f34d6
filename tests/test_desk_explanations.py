"""说明: a warning accepted by a written 说明 (the 说明 sheet, or a 说明 column on 校验); placeholder 说明 a finding."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support import uno_edit_script

from toolkit import api
from toolkit.data import ReportData
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.spec.models import Severity
from toolkit.template import build_template
from toolkit.template.explain import explainable_rules
from toolkit.workbook.book import Book

SPEC = load_spec("2021")
REASON = "本年度工作中未发现突出问题，经主要负责同志审核确认"


def _warned(tmp_path: Path) -> Path:
    """A clean report but for 五 being only 无 (a warning)."""
    data: ReportData = sample_report(SPEC, 5, organ="南口镇", year=2026)
    data.texts["s5"] = type(data.texts["s5"])("s5", "无")
    return build_template(SPEC, tmp_path / "南口镇.xlsx", data=data)


def _write_note(path: Path, rule_id: str, text: str) -> None:
    wb = load_workbook(path)
    ws = wb["说明"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == rule_id)
    ws.cell(row, 4).value = text
    wb.save(path)


def test_template_lists_every_warning_rule_on_the_notes_sheet(tmp_path: Path) -> None:
    """The 说明 sheet has 序号 | 警告项目 | 规则编号 | 说明 and a row per warning rule, 说明 cells unlocked."""
    ws = load_workbook(_warned(tmp_path))["说明"]
    assert [ws.cell(3, c).value for c in range(1, 5)] == ["序号", "警告项目", "规则编号", "说明"]
    ids = [ws.cell(r, 3).value for r in range(4, ws.max_row + 1) if ws.cell(r, 3).value]
    assert ids == [r.id for r in explainable_rules(SPEC)] and "s5_not_empty" in ids
    assert ws.protection.sheet and ws.cell(4, 4).protection.locked is False


def test_written_explanation_accepts_the_warning(tmp_path: Path) -> None:
    """A substantive 说明 shows the warning as 已说明 with the text; it no longer counts."""
    path = _warned(tmp_path)
    before = api.check_file(path, annotate=False)
    assert before.warnings == 1 and before.explained == 0
    _write_note(path, "s5_not_empty", REASON)
    after = api.check_file(path, annotate=False)
    (finding,) = [f for f in after.findings if f.rule == "s5_not_empty"]
    assert finding.explanation == REASON
    assert finding.message.zh.startswith("【已说明】") and REASON in finding.message.zh
    assert after.warnings == 0 and after.explained == 1
    assert after.to_dict()["findings"][0]["explained"] is True


@pytest.mark.parametrize("text", ["无", "已核实", " 已核实。 ", "正常"])
def test_placeholder_explanation_is_a_finding(tmp_path: Path, text: str) -> None:
    """无 / 已核实 as a 说明 is itself a warning, and the explained warning still counts."""
    path = _warned(tmp_path)
    _write_note(path, "s5_not_empty", text)
    result = api.check_file(path, annotate=False)
    assert [f.code for f in result.findings if f.severity is Severity.WARNING] == ["s5-empty", "explanation-empty"]
    assert result.warnings == 2 and result.explained == 0


def test_explanation_cannot_accept_an_error(tmp_path: Path) -> None:
    """Errors cannot be explained away: a 说明 written against an error-level rule changes nothing."""
    path = _warned(tmp_path)
    rules = tmp_path / "r.yaml"
    rules.write_text("级别: {s5_not_empty: error}\n", encoding="utf-8")
    _write_note(path, "s5_not_empty", REASON)
    result = api.check_file(path, annotate=False, rules=rules)
    assert result.errors == 1 and result.explained == 0


def test_explanation_column_on_the_checks_sheet(tmp_path: Path) -> None:
    """A 说明 column the unit added to the 校验 sheet, on the rule's row, is read too."""
    path = _warned(tmp_path)
    wb = load_workbook(path)
    ws = wb["校验"]
    ws.cell(4, 11).value = "说明"
    title = next(r.title.zh for r in SPEC.rules if r.id == "s5_not_empty")
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == title)
    ws.cell(row, 11).value = REASON
    wb.save(path)
    result = api.check_file(path, annotate=False)
    assert result.explained == 1 and result.warnings == 0


def _sheets_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sheets the check's Book reads (in order, every call), recorded from now on."""
    seen: list[str] = []
    grid = Book.grid

    def recording(self: Book, sheet: str) -> object:
        seen.append(sheet)
        return grid(self, sheet)

    monkeypatch.setattr(Book, "grid", recording)
    return seen


@pytest.mark.parametrize("broken", [False, True])
def test_check_without_warnings_never_reads_the_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      broken: bool) -> None:
    """A check that finds no warning (clean, or errors only) reads neither the 说明 sheet nor the 校验 sheet, and the
    gate never unpacks their parts: a 说明 matters only for a warning."""
    data = sample_report(SPEC, 5, organ="南口镇", year=2026)
    path = build_template(SPEC, tmp_path / "南口镇.xlsx",
                          data=data.with_value("s3.granted.total", 999) if broken else data)
    seen = _sheets_read(monkeypatch)
    result = api.check_file(path, annotate=False)
    assert result.warnings == 0 and (result.errors > 0) is broken
    assert seen and "说明" not in seen and SPEC.sheets["checks"] not in seen


def test_check_with_a_warning_reads_the_notes_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that finds a warning reads the 说明 sheet and the 校验 sheet once each, and takes the 说明 there."""
    path = _warned(tmp_path)
    _write_note(path, "s5_not_empty", REASON)
    seen = _sheets_read(monkeypatch)
    result = api.check_file(path, annotate=False)
    assert result.explained == 1 and result.warnings == 0
    assert seen.count("说明") == 1 and seen.count(SPEC.sheets["checks"]) == 1


_UNO_TYPE = uno_edit_script(
    'src, dst, rule_id, text = sys.argv[1:5]',
    """
    sheet = doc.Sheets.getByName("说明")
    row = next(r for r in range(3, 200) if sheet.getCellByPosition(2, r).getString() == rule_id)
    cell = sheet.getCellByPosition(3, row)
    assert not cell.CellProtection.IsLocked  # a person can type here although the sheet is protected
    cell.setString(text)
""",
)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_explanation_typed_in_libreoffice_is_accepted(tmp_path: Path) -> None:
    """A 说明 typed into the protected 说明 sheet in LibreOffice (UNO) is read back and accepts the warning."""
    system_python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
    has_uno = system_python and subprocess.run([system_python, "-c", "import uno"], capture_output=True).returncode == 0
    if not has_uno or not shutil.which("soffice"):
        pytest.skip("LibreOffice or its Python bridge (python3-uno) is not installed")
    path = _warned(tmp_path)
    (tmp_path / "type.py").write_text(_UNO_TYPE, encoding="utf-8")
    typed = tmp_path / "typed.xlsx"
    subprocess.run([system_python, str(tmp_path / "type.py"), str(path), str(typed), "s5_not_empty", REASON],
                   check=True, timeout=180)
    result = api.check_file(typed, annotate=False)
    assert result.explained == 1 and result.warnings == 0
    assert [f.explanation for f in result.findings if f.rule == "s5_not_empty"] == [REASON]
