"""The template's plan is pure: the 校验 rows come from it alone, and its drawers never import the builder."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import xlsxwriter

from toolkit.data import CellValue, ValueStatus
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.template import check_sheet_rows, live_rules
from toolkit.template.plan import Plan

TEMPLATE = Path(__file__).resolve().parents[1] / "toolkit" / "template"


def _imports(path: Path) -> set[str]:
    """Every toolkit module ``path`` imports, at the top or inside a function (TYPE_CHECKING blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.startswith("toolkit")}


def test_no_template_module_but_the_package_imports_the_builder() -> None:
    """checks, live_rules, guide, explain and plan take the plan (and a drawing interface), not the builder."""
    for path in TEMPLATE.glob("*.py"):
        if path.name not in ("__init__.py", "builder.py"):
            assert "toolkit.template.builder" not in _imports(path), path.name
    assert not {m for m in _imports(TEMPLATE / "plan.py") if m.startswith("toolkit.template.")} - {
        "toolkit.template.layout", "toolkit.template.style"}


def test_check_sheet_rows_needs_no_spreadsheet_workbook(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 校验 rows and their cached results are computed from the plan: no xlsxwriter workbook is made."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("check_sheet_rows built a workbook")

    monkeypatch.setattr(xlsxwriter, "Workbook", refuse)
    monkeypatch.setattr("toolkit.template.Workbook", refuse, raising=False)
    spec = load_spec("2021")
    data = sample_report(spec, seed=3).with_value("s3.granted.natural", 99)
    rows = check_sheet_rows(spec, data)
    assert any(r.cached[2] for r in rows) and not all(r.cached[2] for r in rows)


def test_the_plan_computes_what_the_cells_show() -> None:
    """Totals are formulas computing their parts; a typed-over total is kept as typed; text is written as text."""
    spec = load_spec("2021")
    data = sample_report(spec, seed=3)
    total = "s3.new_received.total"
    plan = Plan(spec, data)
    assert plan.written(total) == "formula" and plan.number(total) == data.number(total)
    typed = Plan(spec, data.with_value(total, data.number(total) + 5))
    assert typed.written(total) == "number" and typed.number(total) == data.number(total) + 5
    data.values["s3.granted.natural"] = CellValue("s3.granted.natural", None, "若干", ValueStatus.INVALID)
    assert Plan(spec, data).written("s3.granted.natural") == "text"
    assert plan.address(total, sheet=plan.positions[total][0]).startswith("$")


def test_the_live_registry_refuses_a_second_compiler_for_a_rule_type() -> None:
    """Registering a live compiler twice for one rule type (or for a type no format declares) is refused."""
    with pytest.raises(ValueError, match="twice"):
        live_rules.live("blank_cells")(lambda plan, rule: iter(()))
    with pytest.raises(ValueError, match="not a rule type"):
        live_rules.live("no_such_rule")(lambda plan, rule: iter(()))


YEARS = ["", "2026", "0999", "12345", "２０２６", "26"]
ORGANS = ["南口镇人民政府", "", "   ", "x", "南口镇", "　镇"]
"""基本信息 as a unit may leave it: what the reader hands the checker for 报告年度 and 机关名称."""


def test_the_required_info_test_is_declared_in_the_format() -> None:
    """机关名称 and 报告年度 declare how they count as filled; the tool-written 年报格式 and optional fields do not."""
    for fid in ("2019", "2021"):
        spec = load_spec(fid)
        assert [(f.id, f.filled) for f in spec.required_info] == [("organ", "text"), ("year", "year")]


@pytest.mark.libreoffice
def test_libreoffice_judges_required_info_as_the_checker_does(tmp_path: Path) -> None:
    """Each organ and year above, written into a template and recalculated by LibreOffice: the 校验 row of each
    required field fails exactly when the checker's test (the same declaration) says it is not filled."""
    from python_calamine import CalamineWorkbook

    from toolkit.data import ReportData
    from toolkit.office import convert
    from toolkit.template import CHECK_RESULT_COLUMN, CHECKS_FIRST_ROW, FAIL, build_template

    spec = load_spec("2021")
    (tmp_path / "in").mkdir()
    cases = [ReportData("2021", {"organ": organ, "year": year}) for organ, year in zip(ORGANS, YEARS, strict=True)]
    books = [build_template(spec, tmp_path / "in" / f"w{i}.xlsx", data=d) for i, d in enumerate(cases)]
    for data, path in zip(cases, convert(books, "xlsx", tmp_path / "out"), strict=True):
        rows = check_sheet_rows(spec, data)
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(spec.sheets["checks"]).to_python()
        for i, row in enumerate(rows):
            if row.rule.type != "info_fields":
                continue
            field = next(f for f in spec.required_info if f.id == row.instance)
            assert field.filled is not None
            unmet = not field.filled.met(data.info[field.id])
            assert row.cached[2] is unmet, (field.id, data.info[field.id])
            assert (grid[CHECKS_FIRST_ROW + i][CHECK_RESULT_COLUMN] == FAIL) is unmet, (field.id, data.info[field.id])
