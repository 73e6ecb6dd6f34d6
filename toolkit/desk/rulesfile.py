"""The office's own rules file (``本市审核规则.yaml``): rules switched off, levels changed, thresholds set.

::

    关闭: [labels_exact]                 # or  off:
    级别: {s5_not_empty: error}          # or  levels:   error/warning/info or 错误/警告/提示
    阈值: {narrative_not_copied: {at_least: 0.5}}   # or  thresholds:  numeric parameters of the rule
    阈值: {单位间雷同: {at_least: 0.7}}              # the folder's cross-unit 雷同 (or similar_units): a share

Every id must be a rule of one of the formats, or 单位间雷同; an unknown id is an error listing the valid ones.
The file is untrusted input: read with the safe YAML loader, at most 64 KB.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import RulesFileError
from toolkit.messages import msg
from toolkit.spec.models import ReportSpec, RuleSpec, Severity

MAX_BYTES = 64 * 1024
"""A rules file is a few lines; anything larger is refused."""

_SECTIONS = {"关闭": "off", "off": "off", "级别": "levels", "levels": "levels", "阈值": "thresholds",
             "thresholds": "thresholds"}
SIMILAR_IDS = ("单位间雷同", "similar_units")
"""The pseudo-rule of the 阈值 section for the comparison of the units' narratives with each other (a folder's
returns: :func:`toolkit.desk.similar.similar_units`); its one parameter, ``at_least``, is a share in (0, 1]."""
_LEVELS = {"error": Severity.ERROR, "错误": Severity.ERROR, "warning": Severity.WARNING, "警告": Severity.WARNING,
           "info": Severity.INFO, "提示": Severity.INFO}


@dataclass(frozen=True)
class OfficeRules:
    """An office's adjustments to the formats' rules (picklable: it travels to the worker processes)."""

    off: frozenset[str] = frozenset()
    """Rule ids switched off."""
    levels: Mapping[str, Severity] = field(default_factory=dict)
    """Rule id → the level the office gives it."""
    thresholds: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """Rule id → parameter → value."""
    source: Path | None = None
    """The file read."""
    similar_at_least: float | None = None
    """The share of a narrative found in another unit's from which the pair is shown as 单位间雷同 (None: the
    default, :data:`toolkit.desk.similar.DEFAULT_AT_LEAST`)."""

    def apply(self, spec: ReportSpec) -> ReportSpec:
        """``spec`` with the rules off removed, levels and thresholds replaced (ids of other formats ignored)."""
        rules: list[RuleSpec] = []
        for rule in spec.rules:
            if rule.id in self.off:
                continue
            if rule.id in self.levels:
                rule = dataclasses.replace(rule, severity=self.levels[rule.id])
            if rule.id in self.thresholds:
                rule = dataclasses.replace(rule, params={**rule.params, **self.thresholds[rule.id]})
            rules.append(rule)
        return dataclasses.replace(spec, rules=tuple(rules))


def known_rules() -> dict[str, RuleSpec]:
    """Every rule id of every format → its rule (the newest format's where both have it)."""
    from toolkit.spec.load import FORMAT_IDS, load_spec

    found: dict[str, RuleSpec] = {}
    for fid in FORMAT_IDS:
        for rule in load_spec(fid).rules:
            found[rule.id] = rule
    return found


def _numeric_params() -> dict[str, set[str]]:
    from toolkit.spec.load import FORMAT_IDS, load_spec

    params: dict[str, set[str]] = {}
    for fid in FORMAT_IDS:
        for rule in load_spec(fid).rules:
            params.setdefault(rule.id, set()).update(
                k for k, v in rule.params.items() if isinstance(v, int | float) and not isinstance(v, bool))
    return params


def load_rules_file(path: Path) -> OfficeRules:
    """Read and validate an office rules file; :class:`RulesFileError` (exit 2) names what is wrong, in Chinese."""
    import yaml

    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise RulesFileError(msg("desk.rules.too_big", limit=MAX_BYTES // 1024), path=path)
        raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise RulesFileError(msg("desk.rules.unreadable", reason=exc.strerror or exc), path=path) from exc
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulesFileError(msg("desk.rules.not_yaml", reason=str(exc).splitlines()[0]), path=path) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RulesFileError(msg("desk.rules.not_mapping"), path=path)
    return _validate(raw, path)


def _validate(raw: dict[Any, Any], path: Path) -> OfficeRules:
    known = known_rules()
    valid = "、".join([*known, SIMILAR_IDS[0]])

    def rule_id(value: Any, where: str) -> str:
        rid = str(value)
        if rid not in known:
            raise RulesFileError(msg("desk.rules.unknown_id", id=rid, where=where, valid=valid), path=path)
        return rid

    parts: dict[str, Any] = {}
    for key, value in raw.items():
        key = "off" if key is False else key  # YAML 1.1 reads a bare `off` as false
        if str(key) not in _SECTIONS:
            raise RulesFileError(msg("desk.rules.unknown_key", key=key, valid="、".join(_SECTIONS)), path=path)
        parts[_SECTIONS[str(key)]] = value
    off_raw = parts.get("off") or []
    if not isinstance(off_raw, list):
        raise RulesFileError(msg("desk.rules.off_list"), path=path)
    off = frozenset(rule_id(r, "关闭") for r in off_raw)
    levels: dict[str, Severity] = {}
    for rid, level in _mapping(parts.get("levels"), "级别", path).items():
        if str(level) not in _LEVELS:
            raise RulesFileError(msg("desk.rules.bad_level", id=rid, level=level, valid="、".join(_LEVELS)),
                                 path=path)
        levels[rule_id(rid, "级别")] = _LEVELS[str(level)]
    numeric = _numeric_params()
    thresholds: dict[str, dict[str, float]] = {}
    similar: float | None = None
    for rid, values in _mapping(parts.get("thresholds"), "阈值", path).items():
        if rid in SIMILAR_IDS:
            similar = _similar_share(_mapping(values, f"阈值.{rid}", path), rid, path)
            continue
        rid = rule_id(rid, "阈值")
        for name, value in _mapping(values, f"阈值.{rid}", path).items():
            if name not in numeric.get(rid, set()):
                raise RulesFileError(msg("desk.rules.unknown_param", id=rid, name=name,
                                         valid="、".join(sorted(numeric.get(rid, set()))) or "（无）"), path=path)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise RulesFileError(msg("desk.rules.bad_value", id=rid, name=name, value=value), path=path)
            thresholds.setdefault(rid, {})[str(name)] = float(value)
    return OfficeRules(off=off, levels=levels, thresholds=thresholds, source=path, similar_at_least=similar)


def _similar_share(values: dict[str, Any], rid: str, path: Path) -> float | None:
    """The 单位间雷同 entry's ``at_least``: a share above 0 and at most 1."""
    for name in values:
        if name != "at_least":
            raise RulesFileError(msg("desk.rules.unknown_param", id=rid, name=name, valid="at_least"), path=path)
    value = values.get("at_least")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise RulesFileError(msg("desk.rules.bad_share", id=rid, value=value), path=path)
    return float(value)


def _mapping(value: Any, where: str, path: Path) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RulesFileError(msg("desk.rules.not_a_mapping", where=where), path=path)
    return {str(k): v for k, v in value.items()}
