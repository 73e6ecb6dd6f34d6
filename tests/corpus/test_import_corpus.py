"""Importing the archived real reports of the corpus (published/*.txt): each to its hand-checked expectations.

The expectations are the project's own (tests/fixtures/published/<name>.expected.yaml); the reports are not, so
these tests read them from the corpus (tests/support.py: REFERENCE).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from support import FIXTURES, REFERENCE

from toolkit.data import ValueStatus
from toolkit.importer import import_report
from toolkit.importer.rows import row_name as _row_name
from toolkit.labels import core, fold
from toolkit.spec import load_spec

PUBLISHED = REFERENCE / "published"
EXPECTED = FIXTURES / "published"
NAMES = sorted(p.name.removesuffix(".expected.yaml") for p in EXPECTED.glob("*.expected.yaml"))
"""Every report with expectations (a report missing from the corpus then fails rather than drops out)."""
CUT = "（原文截断）"


def _expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXPECTED / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    return data


def _section_title(spec: Any, table_id: str) -> str:
    return next(s.title for s in spec.sections if table_id in s.tables or s.id == table_id)


def _missing_needle(spec: Any, item: dict[str, Any]) -> list[str]:
    """The words a missing note must contain for one expected entry."""
    if "text" in item:
        return [spec.section(item["text"]).title, "缺失"]
    if "text_cut" in item:
        return [spec.section(item["text_cut"]).title, "截断"]
    tid = item["table"]
    if tid not in spec.tables:
        return [_section_title(spec, tid), "表格缺失"]
    table = spec.table(tid)
    if "from_row" in item:
        return [f"自“{_row_name(table, table.row(item['from_row']))}”起的行缺失"]
    if "columns" in item:
        return [_row_name(table, table.row(item["row"])), *(table.column(c).display for c in item["columns"])]
    if table.caption:
        return [table.caption, "缺失"]
    return [_section_title(spec, tid), "表格缺失"]


@pytest.mark.parametrize("name", NAMES)
def test_published_report_imports_its_values_and_names_what_is_missing(name: str) -> None:
    """A real report imports exactly the hand-checked values it holds, invents none, and names what it lacks."""
    expected = _expected(name)
    result = import_report(PUBLISHED / f"{name}.txt")
    spec = load_spec(expected["format"])
    assert (result.format_id, result.year) == (expected["format"], expected["year"])
    assert result.organ == (expected["organ"] or "")
    got = result.data.values
    assert set(got) <= set(expected["values"]), f"invented: {sorted(set(got) - set(expected['values']))}"
    for key, want in expected["values"].items():
        assert key in got, f"not imported: {key}"
        cell = got[key]
        if isinstance(want, str):
            assert cell.value is None and cell.raw == want, key
        else:
            assert cell.value == want and cell.usable, key
        assert cell.location is not None and cell.location.sheet == f"{name}.txt"
        assert key in result.provenance
    assert len(result.missing) == len(expected["missing"]), result.missing
    for item in expected["missing"]:
        needles = _missing_needle(spec, item)
        cause = CUT if item.get("cause", "cut") == "cut" and "text_cut" not in item else ""
        named = [note for note in result.missing if all(n in note for n in needles) and cause in note]
        assert named, (needles, result.missing)
    assert len(result.uncertain) == len(expected["uncertain"]), result.uncertain
    for item in expected["uncertain"]:
        table = spec.table(item["table"])
        rows = item.get("rows", item.get("unlabeled", []))
        assert any(all(core(table.row(r).label or "") in fold(note) for r in rows) for note in result.uncertain)


def test_uncertain_rows_import_nothing_and_say_where() -> None:
    """003's 三 rows with collapsed blank cells (3 | 3 | |||||||) are reported with their lines, not imported."""
    result = import_report(PUBLISHED / "003.txt")
    assert not any(k.startswith("s3.") for k in result.data.values)
    (note,) = result.uncertain
    assert "L96" in note and "3、3" in note and "7列" in note


def test_placeholders_and_blank_cells_are_kept_as_such() -> None:
    """005's “/” and its blank cells are imported as placeholder and blank, never as 0."""
    values = import_report(PUBLISHED / "005.txt").data.values
    assert values["s2_20_1.regulations.issued"].status is ValueStatus.PLACEHOLDER
    assert values["s3.new_received.natural"].status is ValueStatus.BLANK
    assert values["s3.new_received.total"].value == 0


def test_label_differences_of_real_reports_are_recorded() -> None:
    """025 prints 规范性文件 in a 2021 table and 本年(2023)制发件数: both read, both recorded as label differences."""
    result = import_report(PUBLISHED / "025.txt")
    found = {(s.official, s.found) for s in result.data.labels}
    assert ("行政规范性文件", "规范性文件") in found
    assert ("本年制发件数", "本年(2023)制发件数") in found
    assert result.data.values["s2_20_1.normative_documents.repealed"].value == 1


def test_json_view_is_serialisable_and_matches_the_data() -> None:
    """``to_dict`` (what --json prints) is plain JSON and carries values, provenance, missing and uncertain."""
    result = import_report(PUBLISHED / "001.txt")
    view = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert view["values"] == {k: v.value for k, v in result.data.values.items()}
    assert view["missing"] == result.missing and view["provenance"] == result.provenance
    assert view["cells"]["s3.new_received.natural"]["where"] == "001.txt!L26"


def test_forced_format_that_contradicts_the_tables_is_reported() -> None:
    """Reading a 2021-format report as 2019 says so and imports no 二 table whose header is the other format's."""
    result = import_report(PUBLISHED / "001.txt", format_id="2019")
    assert result.format_id == "2019"
    assert any("2021格式" in note for note in result.uncertain)
    assert not any(k.startswith("s2_") for k in result.data.values)


@pytest.mark.parametrize("name", ["001.txt", "005.txt", "017.txt"])
def test_checking_a_cut_report_names_what_is_missing_not_every_absent_cell(name: str) -> None:
    """`toolkit check` on an archived report: import-missing per gap, cell-blank only for cells left blank or "/"."""
    from toolkit.api import check_file

    data = import_report(PUBLISHED / name).data
    result = check_file(PUBLISHED / name, annotate=False)
    codes = [f.code for f in result.findings]
    assert codes.count("import-missing") == len(data.missing) > 0
    blank = {k for k, v in data.values.items() if v.status in (ValueStatus.BLANK, ValueStatus.PLACEHOLDER)}
    assert {f.instance for f in result.findings if f.code == "cell-blank"} == blank
