"""The parameters each rule type takes, declared once and checked when a format file is loaded.

A rule in ``formats/<id>.yaml`` is ``id``, ``type``, ``severity``, texts, and the parameters of its type (``lhs``,
``op``, ``section`` …). :data:`RULE_PARAMS` says, per rule type, which parameters exist, which are required and
what kind of value each takes; :func:`check_rule_params` refuses an unknown name (a typo: ``sectoin``), a missing
required one, and a value of the wrong kind, and :func:`toolkit.spec.load.load_spec` turns that into a Chinese
:class:`~toolkit.errors.SpecError` naming the file, the rule and the parameter — never a ``KeyError`` in the
middle of a check. The rule implementations (:mod:`toolkit.rules`) register under the same type names; a test
asserts the two lists are the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from toolkit.record import record
from toolkit.spec.models import Text

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    F = TypeVar("F")


PARAM_TEXTS: dict[str, Text] = {
    "spec.param.unknown_type": Text("规则 {rule} 的类型“{type}”不存在（可用：{types}）",
                                    "rule {rule}: no rule type '{type}' (known: {types})"),
    "spec.param.unknown": Text("规则 {rule}（{type}）没有参数“{name}”（可用参数：{allowed}）",
                               "rule {rule} ({type}) has no parameter '{name}' (parameters: {allowed})"),
    "spec.param.none": Text("无", "none"),
    "spec.param.missing": Text("规则 {rule}（{type}）缺少参数“{name}”（{kind}）",
                               "rule {rule} ({type}) lacks parameter '{name}' ({kind})"),
    "spec.param.wrong": Text("规则 {rule}（{type}）的参数“{name}”应为{kind}：{problem}",
                             "rule {rule} ({type}): parameter '{name}' must be {kind}: {problem}"),
    "spec.info.filled": Text("基本信息“{field}”是必填项，须写明 filled（text 或 year）",
                             "info field {field} is required and needs filled (text or year)"),
    "spec.rule.missing": Text("规则 {rule} 缺少“{key}”", "rule {rule} lacks '{key}'"),
    "spec.param.severity": Text("规则 {rule} 的级别“{severity}”不是 error、warning、info 之一",
                                "rule {rule}: severity '{severity}' is not error, warning or info"),
    "spec.kind.str": Text("文字", "text"),
    "spec.kind.int": Text("整数", "a whole number"),
    "spec.kind.number": Text("数字", "a number"),
    "spec.kind.str_list": Text("文字列表", "a list of texts"),
    "spec.kind.mapping": Text("映射（键: 值）", "a mapping (key: value)"),
    "spec.kind.cell": Text("表格单元格键", "a table cell key"),
    "spec.kind.section": Text("正文部分编号", "a section id"),
    "spec.kind.sections": Text("正文部分编号列表", "a list of section ids"),
    "spec.kind.table": Text("表格编号", "a table id"),
    "spec.kind.patterns": Text("列表（每项含 cell 与 regex）", "a list of {cell, regex} items"),
    "spec.kind.regexes": Text("正则表达式列表", "a list of regular expressions"),
    "spec.kind.severity": Text("级别（error、warning、info）", "a severity (error, warning, info)"),
    "spec.problem.not_text": Text("不是文字（{value}）", "not text ({value})"),
    "spec.problem.choice": Text("“{value}”不是 {choices} 之一", "'{value}' is not one of {choices}"),
    "spec.problem.not_int": Text("不是整数（{value}）", "not a whole number ({value})"),
    "spec.problem.not_number": Text("不是数字（{value}）", "not a number ({value})"),
    "spec.problem.not_mapping": Text("不是映射（{value}）", "not a mapping ({value})"),
    "spec.problem.not_list": Text("不是列表（{value}）", "not a list ({value})"),
    "spec.problem.item_not_text": Text("列表中有不是文字的项", "an item of the list is not text"),
    "spec.problem.unknown_ref": Text("格式中没有“{value}”", "the format has no '{value}'"),
    "spec.problem.regex": Text("正则表达式“{value}”有误（{error}）", "bad regular expression '{value}' ({error})"),
    "spec.problem.pattern_keys": Text("每项应恰有 cell 与 regex 两个键（{value}）",
                                      "each item needs exactly the keys cell and regex ({value})"),
}
"""This module's strings (merged into :data:`toolkit.messages.M`, whose catalogue imports spec, not the other
way round; a format file's error is shown in Chinese, as the loader's other errors are)."""


def msg(key: str, /, **fields: object) -> str:
    """The Chinese text of ``key`` with ``fields`` filled in."""
    return PARAM_TEXTS[key].zh.format(**fields)


@record(frozen=True)
class Param:
    """One parameter of a rule type."""

    kind: str
    """What value it takes (``str``, ``int``, ``number``, ``cell``, ``sections`` …; named by ``spec.kind.<kind>``)."""
    required: bool = True
    """Whether a rule of the type must give it (else the implementation's default applies)."""
    choices: tuple[str, ...] = ()
    """For ``str``: the only values allowed (empty: any)."""


def _opt(kind: str) -> Param:
    return Param(kind, required=False)


RULE_PARAMS: dict[str, dict[str, Param]] = {
    "guidance": {},
    "info_fields": {},
    "format_year": {"import_severity": Param("severity", required=False)},
    "text_length": {"which": Param("str", choices=("info", "sections"))},
    "sections_present": {},
    "text_not_empty": {"section": Param("section"), "trivial": _opt("str_list")},
    "text_mentions": {"section": Param("section"), "any_of": Param("str_list")},
    "narrative_numbers": {"patterns": Param("patterns"), "sections": _opt("sections")},
    "import_notes": {"which": Param("str", choices=("missing", "uncertain"))},
    "leftover_text": {"patterns": _opt("regexes"), "prompt_chars": _opt("int")},
    "statute_citation": {"statute": Param("str"), "order": Param("int"), "near": _opt("int")},
    "period_year": {"words": _opt("str_list")},
    "yoy_jump": {"cells": Param("str_list"), "base": Param("number"), "high": Param("number"),
                 "low": Param("number")},
    "narrative_repeat": {"at_least": Param("number"), "min_chars": _opt("int")},
    "published_late": {"month": _opt("int"), "day": _opt("int")},
    "previous_report": {},
    "cross_year": {"lhs": Param("str_list"), "rhs": Param("str_list"), "foreach": _opt("mapping"),
                   "previous_formats": _opt("str_list")},
    "narrative_similarity": {"at_least": Param("number"), "sections": _opt("sections")},
    "linear": {"lhs": Param("str_list"), "rhs": Param("str_list"), "op": Param("str", choices=("eq", "le")),
               "foreach": _opt("mapping")},
    "declared_total": {"table": Param("table"), "along": Param("str", choices=("rows", "columns"))},
    "value_kind": {},
    "blank_cells": {},
    "normalised_values": {},
    "value_range": {},
    "text_in_sums": {},
    "amount_magnitude": {"cell": Param("cell"), "at_least": Param("number")},
    "labels_exact": {},
    "placeholders": {"sections": _opt("sections")},
    "explanation_quality": {"min_chars": _opt("number"), "placeholders": _opt("str_list")},
}
"""Rule type → its parameters by name."""


@record(frozen=True)
class Known:
    """What a parameter value may refer to in the format being loaded."""

    cells: frozenset[str]
    sections: frozenset[str]
    tables: frozenset[str]


class ParamError(ValueError):
    """A rule's parameters do not match its type's declaration (the message is Chinese, for the SpecError)."""


def registrar(table: dict[str, F], name: str, what: str) -> Callable[[F], F]:
    """A decorator putting its function into ``table`` under the rule type ``name``: refused (ValueError) when
    ``name`` is there already or is not a rule type declared in :data:`RULE_PARAMS`. The one guard of both
    registries keyed by rule type, the checker's (:func:`toolkit.rules.registry.rule_type`) and the live
    formulas' (:func:`toolkit.template.live_rules.live`); ``what`` names the registry in the refusal."""

    def register(fn: F) -> F:
        if name in table:
            raise ValueError(f"{what} {name} registered twice")
        if name not in RULE_PARAMS:
            raise ValueError(f"{what} {name} is not a rule type declared in toolkit.spec.params")
        table[name] = fn
        return fn

    return register


def check_rule_params(rule_id: str, rule_type: str, params: Mapping[str, Any], known: Known) -> None:
    """Raise :class:`ParamError` naming the rule and the parameter when ``params`` do not fit ``rule_type``."""
    declared = RULE_PARAMS.get(rule_type)
    if declared is None:
        raise ParamError(msg("spec.param.unknown_type", rule=rule_id, type=rule_type, types="、".join(RULE_PARAMS)))
    for name in params:
        if name not in declared:
            allowed = "、".join(declared) or msg("spec.param.none")
            raise ParamError(msg("spec.param.unknown", rule=rule_id, type=rule_type, name=name, allowed=allowed))
    for name, param in declared.items():
        if name not in params:
            if param.required:
                raise ParamError(msg("spec.param.missing", rule=rule_id, type=rule_type, name=name,
                                     kind=msg(f"spec.kind.{param.kind}")))
            continue
        problem = _problem(params[name], param, known)
        if problem:
            raise ParamError(msg("spec.param.wrong", rule=rule_id, type=rule_type, name=name,
                                 kind=msg(f"spec.kind.{param.kind}"), problem=problem))


RULE_SEVERITIES = ("error", "warning", "info")
"""The severities a format's rule may have (not ``unassessed``, which only the engine gives)."""
_TEXT_KINDS = ("str", "cell", "section", "table", "severity")
_LIST_KINDS = ("str_list", "sections", "regexes", "patterns")


def _problem(value: Any, param: Param, known: Known) -> str:
    """"" when ``value`` fits ``param``, else what is wrong with it."""
    kind, shown = param.kind, repr(value)[:60]
    if kind in _TEXT_KINDS and not isinstance(value, str):
        return msg("spec.problem.not_text", value=shown)
    choices = param.choices or (RULE_SEVERITIES if kind == "severity" else ())
    if choices and value not in choices:
        return msg("spec.problem.choice", value=value, choices="、".join(choices))
    if kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
        return msg("spec.problem.not_int", value=shown)
    if kind == "number" and (not isinstance(value, int | float) or isinstance(value, bool)):
        return msg("spec.problem.not_number", value=shown)
    if kind == "mapping" and not isinstance(value, dict):
        return msg("spec.problem.not_mapping", value=shown)
    if kind in _LIST_KINDS and not isinstance(value, list):
        return msg("spec.problem.not_list", value=shown)
    if kind in _LIST_KINDS[:3] and not all(isinstance(v, str) for v in value):
        return msg("spec.problem.item_not_text")
    names = {"cell": known.cells, "section": known.sections, "table": known.tables, "sections": known.sections}
    unknown = [v for v in (value if kind == "sections" else [value]) if v not in names.get(kind, (v,))]
    if unknown:
        return msg("spec.problem.unknown_ref", value=unknown[0])
    if kind == "regexes":
        return next((p for v in value if (p := _regex_problem(v))), "")
    if kind == "patterns":
        return next((p for v in value if (p := _pattern_problem(v, known))), "")
    return ""


def _regex_problem(text: str) -> str:
    try:
        re.compile(text)
    except re.error as exc:
        return msg("spec.problem.regex", value=text, error=exc)
    return ""


def _pattern_problem(item: object, known: Known) -> str:
    if not isinstance(item, dict) or set(item) != {"cell", "regex"}:
        return msg("spec.problem.pattern_keys", value=repr(item)[:60])
    if item["cell"] not in known.cells:
        return msg("spec.problem.unknown_ref", value=item["cell"])
    return _regex_problem(str(item["regex"]))
