"""Report data: what a workbook (or an imported report) holds, keyed by the spec's cell ids.

Every value keeps where it came from (sheet!cell) and how it was read, so that a finding can point
at the exact cell and the raw text the clerk typed.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from pathlib import Path

from toolkit.record import field, record, replace

Number = int | float
"""A cell's numeric value: int for counts, int or float for amounts."""


def organ_key(organ: str) -> str:
    """An organ's name as units are matched (duplicates in a merge, last year's report): NFKC (full-width →
    half-width), without any whitespace, case-folded."""
    return "".join(unicodedata.normalize("NFKC", organ).split()).casefold()


class ValueStatus(StrEnum):
    """How a cell's raw content was turned into a number."""

    OK = "ok"
    """A plain number."""
    NORMALISED = "normalised"
    """Readable after a normalisation (full-width digits, "3件", "1,234", numeric text); see ``note``."""
    BLANK = "blank"
    """Empty: 未填写. Counts as 0 in sums, and is reported."""
    PLACEHOLDER = "placeholder"
    """"/", "-", "—", "无": a placeholder, not a number. Counts as 0 in sums, and is reported."""
    INVALID = "invalid"
    """Text that is not a number ("若干", "三件"). Unusable: rules that need it are skipped."""
    EXCEL_ERROR = "excel_error"
    """An Excel error value (#REF!, #VALUE!, …). Unusable."""
    COMPUTED = "computed"
    """A formula cell saved without a cached result; the value was recomputed from its inputs."""
    OUT_OF_RANGE = "out_of_range"
    """A number no count or amount of this report can be (over :data:`toolkit.normalise.MAX_MAGNITUDE`, e.g. a
    pasted 123456789012345678): unusable, and its own finding."""


USABLE = frozenset({ValueStatus.OK, ValueStatus.NORMALISED, ValueStatus.COMPUTED})
"""Statuses whose value is a real number."""
SUMMABLE = USABLE | {ValueStatus.BLANK, ValueStatus.PLACEHOLDER}
"""Statuses a sum can be made with: a real number, or a blank or placeholder (which count as 0). Text, an Excel
error or an out-of-range number leave every sum it is part of unassessed."""


@record(frozen=True)
class Location:
    """Where a value sits: a sheet and an A1 cell, or a line/position in an imported text."""

    sheet: str
    """Sheet name as in the workbook (or "正文" / the source file's name for imports)."""
    cell: str
    """A1 reference (e.g. "D7"), or "L42" style line reference for imports."""

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}"


@record(frozen=True)
class CellValue:
    """One table cell as read."""

    key: str
    """Spec cell key, e.g. s3.new_received.natural."""
    value: Number | None
    """The number (None when blank, placeholder, invalid or an Excel error)."""
    raw: object = None
    """What the file held, unchanged (str, float, int, None)."""
    status: ValueStatus = ValueStatus.OK
    """How ``raw`` became ``value``."""
    location: Location | None = None
    """Where it was read."""
    note: str = ""
    """For NORMALISED: which normalisations applied (e.g. 全角数字、去掉单位“件”)."""
    is_formula: bool = False
    """True when the cell held a formula (template totals)."""
    left_out_of_sums: bool = False
    """True for a number typed as text ("59件", "６", "1,234") in a cell the workbook's own formulas sum: the
    spreadsheet's SUM ignores text, so its totals (and its live 校验 sheet) count the cell as 0. ``value`` keeps
    what the clerk meant; :attr:`as_number` is 0, as the spreadsheet computes."""

    @property
    def usable(self) -> bool:
        """True when ``value`` is a real number."""
        return self.status in USABLE

    @property
    def summable(self) -> bool:
        """True when a sum can be made with this cell (its status is in :data:`SUMMABLE`)."""
        return self.status in SUMMABLE

    @property
    def counts_in_sums(self) -> bool:
        """Whether sums count this cell's value (False for text the spreadsheet's SUM leaves out)."""
        return self.value is not None and not self.left_out_of_sums

    @property
    def as_number(self) -> Number:
        """The value for arithmetic, as the spreadsheet's sums see it: blanks, placeholders and text left out
        of the workbook's sums count as 0."""
        return self.value if self.value is not None and not self.left_out_of_sums else 0


@record(frozen=True)
class TextValue:
    """A narrative section as read from the 正文 sheet (or an imported report)."""

    section: str
    """Section id: s1, s5, s6."""
    text: str
    """The text, paragraphs separated by newlines; "" when blank."""
    location: Location | None = None
    """Where it was read."""
    present: bool = True
    """False when the section does not exist at all in the source (imports); a blank cell is present but empty."""


@record(frozen=True)
class LabelSeen:
    """A row or column label as found in a workbook laid out by hand (label-matched reading)."""

    official: str
    """The official label."""
    found: str
    """The text found in the file."""
    location: Location | None = None
    """Where it was found."""


@record
class ReportData:
    """A whole report's data for one format: info fields, every table cell, the narrative sections."""

    format_id: str
    """The format the data is in ("2019" or "2021")."""
    info: dict[str, str] = field(default_factory=dict)
    """基本信息 fields by id (organ, year, format, contact, phone, date), as text."""
    values: dict[str, CellValue] = field(default_factory=dict)
    """Every table cell by key; a key missing here was not found in the source."""
    texts: dict[str, TextValue] = field(default_factory=dict)
    """Narrative sections by id."""
    labels: list[LabelSeen] = field(default_factory=list)
    """Labels that differ from the official text (label-matched reading only)."""
    info_locations: dict[str, Location] = field(default_factory=dict)
    """Where each 基本信息 field was read."""
    source: Path | None = None
    """The file it was read from."""
    read_mode: str = "memory"
    """``names`` (template markers), ``labels`` (matched official labels), ``import`` or ``memory``."""
    missing: list[str] = field(default_factory=list)
    """Imports: what the source lacks, one Chinese note per table, run of rows or section."""
    uncertain: list[str] = field(default_factory=list)
    """Imports: what the source holds but could not be placed with certainty (not imported)."""

    @property
    def organ(self) -> str:
        """The organ's name ("" if unknown)."""
        return self.info.get("organ", "").strip()

    @property
    def year(self) -> int | None:
        """The report year, or None when missing or not a 4-digit year."""
        raw = self.info.get("year", "").strip().removesuffix("年").removesuffix(".0")
        return int(raw) if raw.isdecimal() and len(raw) == 4 else None

    def number(self, key: str) -> Number:
        """The cell's value for arithmetic (0 for blank/placeholder/missing)."""
        cv = self.values.get(key)
        return cv.as_number if cv is not None else 0

    def text(self, section_id: str) -> str:
        """A section's text ("" when blank or absent)."""
        tv = self.texts.get(section_id)
        return tv.text if tv is not None else ""

    def with_value(self, key: str, value: Number | None, status: ValueStatus = ValueStatus.OK) -> ReportData:
        """A copy with one cell replaced (location kept), for tests and what-if checks."""
        old = self.values.get(key)
        new = replace(old, value=value, raw=value, status=status) if old else CellValue(key, value, value, status)
        return replace(self, values={**self.values, key: new})

    @classmethod
    def from_numbers(
        cls,
        format_id: str,
        numbers: dict[str, Number],
        *,
        info: dict[str, str] | None = None,
        texts: dict[str, str] | None = None,
    ) -> ReportData:
        """Report data built in memory from plain numbers and texts (no locations)."""
        return cls(
            format_id=format_id,
            info=dict(info or {}),
            values={k: CellValue(k, v, v) for k, v in numbers.items()},
            texts={k: TextValue(k, v) for k, v in (texts or {}).items()},
        )
