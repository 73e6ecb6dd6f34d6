"""The office's rules file: rules off, levels changed, thresholds set, validated with Chinese errors; categories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit import api
from toolkit.cli import app
from toolkit.data import ReportData
from toolkit.desk.rulesfile import load_rules_file
from toolkit.errors import RulesFileError
from toolkit.rules.engine import check_data
from toolkit.sample import sample_report
from toolkit.spec import load_spec
from toolkit.spec.models import CATEGORIES, Severity
from toolkit.template import build_template

runner = CliRunner()


def _short_s5(tmp_path: Path) -> Path:
    spec = load_spec("2021")
    data = sample_report(spec, 3)
    data.texts["s5"] = type(data.texts["s5"])("s5", "无")
    return build_template(spec, tmp_path / "短.xlsx", data=data)


def _rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "本市审核规则.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_every_rule_has_a_category_and_findings_carry_it(fid: str) -> None:
    """Each rule of the format declares one of 表内/表间/跨年/文字/格式, and its findings carry it."""
    spec = load_spec(fid)
    assert all(r.category in CATEGORIES for r in spec.rules)
    data = sample_report(spec, 1)
    key = next(k for k, c in spec.cells.items() if c.table == "s3" and c.row == "new_received")
    data.values[key] = type(data.values[key])(key, 999999)
    result = check_data(data)
    assert result.findings and all(f.category == spec_rule.category for f in result.findings
                                   for spec_rule in spec.rules if spec_rule.id == f.rule)
    assert {"category"} <= set(result.findings[0].to_dict())


def test_rule_switched_off_disappears_and_level_change_shows(tmp_path: Path) -> None:
    """关闭 removes a rule's findings; 级别 raises a warning to an error (and the exit code follows)."""
    book = _short_s5(tmp_path)
    plain = api.check_file(book, annotate=False)
    assert any(f.rule == "s5_not_empty" and f.severity is Severity.WARNING for f in plain.findings)
    off = api.check_file(book, annotate=False, rules=_rules(tmp_path, "关闭: [s5_not_empty]\n"))
    assert not any(f.rule == "s5_not_empty" for f in off.findings)
    raised = api.check_file(book, annotate=False, rules=_rules(tmp_path, "级别:\n  s5_not_empty: 错误\n"))
    assert [f.severity for f in raised.findings if f.rule == "s5_not_empty"] == [Severity.ERROR]
    assert raised.exit_code == 1 and plain.exit_code == 0


def test_threshold_changes_what_a_rule_accepts(tmp_path: Path) -> None:
    """阈值 replaces a numeric parameter: a narrative copied from last year passes once the ratio is raised."""
    spec = load_spec("2021")
    data: ReportData = sample_report(spec, 2, year=2026)
    last = sample_report(spec, 2, year=2025)
    assert [f for f in check_data(data, spec, previous=last).findings if f.rule == "narrative_not_copied"]
    office = load_rules_file(_rules(tmp_path, "thresholds:\n  narrative_not_copied: {at_least: 1.01}\n"))
    assert not [f for f in check_data(data, office.apply(spec), previous=last).findings
                if f.rule == "narrative_not_copied"]


@pytest.mark.parametrize(("text", "needle"), [
    ("关闭: [no_such_rule]\n", "no_such_rule"),
    ("级别: {s5_not_empty: 严重}\n", "严重"),
    ("阈值: {s5_not_empty: {nope: 1}}\n", "nope"),
    ("阈值: {narrative_not_copied: {at_least: -1}}\n", "at_least"),
    ("阈值: {单位间雷同: {at_least: 1.5}}\n", "不超过 1"),
    ("阈值: {单位间雷同: {at_least: 0}}\n", "大于 0"),
    ("阈值: {similar_units: {at_most: 0.5}}\n", "at_most"),
    ("禁用: [s5_not_empty]\n", "禁用"),
    ("- a\n- b\n", "键值表"),
    ("关闭: [\n", "YAML"),
])
def test_bad_rules_file_is_a_chinese_error(tmp_path: Path, text: str, needle: str) -> None:
    """Unknown ids, levels, parameters or sections, and broken YAML are RulesFileErrors naming the problem."""
    with pytest.raises(RulesFileError) as info:
        load_rules_file(_rules(tmp_path, text))
    assert (needle in str(info.value) and "审核规则" in str(info.value)) or needle in str(info.value)


def test_unknown_id_lists_the_valid_ids(tmp_path: Path) -> None:
    """An unknown rule id's message lists every valid id."""
    with pytest.raises(RulesFileError) as info:
        load_rules_file(_rules(tmp_path, "off: [s3_balanse]\n"))
    assert "s3_balance" in str(info.value) and "labels_exact" in str(info.value)


def test_cli_check_with_rules_file(tmp_path: Path) -> None:
    """`toolkit check … --rules` applies the file; a bad file exits 2 with a Chinese line, no traceback."""
    book = _short_s5(tmp_path)
    good = runner.invoke(app, ["check", str(book), "--no-annotate", "--json",
                               "--rules", str(_rules(tmp_path, "级别: {s5_not_empty: error}\n"))])
    assert good.exit_code == 1
    found = json.loads(good.output)["findings"]
    assert any(f["rule"] == "s5_not_empty" and f["severity"] == "error" and f["category"] == "文字" for f in found)
    bad = runner.invoke(app, ["check", str(book), "--rules", str(_rules(tmp_path, "关闭: [x]\n"))])
    assert bad.exit_code == 2 and "规则编号" in bad.output and "Traceback" not in bad.output


def test_readme_rules_file_example_is_valid(tmp_path: Path) -> None:
    """The rules file shown in README's section for the supervising office loads."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    office = load_rules_file(_rules(tmp_path, "\n".join(line.strip() for line in block.splitlines())))
    assert office.off == {"labels_exact"} and office.levels["year_on_year_jump"] is Severity.INFO
    assert office.thresholds["narrative_repeats_last_year"] == {"at_least": 0.4}
    assert office.similar_at_least == 0.6
