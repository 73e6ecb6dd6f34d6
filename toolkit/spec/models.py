"""The official report format as typed, immutable data (built by :func:`toolkit.spec.load_spec`).

Every other module reads these objects; none of them hard-codes a label, a cell or a rule.
A cell is named by its key ``"<table>.<row>.<column>"`` (e.g. ``"s3.new_received.natural"``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from enum import StrEnum

from toolkit.record import field, record

TYPE_CHECKING = False  # not typing's: the check path does not import typing (mypy knows the name)
if TYPE_CHECKING:
    from typing import Any


class ValueKind(StrEnum):
    """What a numeric cell may hold."""

    COUNT = "count"
    """A whole number >= 0 (件)."""
    SIGNED_COUNT = "signed_count"
    """A whole number of either sign (the 2019 format's 本年增/减)."""
    AMOUNT = "amount"
    """A number >= 0, decimals allowed, in the unit the column prints (万元) or none."""


class CellKind(StrEnum):
    """Whether the clerk types a cell or the format defines it as a sum."""

    INPUT = "input"
    """Typed by the clerk."""
    TOTAL = "total"
    """A 总计 the format prints; equals the sum of ``sum_of``. The template computes it, the checker verifies it."""


class Severity(StrEnum):
    """How bad a failed rule is (ordered: error > warning > unassessed > info)."""

    ERROR = "error"
    """The numbers cannot all be right; the report must not be published as is."""
    WARNING = "warning"
    """Probably wrong; a person must look."""
    UNASSESSED = "unassessed"
    """A check that could not be made (a sum whose part is not a usable number): 未校验, never "no error".
    Only the engine gives it; a format's rules are error, warning or info."""
    INFO = "info"
    """Guidance or a note on how a value was read."""

    @property
    def rank(self) -> int:
        """3 for error, 2 for warning, 1 for unassessed, 0 for info (findings are listed in this order)."""
        return {"error": 3, "warning": 2, "unassessed": 1, "info": 0}[self.value]


@record(frozen=True)
class Text:
    """A user-facing text in Chinese and English."""

    zh: str
    """The Chinese text (shown by default)."""
    en: str
    """The English text (``--lang en``)."""

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("zh" or "en"); Chinese for anything else."""
        return self.en if lang == "en" else self.zh


@record(frozen=True)
class Column:
    """A column of an official table."""

    id: str
    """Stable id, e.g. ``natural``."""
    label: str
    """The official column label, character for character."""
    value: ValueKind
    """What the column's cells hold."""
    kind: CellKind = CellKind.INPUT
    """INPUT, or TOTAL when the column is a 总计 of other columns."""
    sum_of: tuple[str, ...] = ()
    """For a TOTAL column: the ids of the columns it adds up."""
    group: str | None = None
    """The spanning header above the label (e.g. 法人或其他组织, 行政诉讼/复议后起诉)."""
    unit: str | None = None
    """The unit printed in the label, if any (万元)."""
    aliases: tuple[str, ...] = ()
    """Other wordings real reports print for this label (matched like the label, recorded as differences)."""

    @property
    def display(self) -> str:
        """The label with its group, unambiguous within the table (e.g. 法人或其他组织—其他)."""
        return f"{self.group.replace('/', '—')}—{self.label}" if self.group else self.label


@record(frozen=True)
class Row:
    """A row of an official table: a data row, or a group label (HEADER) that has no cells."""

    id: str
    """Stable id, e.g. ``new_received``."""
    label: str | None
    """The official row label; None for 四's single unlabeled row."""
    kind: str = "input"
    """``input``, ``total`` (sum of ``sum_of`` rows) or ``header`` (group label, no cells)."""
    level: int = 1
    """Indentation level as printed: 1 一、…, 2 （一）…, 3 1.…"""
    parent: str | None = None
    """The id of the group row this row sits under."""
    sum_of: tuple[str, ...] = ()
    """For a total row: the ids of the rows it adds up."""
    aliases: tuple[str, ...] = ()
    """Other wordings real reports print for this label (其他法律和行政法规禁止公开 …)."""

    @property
    def has_cells(self) -> bool:
        """True for data rows (input or total), False for group labels."""
        return self.kind != "header"


@record(frozen=True)
class ColumnGroup:
    """A spanning column header (四: 行政复议, 行政诉讼 with sub-groups)."""

    label: str
    """The printed header text."""
    columns: tuple[str, ...] = ()
    """Column ids directly under this header."""
    subgroups: tuple[ColumnGroup, ...] = ()
    """Nested headers (行政诉讼 → 未经复议直接起诉, 复议后起诉)."""


@record(frozen=True)
class Table:
    """One official table (a sub-table of 二, or 三, or 四)."""

    id: str
    """Stable id: s2_20_1 … s2_20_9, s3, s4."""
    sheet: str
    """The key of the workbook sheet it lives on (see ``ReportSpec.sheets``)."""
    columns: tuple[Column, ...]
    """The data columns, left to right."""
    rows: tuple[Row, ...]
    """All rows top to bottom, group labels included."""
    caption: str | None = None
    """The caption row of a 二 sub-table (第二十条第（一）项)."""
    row_header: str | None = None
    """The header of the label column (信息内容)."""
    note: str | None = None
    """三's top-left note (本列数据的勾稽关系…)."""
    column_group_header: str | None = None
    """三's header spanning all columns (申请人情况)."""
    column_groups: tuple[ColumnGroup, ...] = ()
    """四's spanning headers."""
    layout: str = "simple"
    """How the template draws it: ``simple`` (二), ``applications`` (三), ``reviews`` (四)."""

    def column(self, column_id: str) -> Column:
        """The column with this id (KeyError if none)."""
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(f"{self.id}: no column {column_id!r}")

    def row(self, row_id: str) -> Row:
        """The row with this id (KeyError if none)."""
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(f"{self.id}: no row {row_id!r}")

    @property
    def data_rows(self) -> tuple[Row, ...]:
        """Rows that hold cells (input and total rows), in order."""
        return tuple(r for r in self.rows if r.has_cells)


@record(frozen=True)
class CellSpec:
    """One data cell of an official table, with everything needed to fill, read and check it."""

    key: str
    """``<table>.<row>.<column>``."""
    table: str
    """Table id."""
    row: str
    """Row id."""
    column: str
    """Column id."""
    value: ValueKind
    """What the cell may hold."""
    kind: CellKind
    """INPUT or TOTAL."""
    sum_of: tuple[str, ...]
    """For a TOTAL: the keys of the cells it adds up (column totals take precedence over row totals)."""
    label: str
    """Human name of the cell for messages, e.g. 三、一、本年新收政府信息公开申请数量／自然人."""


@record(frozen=True)
class InfoField:
    """A field of the 基本信息 sheet."""

    id: str
    """organ, year, format, contact, phone, date."""
    label: str
    """The label shown in the workbook."""
    kind: str
    """``text``, ``year`` or ``format``."""
    required: bool
    """Whether ``check`` reports it missing (rule info_complete)."""
    prompt: str
    """The input message shown in Excel/WPS."""
    max_length: int | None = None
    """Most characters the field may hold (the template's input message states it, ``check`` enforces it)."""
    filled: Filled | None = None
    """When a required field counts as filled in (the format file's ``filled``); None when not required or
    written by the tool (年报格式)."""


class Filled(StrEnum):
    """When a required 基本信息 field counts as filled in: declared once (the format file's ``filled``), evaluated
    by the checker (:meth:`met`, on the field as read) and by the template's live 校验 sheet (:meth:`excel_unmet`,
    on the cell) alike. The reader hands the checker a year as four digits (二〇二六年 and ２０２６ become 2026) and
    the template writes four digits as a number, so both see the same thing."""

    TEXT = "text"
    """Holds something other than spaces."""
    YEAR = "year"
    """A four-digit year (1000–9999)."""

    def met(self, raw: str) -> bool:
        """Whether a field holding ``raw`` (as read) is filled in."""
        text = raw.strip()
        if self is Filled.TEXT:
            return bool(text)
        return len(text) == 4 and text.isdecimal() and int(text) >= 1000

    def excel_unmet(self, ref: str) -> str:
        """An Excel boolean, TRUE when the cell ``ref`` is not filled in (the same test as :meth:`met`)."""
        if self is Filled.TEXT:
            return f"LEN(TRIM({ref}))=0"
        return f"NOT(AND(ISNUMBER({ref}),{ref}>=1000,{ref}<=9999))"


@record(frozen=True)
class Section:
    """One of the six report sections."""

    id: str
    """s1 … s6."""
    title: str
    """The official title, e.g. 一、总体情况."""
    kind: str
    """``text`` (narrative on the 正文 sheet) or ``tables``."""
    tables: tuple[str, ...] = ()
    """For a tables section: the table ids in order."""
    prompt: str = ""
    """Filling guidance for a text section."""
    aliases: tuple[str, ...] = ()
    """Other titles real reports print for this section (一、工作基本情况 …)."""
    max_length: int | None = None
    """Most characters a text section may hold (stated in the template's input message, enforced by ``check``)."""


CATEGORIES = ("表内", "表间", "跨年", "文字", "格式")
"""Finding categories reviewers use: within a table, between tables, against last year, narrative, form."""


@record(frozen=True)
class RuleSpec:
    """A check rule as declared in the format file; its ``type`` selects the implementation."""

    id: str
    """Stable rule id (snake_case), e.g. s3_balance."""
    type: str
    """Registered rule type: linear, declared_total, value_kind, …"""
    severity: Severity
    """Severity of its findings."""
    title: Text
    """One-line name of the rule."""
    message: Text
    """Message template with named fields ({lhs}, {rhs}, {cell}, …)."""
    code: str = ""
    """Stable kebab-case finding code (empty for guidance rules)."""
    hint: Text | None = None
    """How to fix it."""
    source: str = ""
    """Where the rule comes from (formats.md)."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """Type-specific parameters (lhs, rhs, op, foreach, table, along, section, …)."""
    category: str = ""
    """What reviewers call the kind of problem: one of :data:`CATEGORIES` (表内, 表间, 跨年, 文字, 格式)."""


@record(frozen=True)
class StandardSentence:
    """A ready-made sentence with placeholders, e.g. the year's applications received and decided."""

    id: str
    """Stable id (applications_summary, …)."""
    title: str
    """Short Chinese name shown in 填写说明."""
    text: str
    """The sentence, with {placeholders}."""


@record(frozen=True)
class ReportSpec:
    """One official format (2019 or 2021) with its tables, cells, sections and rules."""

    id: str
    """Format id: "2019" or "2021"."""
    issuing_document: str
    """国办公开办函〔2019〕60号 / 国办公开办函〔2021〕30号."""
    format_title: str
    """The title of the format document."""
    first_year: int
    """First report year this format applies to."""
    last_year: int | None
    """Last report year, None if still current."""
    title_template: str
    """Report title with {organ} and {year}."""
    sheets: Mapping[str, str]
    """Sheet key → sheet name in the workbook (info, s2, s3, s4, text, checks, guide)."""
    info_fields: tuple[InfoField, ...]
    """The 基本信息 fields."""
    sections: tuple[Section, ...]
    """The six sections in order."""
    tables: Mapping[str, Table]
    """Table id → table, in report order."""
    cells: Mapping[str, CellSpec]
    """Cell key → cell, in report order (table by table, row by row, column by column)."""
    rules: tuple[RuleSpec, ...]
    """All rules, guidance included."""
    instructions: tuple[str, ...]
    """Lines of the 填写说明 sheet."""
    placeholders: Mapping[str, str] = field(default_factory=dict)
    """Chinese placeholder names usable in the narrative (申请.新收.总计) → cell key (s3.new_received.total)."""
    standard_sentences: tuple[StandardSentence, ...] = ()
    """Ready-made data sentences a clerk can drop into 一、总体情况."""

    def table(self, table_id: str) -> Table:
        """The table with this id (KeyError if none)."""
        return self.tables[table_id]

    def section(self, section_id: str) -> Section:
        """The section with this id (KeyError if none)."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    @functools.cached_property
    def text_sections(self) -> tuple[Section, ...]:
        """The narrative sections (一, 五, 六), in order (derived once: every text rule asks)."""
        return tuple(s for s in self.sections if s.kind == "text")

    @functools.cached_property
    def required_info(self) -> tuple[InfoField, ...]:
        """The 基本信息 fields the unit must fill in (those with a ``filled`` test), in order."""
        return tuple(f for f in self.info_fields if f.filled is not None)

    @property
    def input_cells(self) -> tuple[CellSpec, ...]:
        """Cells the clerk types, in order."""
        return tuple(c for c in self.cells.values() if c.kind is CellKind.INPUT)

    def applies_to(self, year: int) -> bool:
        """Whether reports on ``year`` use this format."""
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    def report_title(self, organ: str, year: int | str) -> str:
        """The report title, e.g. 南口镇2020年政府信息公开工作年度报告."""
        return self.title_template.format(organ=organ, year=year)
