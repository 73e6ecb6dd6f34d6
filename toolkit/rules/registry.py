"""The registry of rule types and the context every rule implementation receives.

A rule type is a function ``(ctx, rule) -> Iterable[Finding]`` registered under the ``type`` name used in
the format files. The engine looks each declared rule's type up here — a registry, not an if-chain —
so adding a rule type is one decorated function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from toolkit.data import Number, ReportData
from toolkit.normalise import fmt_number
from toolkit.record import field, record
from toolkit.rules.findings import CellRef, Finding
from toolkit.spec.models import ReportSpec, RuleSpec, Text
from toolkit.spec.params import registrar

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

RuleImpl = Callable[["RuleContext", RuleSpec], Iterable[Finding]]

_REGISTRY: dict[str, RuleImpl] = {}


def rule_type(name: str) -> Callable[[RuleImpl], RuleImpl]:
    """Register the decorated function as the implementation of rule type ``name``."""

    return registrar(_REGISTRY, name, "rule type")


def implementation(name: str) -> RuleImpl:
    """The implementation of rule type ``name`` (KeyError for an unknown type)."""
    return _REGISTRY[name]


def registered_types() -> frozenset[str]:
    """Names of all registered rule types."""
    return frozenset(_REGISTRY)


@record
class RuleContext:
    """What a rule implementation sees: the format, the data, and helpers to build findings."""

    spec: ReportSpec
    """The format checked against."""
    data: ReportData
    """The report's data."""
    previous: ReportData | None = None
    """Last year's report of the same body, for cross-year rules (None: those rules do not run)."""
    evaluated: int = 0
    """Rule instances evaluated so far (for the summary)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Per-run scratch space shared between rules."""

    def cell(self, key: str) -> CellRef:
        """A CellRef for a table cell key, with its label and location."""
        spec_cell = self.spec.cells.get(key)
        value = self.data.values.get(key)
        return CellRef(key, spec_cell.label if spec_cell else key, value.location if value else None)

    def value(self, key: str) -> Number:
        """The cell's number for arithmetic (blank/placeholder/missing → 0)."""
        return self.data.number(key)

    def finding(
        self,
        rule: RuleSpec,
        *,
        cells: Iterable[CellRef] = (),
        instance: str = "",
        expected: Any = None,
        actual: Any = None,
        **fields: Any,
    ) -> Finding:
        """A finding of ``rule`` with its message rendered in both languages from ``fields``.

        Numbers among ``fields`` are formatted the way a clerk writes them.
        """
        shown = {k: fmt_number(v) if isinstance(v, int | float) else v for k, v in fields.items()}
        shown.setdefault("expected", fmt_number(expected))
        shown.setdefault("actual", fmt_number(actual))
        message = Text(rule.message.zh.format_map(_Fields(shown)), rule.message.en.format_map(_Fields(shown)))
        return Finding(
            code=rule.code,
            rule=rule.id,
            severity=rule.severity,
            message=message,
            hint=rule.hint,
            cells=tuple(cells),
            expected=expected,
            actual=actual,
            instance=instance,
            fields=shown,
            category=rule.category,
        )


class _Fields(dict[str, object]):
    """Message fields; a field a message names but the rule did not supply shows as {name}, never a crash."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
