"""Findings: the values a check produces (never exceptions), and the result of checking one workbook."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from toolkit.data import Location
from toolkit.record import field, record
from toolkit.spec.models import Severity, Text

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any

    from toolkit.errors import ToolkitError


@record(frozen=True)
class CellRef:
    """A cell a finding is about: its spec key (if any), its label and where it is."""

    key: str
    """Spec key (s3.new_received.natural), info.<field>, text.<section>, or "" for a whole-report finding."""
    label: str
    """Human name of the cell."""
    location: Location | None = None
    """Sheet and cell, when known."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "label": self.label,
            "sheet": self.location.sheet if self.location else None,
            "cell": self.location.cell if self.location else None,
        }


@record(frozen=True)
class Finding:
    """One problem (or note) found in a report."""

    code: str
    """Stable kebab-case code (s3-balance, cell-blank, …); see docs/错误说明.md."""
    rule: str
    """The rule id in the format file."""
    severity: Severity
    """error, warning or info."""
    message: Text
    """The rendered message in both languages."""
    hint: Text | None = None
    """How to fix it."""
    cells: tuple[CellRef, ...] = ()
    """Every cell involved (all of them are highlighted)."""
    expected: Any = None
    """The value the rule computes (e.g. the sum of the parts)."""
    actual: Any = None
    """The value reported in the file."""
    instance: str = ""
    """Which expansion of the rule (e.g. the column id) — with ``rule`` a stable fingerprint."""
    fields: Mapping[str, Any] = field(default_factory=dict)
    """The named fields the message was built from."""
    category: str = ""
    """The rule's category (表内, 表间, 跨年, 文字, 格式; see ``toolkit.spec.models.CATEGORIES``)."""
    explanation: str = ""
    """For a warning the unit explained in its 说明 sheet: that text (the warning then no longer counts)."""

    @property
    def fingerprint(self) -> str:
        """rule[instance]: stable across runs, for a reviewer's notes."""
        return f"{self.rule}[{self.instance}]" if self.instance else self.rule

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """JSON-ready form with the message in ``lang``."""
        return {
            "code": self.code,
            "rule": self.rule,
            "fingerprint": self.fingerprint,
            "severity": self.severity.value,
            "category": self.category,
            "explained": bool(self.explanation),
            "explanation": self.explanation or None,
            "message": self.message.get(lang),
            "hint": self.hint.get(lang) if self.hint else None,
            "cells": [c.to_dict() for c in self.cells],
            "expected": self.expected,
            "actual": self.actual,
        }


@record
class CheckResult:
    """Everything ``check`` found in one workbook."""

    source: Path | None
    """The workbook checked."""
    format_id: str
    """The format it was checked against."""
    organ: str
    """The organ named in it."""
    year: int | None
    """Its report year."""
    findings: list[Finding] = field(default_factory=list)
    """All findings, errors first, in table order within a severity."""
    rules_checked: int = 0
    """How many rule instances were evaluated."""
    annotated: Path | None = None
    """The highlighted copy, when one was written."""
    copy_error: ToolkitError | None = None
    """Why the highlighted copy could not be written, when the check ran but its copy did not (exit 2)."""

    def count(self, severity: Severity) -> int:
        """Number of findings of ``severity`` (warnings accepted by a 说明 not counted)."""
        return sum(1 for f in self.findings if f.severity is severity and not f.explanation)

    @property
    def explained(self) -> int:
        """Number of warnings accepted by a written 说明."""
        return sum(1 for f in self.findings if f.explanation)

    @property
    def unassessed(self) -> int:
        """Number of checks that could not be made (a part not a usable number): never "no error"."""
        return self.count(Severity.UNASSESSED)

    @property
    def errors(self) -> int:
        """Number of error-level findings."""
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return self.count(Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when there is no error-level finding (warnings allowed)."""
        return self.errors == 0

    @property
    def exit_code(self) -> int:
        """0 when clean (warnings allowed), 1 with any error-level finding, 2 when the copy was not written."""
        return max(self.copy_error.exit_code if self.copy_error is not None else 0, 0 if self.ok else 1)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """JSON-ready form (what ``check --json`` prints)."""
        return {
            "file": str(self.source) if self.source else None,
            "format": self.format_id,
            "organ": self.organ,
            "year": self.year,
            "status": "ok" if self.ok else "error",
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.count(Severity.INFO),
            "unassessed": self.unassessed,
            "explained": self.explained,
            "rules_checked": self.rules_checked,
            "annotated": str(self.annotated) if self.annotated else None,
            "findings": [f.to_dict(lang) for f in self.findings],
        }
