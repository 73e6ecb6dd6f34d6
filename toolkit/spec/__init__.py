"""The official formats as data: models and the loader."""

from toolkit.spec.load import available_formats, format_for_year, load_spec
from toolkit.spec.models import (
    CellKind,
    CellSpec,
    Column,
    ColumnGroup,
    InfoField,
    ReportSpec,
    Row,
    RuleSpec,
    Section,
    Severity,
    StandardSentence,
    Table,
    Text,
    ValueKind,
)

__all__ = [
    "CellKind",
    "CellSpec",
    "Column",
    "ColumnGroup",
    "InfoField",
    "ReportSpec",
    "Row",
    "RuleSpec",
    "Section",
    "Severity",
    "StandardSentence",
    "Table",
    "Text",
    "ValueKind",
    "available_formats",
    "format_for_year",
    "load_spec",
]
