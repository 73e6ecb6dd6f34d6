"""Rule parameters are declared per rule type and checked when a format file loads (issue 18 item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import ROOT, run_toolkit

from toolkit.errors import SpecError
from toolkit.rules import engine  # noqa: F401  (importing registers every rule type)
from toolkit.rules.registry import registered_types
from toolkit.spec import compiled as spec_compiled
from toolkit.spec import load as spec_load
from toolkit.spec.params import RULE_PARAMS

FORMATS = ROOT / "toolkit" / "formats"

TYPOS = {
    "unknown-name": ("    section: s6\n    any_of:", "    sectoin: s6\n    any_of:", "s6_fee_mentioned", "sectoin"),
    "missing": ("    section: s6\n    any_of:", "    any_of:", "s6_fee_mentioned", "section"),
    "wrong-type": ("    at_least: 10000\n", "    at_least: 一万\n", "fee_unit_wan_yuan", "at_least"),
    "unknown-cell": ("    cell: s2_20_8.fees.fee_amount\n", "    cell: s2_20_8.fees.fee_amout\n",
                     "fee_unit_wan_yuan", "cell"),
    "unknown-section": ("    section: s6\n    any_of:", "    section: s7\n    any_of:", "s6_fee_mentioned", "section"),
    "bad-choice": ("    along: rows\n", "    along: diagonal\n", "s3_results_total", "along"),
    "bad-regex": ("regex: \"上年(?:度)?结转", "regex: \"上年(?:度结转", "narrative_numbers_match", "patterns"),
    "list-not-text": ("    any_of: [\"信息处理费\", \"信息公开处理费\"]", "    any_of: [1, 2]", "s6_fee_mentioned",
                      "any_of"),
}
"""A rule parameter mistyped eight ways: (text in 2021.yaml, replacement, rule id, parameter the message names)."""


def _typo_formats(folder: Path, typo: str) -> Path:
    old, new, _, _ = TYPOS[typo]
    text = (FORMATS / "2021.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (folder / "2021.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize("typo", sorted(TYPOS))
def test_a_rule_parameter_typo_is_a_spec_error_naming_file_rule_and_parameter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typo: str) -> None:
    """A mistyped, missing or ill-typed rule parameter stops load_spec with a Chinese SpecError naming all three."""
    folder = _typo_formats(tmp_path, typo)
    monkeypatch.setattr(spec_compiled, "FORMATS_DIR", folder)
    with pytest.raises(SpecError) as caught:
        spec_load.load_spec.__wrapped__("2021")
    _, _, rule, param = TYPOS[typo]
    message = caught.value.message
    assert "2021.yaml 有误" in message and f"规则 {rule}" in message and f"“{param}”" in message, message


def test_a_parameter_typo_stops_check_with_one_chinese_line_not_an_internal_error(tmp_path: Path) -> None:
    """`toolkit check` with a parameter typo in the format file (a real process): exit 2, the SpecError's line."""
    folder = _typo_formats(tmp_path, "unknown-name")
    (folder / "2019.yaml").write_bytes((FORMATS / "2019.yaml").read_bytes())
    inject = ("from pathlib import Path\nimport toolkit.spec.compiled as compiled\n"
              f"compiled.FORMATS_DIR = Path({str(folder)!r})\n")
    example = ROOT / "examples" / "示例区民政局2026年报.xlsx"
    proc = run_toolkit("check", str(example), "--no-annotate", inject=inject)
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr
    assert "程序内部错误" not in proc.stderr and "sectoin" in proc.stderr and "s6_fee_mentioned" in proc.stderr


def test_every_rule_type_has_declared_parameters_and_an_implementation() -> None:
    """The parameter declarations and the rule registry name the same rule types."""
    assert set(RULE_PARAMS) == set(registered_types())


def test_a_severity_only_the_engine_gives_is_refused_in_a_format_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule declared with severity unassessed (or any other word) is a SpecError naming the rule."""
    text = (FORMATS / "2021.yaml").read_text(encoding="utf-8")
    old = "    type: text_mentions\n    severity: warning\n"
    (tmp_path / "2021.yaml").write_text(text.replace(old, old.replace("warning", "unassessed")), encoding="utf-8")
    monkeypatch.setattr(spec_compiled, "FORMATS_DIR", tmp_path)
    with pytest.raises(SpecError, match="s6_fee_mentioned"):
        spec_load.load_spec.__wrapped__("2021")
